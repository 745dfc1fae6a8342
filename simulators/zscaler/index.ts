/** The Zscaler ZIA simulator: the public surface. See README.md. */
export {
  createZiaSimulator,
  startZiaSimulator,
  DEFAULT_CREDENTIALS,
  type ZiaSimulator,
  type RunningZiaSimulator,
  type ZiaSimulatorOptions,
  type ZiaRequestRecord,
} from './simulator.ts';
export { obfuscateApiKey } from './obfuscate.ts';
export type { ZiaCredentials } from './auth.ts';
export { DEFAULT_RATE_LIMITS, DEFAULT_SLOW_READS, type RateWindow, type ZiaMethod } from './limits.ts';
export {
  ZiaState,
  makeSeedUsers,
  DEFAULT_DOMAINS,
  DEFAULT_DEPARTMENTS,
  DEFAULT_GROUPS,
  type ZiaUser,
  type ZiaSeed,
  type ZiaSeedUser,
  type ActivationStatus,
  type OrgLock,
} from './state.ts';
export { BULK_DELETE_MAX } from './routes.ts';
export { ziaLogin, ziaSession, ziaClient } from './testing.ts';
