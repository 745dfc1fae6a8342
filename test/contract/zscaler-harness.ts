import { DEFAULT_CREDENTIALS, startZiaSimulator } from '../../simulators/zscaler/index.ts';
import { Secret } from '../../src/config/secret.ts';
import { ZscalerConnector } from '../../src/connectors/zscaler/connector.ts';
import { ZiaSessionAuth } from '../../src/connectors/zscaler/session-auth.ts';
import { accountFromZiaUser } from '../../src/connectors/zscaler/mapping.ts';
import type { ContractHarness } from './harness.ts';

/** ZIA as configured by default (no deactivation: leavers are deleted), or opted into PUT disabled:true. */
function harness(name: string, disableLeavers: boolean): ContractHarness {
  return {
    name,
    async start() {
      const sim = await startZiaSimulator({ rateLimits: false });
      const connect = (apiKey: string) => new ZscalerConnector({
        disableLeavers,
        // lookupCacheMs 0: every lookup asks the app, so the suite's faults meet it (the reuse has its own tests).
        appName: 'zia', baseUrl: sim.baseUrl, backoffBaseMs: 10, activationPollMs: 20, defaultGroups: ['Employees'], lookupCacheMs: 0,
        auth: new ZiaSessionAuth({ appName: 'zia', baseUrl: sim.baseUrl, username: DEFAULT_CREDENTIALS.username, password: new Secret(DEFAULT_CREDENTIALS.password, 'test'), apiKey: new Secret(apiKey, 'test') }),
      });
      const connector = connect(DEFAULT_CREDENTIALS.apiKey);
      const live = (id: string) => sim.state.liveUsers().find((u) => String(u.id) === id);
      return {
        connector,
        settings: { disableLeavers },
        group: 'Contractors',
        otherDepartment: 'Sales',
        faults: sim.faults,
        minListRequests: (n) => Math.floor(n / 10_000) + 1,
        newAccount: (tag) => ({ userName: `${tag}@example.com`, email: `${tag}@example.com`, displayName: `New ${tag}`, department: 'Engineering' }),
        async seed(n) {
          const inputs = Array.from({ length: n }, (_, i) => ({ userName: `seed${i}@example.com`, email: `seed${i}@example.com`, displayName: `Seed ${i}`, department: 'Engineering' }));
          for (const u of inputs) sim.state.addUser({ name: u.displayName, email: u.email, department: u.department, groups: ['Employees'] });
          return inputs;
        },
        async remote(remoteId) {
          const u = live(remoteId);
          return u ? accountFromZiaUser(structuredClone(u) as Parameters<typeof accountFromZiaUser>[0]) : undefined;
        },
        async members(group) {
          return sim.state.liveUsers().filter((u) => u.groups.some((g) => g.name === group)).map((u) => String(u.id));
        },
        wrongCredential: () => connect('XXXXXXXXXXXX'),
        async close() {
          await connector.close();
          await sim.close();
        },
      };
    },
  };
}

export const ziaHarness = harness('Zscaler ZIA', false);
export const ziaDisableLeaversHarness = harness('Zscaler ZIA, disableLeavers', true);
