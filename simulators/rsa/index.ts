export { createRsaSimulator, startRsaSimulator } from './simulator.ts';
export type { RsaSimulator, RsaSimulatorOptions, RunningRsaSimulator } from './simulator.ts';
export { CONSOLE_ATTRIBUTES, DEFAULT_RETRY_AFTER, makeSecret, resolveRsaSettings } from './settings.ts';
export type { RsaRateLimit, RsaSimulatorSettings } from './settings.ts';
export { IdentitySources, consoleAttributes } from './users.ts';
export type { IdentitySource } from './users.ts';
export { supportedSearch } from './gate.ts';
export { generateUsers } from '../scim/index.ts';
