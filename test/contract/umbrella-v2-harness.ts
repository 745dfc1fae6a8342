import { renderV2 } from '../../simulators/umbrella/index.ts';
import { Secret } from '../../src/config/secret.ts';
import { createUmbrellaConnector } from '../../src/connectors/umbrella/index.ts';
import type { ContractHarness } from './harness.ts';
import { dashboard, start, V2KEY } from './umbrella-common.ts';

/** Umbrella over API v2: no update, no deactivate, no groups (refused by capability). */
export const umbrellaV2Harness: ContractHarness = {
  name: 'Umbrella API v2',
  async start() {
    const sim = await start();
    const connect = (secret: string) => createUmbrellaConnector({ api: 'v2', appName: 'umbrella', baseUrl: sim.v2BaseUrl, key: V2KEY.key, secret: new Secret(secret, 'test'), backoffBaseMs: 10 });
    return { ...dashboard(sim, connect(V2KEY.secret), () => connect('not-the-secret'), (id) => {
      const u = sim.state.users.get(Number(id));
      return u ? renderV2(u) : undefined;
    }, 100), settings: { api: 'v2' } };
  },
};

