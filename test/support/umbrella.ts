// Fixtures for the Umbrella connectors' tests: a connector on a strict Umbrella simulator.
import type { TestContext } from 'node:test';
import { startUmbrellaSimulator, type RunningUmbrellaSimulator, type UmbrellaSimulatorOptions } from '../../simulators/umbrella/index.ts';
import { Secret } from '../../src/config/secret.ts';
import { basicAuth, bearerAuth } from '../../src/connectors/http/auth.ts';
import type { HttpExchange } from '../../src/connectors/http/client.ts';
import { UmbrellaScimConnector } from '../../src/connectors/umbrella/connector-scim.ts';
import { UmbrellaV1Connector, type UmbrellaV1Options } from '../../src/connectors/umbrella/connector-v1.ts';
import { UmbrellaV2Connector, type UmbrellaV2Options } from '../../src/connectors/umbrella/connector-v2.ts';

export const MGMT = { key: 'mgmt-key', secret: 'mgmt-secret-value', kind: 'management' as const };
export const REPORTING = { key: 'rep-key', secret: 'rep-secret-value', kind: 'reporting' as const };
export const V2KEY = { key: 'v2-key', secret: 'v2-secret-value', scopes: ['admin.users:read', 'admin.users:write', 'admin.roles:read'] };
export const SCIM_TOKEN = 'umbrella-scim-token';

export async function simulator(t: TestContext, options: UmbrellaSimulatorOptions = {}): Promise<RunningUmbrellaSimulator> {
  const sim = await startUmbrellaSimulator({ v1Keys: [MGMT, REPORTING], v2Keys: [V2KEY], scimToken: SCIM_TOKEN, ...options });
  t.after(() => sim.close());
  return sim;
}

/** Requests the simulator answered, as `METHOD /path?query status`. */
export function calls(sim: RunningUmbrellaSimulator, match?: RegExp): string[] {
  return sim.requests.entries
    .map((r) => {
      const query = new URLSearchParams(r.query).toString();
      return `${r.method} ${r.path}${query ? `?${query}` : ''} ${r.status}`;
    })
    .filter((c) => !match || match.test(c));
}

export function v1(t: TestContext, sim: RunningUmbrellaSimulator, options: Partial<UmbrellaV1Options> & { key?: { key: string; secret: string } } = {}): { connector: UmbrellaV1Connector; exchanges: HttpExchange[] } {
  const { key = MGMT, ...rest } = options;
  const connector = new UmbrellaV1Connector({ appName: 'umbrella', baseUrl: sim.origin, auth: basicAuth(key.key, new Secret(key.secret, 'env:UMBRELLA_SECRET')), backoffBaseMs: 5, ...rest });
  const exchanges: HttpExchange[] = [];
  connector.observe((e) => exchanges.push(e));
  t.after(() => connector.close());
  return { connector, exchanges };
}

export function v2(t: TestContext, sim: RunningUmbrellaSimulator, options: Partial<UmbrellaV2Options> & { credentials?: { key: string; secret: string } } = {}): UmbrellaV2Connector {
  const { credentials = V2KEY, ...rest } = options;
  const connector = new UmbrellaV2Connector({ appName: 'umbrella', baseUrl: sim.v2BaseUrl, key: credentials.key, secret: new Secret(credentials.secret, 'env:UMBRELLA_V2_SECRET'), backoffBaseMs: 5, ...rest });
  t.after(() => connector.close());
  return connector;
}

export function scim(t: TestContext, sim: RunningUmbrellaSimulator, token = SCIM_TOKEN): UmbrellaScimConnector {
  const connector = new UmbrellaScimConnector({ appName: 'umbrella', baseUrl: sim.origin, auth: bearerAuth(new Secret(token, 'env:UMBRELLA_SCIM_TOKEN')), backoffBaseMs: 5 });
  t.after(() => connector.close());
  return connector;
}
