export { createNetskopeSimulator, startNetskopeSimulator } from './simulator.ts';
export type { NetskopeSimulator, NetskopeSimulatorOptions, RunningNetskopeSimulator } from './simulator.ts';
export { AUDIT_EVENTS_PATH, DEFAULT_RATE_LIMIT, NETSKOPE_SCIM_PATH, REST_SCOPES, makeToken, resolveNetskopeSettings } from './settings.ts';
export type { ErrorAnswer, NetskopeSimulatorSettings, RestScope, RestToken } from './settings.ts';
export { AuditEventLog, DEFAULT_EVENTS_LIMIT, MAX_EVENTS_LIMIT } from './events.ts';
export type { AuditEventInput, NetskopeAuditEvent } from './events.ts';
export type { PolicyGroup } from './policy.ts';
export { generateUsers } from '../scim/index.ts';
