export * from './errors.ts';
export * from './schemas.ts';
export * from './filter.ts';
export * from './path.ts';
export * from './patch.ts';
