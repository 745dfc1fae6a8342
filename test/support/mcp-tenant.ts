// A seeded tenant for the MCP tests: a generic SCIM app and Netskope (simulators), a small
// organisation with one leaver still active in both, an orphan and some drift, synced.
import { startNetskopeSimulator, type RunningNetskopeSimulator } from '../../simulators/netskope/index.ts';
import { startScimSimulator, type RunningScimSimulator } from '../../simulators/scim/index.ts';
import type { RequestRecord } from '../../simulators/scim/index.ts';
import type { Identity } from '../../src/auth/identity.ts';
import { parseConfig, type ResolvedApp } from '../../src/config/load.ts';
import { createConnector } from '../../src/connectors/modules.ts';
import type { Person } from '../../src/core/person.ts';
import { syncApp } from '../../src/engine/sync.ts';
import { SCIM } from '../../src/scim/schemas.ts';
import type { Database, Queryable } from '../../src/store/database.ts';
import { upsertPeople } from '../../src/store/people.ts';

export const agentToken = 'roster-agent-test-secret-0123456789';
export const otherAgentToken = 'roster-agent-test-secret-other-9876543210';
export const operatorToken = 'roster-operator-test-secret-0123456789';
export const agent: Identity = { kind: 'agent', id: 'tok-agent-1', actor: 'agent:helpdesk-bot', role: 'admin' };
export const otherAgent: Identity = { kind: 'agent', id: 'tok-agent-2', actor: 'agent:other-bot', role: 'operator' };
const operatorIdentity: Identity = { kind: 'token', id: 'tok-op-1', actor: 'token:ops', role: 'admin' };

/** Stands in for src/auth/tokens.ts verifyToken in tests: the same signature, three known tokens. */
export async function testVerify(_db: Queryable, presented: string): Promise<Identity | undefined> {
  if (presented === agentToken) return agent;
  if (presented === otherAgentToken) return otherAgent;
  if (presented === operatorToken) return operatorIdentity;
  return undefined;
}

const person = (n: number, over: Partial<Person> = {}): Person => {
  const userName = `user${String(n).padStart(2, '0')}@example.com`;
  return { id: `p${String(n).padStart(2, '0')}`, userName, displayName: `User ${n}`, givenName: 'User', familyName: String(n), email: userName, emails: [userName], active: true, department: n % 2 === 0 ? 'Sales' : 'Engineering', title: 'Staff', groups: ['Staff'], ...over };
};

export const jane = person(1, { userName: 'jane.doe@example.com', email: 'jane.doe@example.com', emails: ['jane.doe@example.com'], displayName: 'Jane Doe', givenName: 'Jane', familyName: 'Doe', active: false, department: 'Sales' });
export const people: Person[] = [jane, ...Array.from({ length: 11 }, (_, i) => person(i + 2))];
/** Has an account in the SCIM app whose department drifted. */
export const drifted = people[2] as Person;

const writeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const isWrite = (r: RequestRecord) => writeMethods.has(r.method) && !r.path.endsWith('/.search');

export interface Tenant {
  apps: ResolvedApp[];
  scim: RunningScimSimulator;
  netskope: RunningNetskopeSimulator;
  /** The env a child roster needs to reach the apps. */
  env: Record<string, string>;
  /** roster.yaml for a child roster. */
  yaml: string;
  /** Write requests every app saw after the mark. */
  writesSince(mark: Mark): RequestRecord[];
  mark(): Mark;
  sync(db: Database): Promise<void>;
  close(): Promise<void>;
}

export interface Mark {
  scim: number;
  netskope: number;
}

export async function startTenant(): Promise<Tenant> {
  const scim = await startScimSimulator({ maxPageSize: 50 });
  const netskope = await startNetskopeSimulator({ scimToken: 'netskope-scim-token', rateLimit: undefined });
  const scimUser = (p: Person, over: Record<string, unknown> = {}) => ({ userName: p.userName, displayName: p.displayName, emails: [{ value: p.email, type: 'work', primary: true }], title: p.title, active: true, [SCIM.enterpriseUser]: { department: p.department }, ...over });
  scim.store.seedUsers([
    ...people.slice(0, 10).map((p) => (p === drifted ? scimUser(p, { [SCIM.enterpriseUser]: { department: 'Changed-By-Hand' } }) : scimUser(p))),
    { userName: 'ghost@example.com', displayName: 'Nobody Knows', emails: [{ value: 'ghost@example.com', type: 'work', primary: true }], active: true },
  ]);
  netskope.scim.store.seedUsers(people.slice(0, 10).map((p) => ({ userName: p.userName, displayName: p.displayName, emails: [{ value: p.email, type: 'work', primary: true }], active: true })));
  const env = { SCIM_TOKEN: scim.settings.token, NETSKOPE_TOKEN: 'netskope-scim-token' };
  const raw = {
    apps: {
      scim: { type: 'scim', baseUrl: scim.baseUrl, auth: { type: 'bearer', token: 'env:SCIM_TOKEN' }, rateBudget: false },
      netskope: { type: 'netskope', baseUrl: netskope.baseUrl, auth: { type: 'header', header: 'Netskope-Api-Token', token: 'env:NETSKOPE_TOKEN' }, rateBudget: false },
    },
  };
  const apps = parseConfig(raw, undefined, { env, appSecrets: true }).apps;
  const yaml = JSON.stringify(raw, null, 2);
  return {
    apps,
    scim,
    netskope,
    env,
    yaml,
    mark: () => ({ scim: scim.requests.entries.length, netskope: netskope.scim.requests.entries.length }),
    writesSince: (mark) => [...scim.requests.entries.slice(mark.scim), ...netskope.scim.requests.entries.slice(mark.netskope)].filter(isWrite),
    async sync(db) {
      await upsertPeople(db, people, 'test');
      for (const app of apps) {
        const connector = createConnector(app);
        try {
          const result = await syncApp(db, app, connector, { actor: 'operator:alice' });
          if (!result.ok) throw new Error(`sync of ${app.name} failed: ${result.error}`);
        } finally {
          await connector.close();
        }
      }
    },
    async close() {
      await scim.close();
      await netskope.close();
    },
  };
}
