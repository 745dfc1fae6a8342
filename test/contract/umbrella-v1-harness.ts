import { renderV1 } from '../../simulators/umbrella/index.ts';
import { Secret } from '../../src/config/secret.ts';
import { basicAuth } from '../../src/connectors/http/auth.ts';
import { createUmbrellaConnector } from '../../src/connectors/umbrella/index.ts';
import type { ContractHarness } from './harness.ts';
import { dashboard, MGMT, ORG, start } from './umbrella-common.ts';

/** Umbrella over the Management API v1: no deactivate, no groups (refused by capability). */
export const umbrellaV1Harness: ContractHarness = {
  name: 'Umbrella Management API v1',
  async start() {
    const sim = await start();
    const connect = (secret: string) => createUmbrellaConnector({ api: 'v1', appName: 'umbrella', baseUrl: sim.v1BaseUrl, organizationId: ORG, auth: basicAuth(MGMT.key, new Secret(secret, 'test')), backoffBaseMs: 10 });
    const user = (id: string) => sim.state.users.get(Number(id));
    return { ...dashboard(sim, connect(MGMT.secret), () => connect('not-the-secret'), (id) => {
      const u = user(id);
      return u ? renderV1(u, sim.settings.v1Form) : undefined;
    }, 200), settings: { api: 'v1' } };
  },
};

