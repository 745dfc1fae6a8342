export { createOktaSimulator, DEFAULT_OKTA_RATE_LIMITS, OKTA_SCOPES, parseOktaFilter, resolveOktaSettings, startOktaSimulator } from './simulator.ts';
export type { OktaOAuthClient, OktaRateBucket, OktaSimulator, OktaSimulatorOptions, OktaSimulatorSettings, RunningOktaSimulator } from './simulator.ts';
export { OKTA_STATUSES, OktaTenant, oktaId } from './tenant.ts';
export type { OktaApp, OktaGroup, OktaProfile, OktaStatus, OktaUser } from './tenant.ts';
export { seedTenant } from '../shared/idp-tenant.ts';
