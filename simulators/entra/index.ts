export { createEntraSimulator, GRAPH_SCOPE, resolveEntraSettings, startEntraSimulator } from './simulator.ts';
export type { EntraClient, EntraSimulator, EntraSimulatorOptions, EntraSimulatorSettings, RequestRecord, RunningEntraSimulator } from './simulator.ts';
export { EntraTenant, USER_PROPERTIES, DEFAULT_USER_SELECT } from './tenant.ts';
export type { AppRoleAssignment, EntraGroup, EntraUser, ServicePrincipal } from './tenant.ts';
export { seedTenant } from '../shared/idp-tenant.ts';
