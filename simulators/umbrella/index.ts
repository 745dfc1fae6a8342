/** The Cisco Umbrella simulator: the public surface. See README.md. */
export { createUmbrellaSimulator, startUmbrellaSimulator, type UmbrellaSimulator, type RunningUmbrellaSimulator } from './simulator.ts';
export {
  DEFAULT_V2_LIMITS,
  SCIM_PATH,
  TOKEN_PATH,
  V1_PATH,
  V1_ROLES,
  V2_PATH,
  V2_ROLES,
  V2_SCOPES,
  makeSecret,
  resolveSettings,
  type LimitRule,
  type UmbrellaSimulatorOptions,
  type UmbrellaSimulatorSettings,
  type V1Key,
  type V2Key,
  type V2Scope,
} from './settings.ts';
export { UmbrellaState, FULL_ADMIN, READ_ONLY, type SeedUser, type UmbrellaUser } from './state.ts';
export { UMBRELLA_EXTENSION } from './scim.ts';
export { V1_MAX_LIMIT } from './v1.ts';
export { V2_MAX_LIMIT } from './v2.ts';
export { renderV1 } from './v1.ts';
export { renderV2 } from './v2.ts';
