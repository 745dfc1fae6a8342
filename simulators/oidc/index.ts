export { createOidcApp, startOidcSimulator, type OidcClient, type OidcFaults, type OidcSimulatorOptions, type OidcUser, type RunningOidcSimulator } from './simulator.ts';
