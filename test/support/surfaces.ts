// A seeded tenant for the API and dashboard tests: people, two simulated apps (generic SCIM and
// Netskope) each with its own mess, synced; API tokens for each role and operator accounts to sign
// in with; and roster's HTTP app with its real sign-in.
import type { PgBoss } from 'pg-boss';
import type { Role } from '../../src/auth/identity.ts';
import { createOperator } from '../../src/auth/operators.ts';
import { createToken } from '../../src/auth/tokens.ts';
import { startNetskopeSimulator } from '../../simulators/netskope/index.ts';
import { startScimSimulator, type RunningScimSimulator } from '../../simulators/scim/index.ts';
import { parseConfig, type ResolvedApp } from '../../src/config/load.ts';
import { createConnector } from '../../src/connectors/modules.ts';
import type { Person } from '../../src/core/person.ts';
import { generateOrganisation } from '../../src/core/sample-org.ts';
import { syncApp } from '../../src/engine/sync.ts';
import { SCIM } from '../../src/scim/schemas.ts';
import { createServerApp } from '../../src/server/app.ts';
import type { Database } from '../../src/store/database.ts';
import { upsertPeople } from '../../src/store/people.ts';

/** The API tokens the tests sign in with, one per role, and an agent token with the admin role (an agent never gets past its ceiling). */
const tokenRoles = { viewer: ['api', 'viewer'], operator: ['api', 'operator'], approver: ['api', 'approver'], admin: ['api', 'admin'], agent: ['agent', 'admin'] } as const;
export type Who = keyof typeof tokenRoles;
export type Callers = Record<Who, { token: string; actor: string }>;

export async function createCallers(db: Database): Promise<Callers> {
  const callers: Partial<Callers> = {};
  for (const [who, [kind, role]] of Object.entries(tokenRoles) as [Who, (typeof tokenRoles)[Who]][]) {
    // Each token has an owner of its own: four eyes treats a token as its owner.
    const made = await createToken(db, { name: `test-${who}`, kind, role, createdBy: `operator:owner-of-${who}` });
    callers[who] = { token: made.value, actor: kind === 'agent' ? `agent:test-${who}` : `token:test-${who}` };
  }
  return callers as Callers;
}

export const PASSWORD = 'correct horse battery staple';

/** Operator accounts (username → role) with one password, for signing in with a browser. */
export async function createOperators(db: Database, accounts: Record<string, Role>): Promise<void> {
  for (const [username, role] of Object.entries(accounts)) await createOperator(db, { username, role, password: PASSWORD, createdBy: 'operator:setup' });
}


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

/** roster's HTTP app on this tenant, with its real sign-in in front. */
export function serverApp(tenant: Pick<Tenant, 'db' | 'apps'>, options: { queue?: PgBoss } = {}) {
  return createServerApp({ db: tenant.db, apps: tenant.apps, connectorFor: createConnector, ...options });
}
