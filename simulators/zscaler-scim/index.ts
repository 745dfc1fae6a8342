export { createZiaScimSimulator, startZiaScimSimulator } from './simulator.ts';
export type { RunningZiaScimSimulator, ZiaScimSimulator, ZiaScimSimulatorOptions } from './simulator.ts';
export { DEFAULT_ZIA_SCIM_RATE_LIMIT, ZIA_SCIM_FILTERS, ZIA_SCIM_LIMITS } from './settings.ts';
export type { ZiaScimSimulatorSettings } from './settings.ts';
export { generateUsers } from '../scim/index.ts';
