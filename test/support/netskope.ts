// Fixtures for the Netskope connector's tests: a connector on a strict Netskope simulator.
import type { TestContext } from 'node:test';
import { startNetskopeSimulator, type NetskopeSimulatorOptions, type RunningNetskopeSimulator } from '../../simulators/netskope/index.ts';
import { Secret } from '../../src/config/secret.ts';
import { bearerAuth, headerAuth } from '../../src/connectors/http/auth.ts';
import type { HttpExchange } from '../../src/connectors/http/client.ts';
import { NetskopeConnector, type NetskopeConnectorOptions } from '../../src/connectors/netskope/connector.ts';
import { NetskopeEventsClient } from '../../src/connectors/netskope/events.ts';
import { netskopeManifest } from '../../src/connectors/netskope/manifest.ts';

export const SCIM_TOKEN = 'netskope-scim-token';
export const REST_TOKEN = 'netskope-rest-v2-token';

export interface Fixture {
  sim: RunningNetskopeSimulator;
  connector: NetskopeConnector;
  exchanges: HttpExchange[];
  /** Requests the simulator answered, as `METHOD /path?query status`, /api/v2/scim dropped. */
  calls(match?: RegExp): string[];
  events(options?: { token?: string; pageSize?: number }): NetskopeEventsClient;
}

/** A NetskopeConnector (SCIM token in Netskope-Api-Token) on a simulator; both closed after the test. */
export async function fixture(t: TestContext, simOptions: NetskopeSimulatorOptions = {}, options: Partial<NetskopeConnectorOptions> & { token?: string; bearer?: boolean } = {}): Promise<Fixture> {
  const sim = await startNetskopeSimulator({ scimToken: SCIM_TOKEN, restTokens: [{ token: REST_TOKEN, scopes: ['events'] }], ...simOptions });
  const { token = SCIM_TOKEN, bearer = false, ...rest } = options;
  const secret = new Secret(token, 'env:NETSKOPE_TOKEN');
  const connector = new NetskopeConnector({
    appName: 'netskope',
    baseUrl: sim.baseUrl,
    auth: bearer ? bearerAuth(secret) : headerAuth(netskopeManifest.auth.header, secret),
    backoffBaseMs: 5,
    ...rest,
  });
  const exchanges: HttpExchange[] = [];
  connector.observe((e) => exchanges.push(e));
  const clients: NetskopeEventsClient[] = [];
  t.after(async () => {
    await connector.close();
    await Promise.all(clients.map((c) => c.close()));
    await sim.close();
  });
  return {
    sim,
    connector,
    exchanges,
    calls: (match) =>
      sim.scim.requests.entries
        .map((r) => {
          const query = new URLSearchParams(r.query).toString();
          return `${r.method} ${r.path.replace(/^\/api\/v2\/scim/, '')}${query ? `?${query}` : ''} ${r.status}`;
        })
        .filter((c) => !match || match.test(c)),
    events({ token: eventsToken = REST_TOKEN, pageSize } = {}) {
      const client = new NetskopeEventsClient({ appName: 'netskope', baseUrl: sim.origin, auth: headerAuth('Netskope-Api-Token', new Secret(eventsToken, 'env:NETSKOPE_REST_TOKEN')), pageSize, backoffBaseMs: 5 });
      clients.push(client);
      return client;
    },
  };
}

/** A SCIM user as the IdP would have made it, for seeding the simulator's store. */
export function seedUser(userName: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    userName,
    active: true,
    displayName: `User ${userName}`,
    name: { givenName: 'Given', familyName: 'Family' },
    emails: [{ value: userName, type: 'work', primary: true }],
    title: 'Engineer',
    externalId: `ext-${userName}`,
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'Engineering' },
    ...extra,
  };
}
