// A seeded tenant for the API and dashboard tests: people, two simulated apps (generic SCIM and
// Netskope) each with its own mess, synced; identities for each role; and the server app with a
// test-only sign-in (a header naming who is asking) until the real sign-in is merged.
import { Hono } from 'hono';
import type { Identity, Role } from '../../src/auth/identity.ts';
import { startNetskopeSimulator } from '../../simulators/netskope/index.ts';
import { startScimSimulator, type RunningScimSimulator } from '../../simulators/scim/index.ts';
import { parseConfig, type ResolvedApp } from '../../src/config/load.ts';
import { createConnector } from '../../src/connectors/modules.ts';
import type { Person } from '../../src/core/person.ts';
import { generateOrganisation } from '../../src/core/sample-org.ts';
import { syncApp } from '../../src/engine/sync.ts';
import { SCIM } from '../../src/scim/schemas.ts';
import { createServerApp } from '../../src/server/app.ts';
import type { SurfaceEnv } from '../../src/server/surface-options.ts';
import type { Database } from '../../src/store/database.ts';
import { upsertPeople } from '../../src/store/people.ts';

export const identities = {
  viewer: { kind: 'user', id: 'u-viewer', actor: 'operator:vera', role: 'viewer' },
  operator: { kind: 'user', id: 'u-operator', actor: 'operator:olga', role: 'operator' },
  approver: { kind: 'user', id: 'u-approver', actor: 'operator:abe', role: 'approver' },
  admin: { kind: 'user', id: 'u-admin', actor: 'operator:ada', role: 'admin' },
  agent: { kind: 'agent', id: 't-agent', actor: 'agent:helper', role: 'admin' },
} as const satisfies Record<string, Identity>;
export type Who = keyof typeof identities;

export interface Tenant {
  db: Database;
  apps: ResolvedApp[];
  people: Person[];
  scim: RunningScimSimulator;
  /** The leaver whose SCIM account policy deletes (held for approval) and Netskope deactivates. */
  leaver: Person;
  /** Whose title drifted in the SCIM app. */
  drifted: Person;
  /** Active people with no account anywhere yet. */
  joiners: Person[];
  sync(): Promise<void>;
  close(): Promise<void>;
}

export async function seedTenant(db: Database, options: { size?: number } = {}): Promise<Tenant> {
  const people = generateOrganisation({ size: options.size ?? 24, seed: 7, domain: 'example.com', leaverShare: 0 });
  const leaver = people[2] as Person;
  const drifted = people[3] as Person;
  const joiners = people.slice(-4);
  await upsertPeople(db, people.map((p) => (p.id === leaver.id ? { ...p, active: false } : p)), 'test');
  const holders = people.slice(0, -4);
  const scimUsers = holders.map((p) => ({
    userName: p.userName,
    displayName: p.displayName,
    emails: [{ value: p.email, type: 'work', primary: true }],
    title: p.id === drifted.id ? 'Changed By Hand' : p.title,
    active: true,
    [SCIM.enterpriseUser]: { department: p.department },
  }));
  const scim = await startScimSimulator({ maxPageSize: 50 });
  scim.store.seedUsers([...scimUsers, { userName: 'ghost@example.com', displayName: 'Nobody Knows', emails: [{ value: 'ghost@example.com', type: 'work', primary: true }], active: true }]);
  const netskope = await startNetskopeSimulator({ scimToken: 'netskope-scim-token', rateLimit: undefined });
  netskope.scim.store.seedUsers(scimUsers.map((u) => ({ userName: u.userName, displayName: u.displayName, emails: u.emails, active: true })));
  const config = parseConfig(
    {
      apps: {
        scim: { type: 'scim', baseUrl: scim.baseUrl, auth: { type: 'bearer', token: 'env:SCIM_TOKEN' }, rateBudget: false, policy: { leaver: 'delete', approval: { massChange: { share: 0.5, minimum: 5 } } } },
        netskope: { type: 'netskope', baseUrl: netskope.baseUrl, auth: { type: 'header', header: 'Netskope-Api-Token', token: 'env:NETSKOPE_TOKEN' }, rateBudget: false, policy: { approval: { massChange: { share: 0.5, minimum: 5 } } } },
      },
    },
    undefined,
    { env: { NETSKOPE_TOKEN: 'netskope-scim-token', SCIM_TOKEN: scim.settings.token } },
  );
  const apps = config.apps;
  const sync = async () => {
    for (const app of apps) {
      const connector = createConnector(app);
      try {
        const result = await syncApp(db, app, connector, { actor: 'system:test' });
        if (!result.ok) throw new Error(`sync of ${app.name} failed: ${result.error}`);
      } finally {
        await connector.close();
      }
    }
  };
  await sync();
  return {
    db,
    apps,
    people,
    scim,
    leaver,
    drifted,
    joiners,
    sync,
    async close() {
      await scim.close();
      await netskope.close();
    },
  };
}

/**
 * The server app behind a test-only sign-in: the `x-test-as` header names the role asking
 * (absent: nobody). Stands in for the real sign-in middleware in tests of what each role may do.
 */
export function appAs(tenant: Pick<Tenant, 'db' | 'apps'>, identitiesByName: Record<string, Identity> = identities): Hono<SurfaceEnv> {
  const root = new Hono<SurfaceEnv>();
  root.use('*', async (c, next) => {
    const who = c.req.header('x-test-as');
    c.set('identity', who ? identitiesByName[who] : undefined);
    await next();
  });
  root.route('/', createServerApp({ db: tenant.db, apps: tenant.apps, connectorFor: createConnector }) as unknown as Hono<SurfaceEnv>);
  return root;
}

export function identityOf(role: Role, actor: string): Identity {
  return { kind: 'user', id: `u-${actor}`, actor, role };
}
