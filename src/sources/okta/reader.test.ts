import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { OKTA_STATUSES, startOktaSimulator, type RunningOktaSimulator } from '../../../simulators/okta/index.ts';
import { Secret } from '../../config/secret.ts';
import { OktaReader, OKTA_STATUS_MEANING, type OktaSourceConfig } from './reader.ts';

const TOKEN = 'okta-api-token-value';
const person = (i: number, extra: Record<string, unknown> = {}) => ({ firstName: `F${i}`, lastName: `L${i}`, login: `u${i}@acme.example`, email: `U${i}@acme.example`, department: 'Sales', ...extra });

async function setup(t: TestContext, options: Parameters<typeof startOktaSimulator>[0] = {}, auth?: OktaSourceConfig['auth']) {
  const sim = await startOktaSimulator({ apiTokens: [TOKEN], rateLimits: undefined, ...options });
  t.after(() => sim.close());
  const app = sim.tenant.addApp('Zscaler');
  const reader = new OktaReader(config(sim, app.id, auth));
  t.after(() => reader.close());
  return { sim, reader, app };
}

const config = (sim: RunningOktaSimulator, appId: string, auth: OktaSourceConfig['auth'] = { type: 'ssws', token: new Secret(TOKEN, 'env:OKTA') }): OktaSourceConfig => ({
  name: 'okta',
  baseUrl: sim.origin,
  auth,
  apps: [{ id: appId, name: 'zia' }],
  timeoutMs: 5000,
  maxWaitMs: 10_000,
});

describe('Okta reader', () => {
  it('maps every Okta status to active or leaver with the reason kept; a full read reaches DEPROVISIONED users too', async (t) => {
    const { sim, reader } = await setup(t);
    const ids = OKTA_STATUSES.map((status, i) => ({ status, id: sim.tenant.addUser(person(i), status).id }));
    const read = await reader.read({ cursors: {}, full: true });
    assert.equal(read.people.length, OKTA_STATUSES.length);
    const seen = Object.fromEntries(ids.map(({ status, id }) => [status, read.people.find((p) => p.sourceId === id)?.status]));
    assert.deepEqual(
      Object.fromEntries(Object.entries(seen).map(([s, v]) => [s, v?.active])),
      { STAGED: false, PROVISIONED: true, ACTIVE: true, RECOVERY: true, PASSWORD_EXPIRED: true, LOCKED_OUT: true, SUSPENDED: false, DEPROVISIONED: false },
    );
    for (const status of OKTA_STATUSES) {
      assert.equal(seen[status]?.raw, status);
      assert.equal(seen[status]?.reason, OKTA_STATUS_MEANING[status]?.reason);
    }
    assert.equal(read.people[0]?.fields.email, read.people[0]?.fields.email?.toLowerCase());
  });

  it('pages users by Link (200 a page), reads groups with their members and app assignments; the cursor is the newest lastUpdated', async (t) => {
    const { sim, reader, app } = await setup(t, { groupUsersLimit: { default: 100, max: 100 } });
    const users = Array.from({ length: 450 }, (_, i) => sim.tenant.addUser(person(i, { managerId: null })));
    const group = sim.tenant.addGroup('vpn-users');
    for (const u of users.slice(0, 150)) sim.tenant.addMember(group.id, u.id);
    sim.tenant.assignGroup(app.id, group.id);
    sim.tenant.assignUser(app.id, users[300]?.id ?? '');
    const read = await reader.read({ cursors: {}, full: false });
    assert.equal(read.mode, 'full');
    assert.equal(read.people.length, 450);
    assert.equal(read.groups[0]?.addUsers.length, 150);
    assert.equal(read.groups[0]?.name, 'vpn-users');
    assert.equal(read.assignments[0]?.principals.length, 151);
    assert.equal(read.cursors.users, users[449]?.lastUpdated);
    // users: 3 pages + 1 for DEPROVISIONED; groups: 1 list + 2 member pages (Okta allows 1000, the org here 100); app: 1 page
    assert.equal(read.requests, 8);
    assert.equal(read.minimumRequests, 7);
  });

  it('an incremental read asks only for what changed since the cursor: a deprovisioned user, a suspended one, a group whose members changed', async (t) => {
    const { sim, reader } = await setup(t);
    const users = Array.from({ length: 10 }, (_, i) => sim.tenant.addUser(person(i)));
    const group = sim.tenant.addGroup('finance');
    sim.tenant.addGroup('other');
    sim.tenant.addMember(group.id, users[0]?.id ?? '');
    const first = await reader.read({ cursors: {}, full: false });
    await new Promise((r) => setTimeout(r, 5));
    sim.tenant.setStatus(users[1]?.id ?? '', 'DEPROVISIONED');
    sim.tenant.setStatus(users[2]?.id ?? '', 'SUSPENDED');
    sim.tenant.addMember(group.id, users[3]?.id ?? '');
    const before = sim.requests.length;
    const next = await reader.read({ cursors: first.cursors, full: false });
    assert.equal(next.mode, 'incremental');
    // The newest user of the last read comes again: the filter starts 1 ms before the cursor, so
    // nothing changed in the cursor's own millisecond is missed.
    assert.deepEqual(next.people.map((p) => [p.sourceId, p.status?.raw]).sort(), [[users[1]?.id, 'DEPROVISIONED'], [users[2]?.id, 'SUSPENDED'], [users[9]?.id, 'ACTIVE']].sort());
    assert.deepEqual(next.groups.map((g) => [g.sourceId, g.mode, g.addUsers.length]), [[group.id, 'replace', 2]]);
    const asked = sim.requests.slice(before).map((r) => decodeURIComponent(r.path.replace(/\+/g, " ")));
    assert.match(asked[0] ?? '', /^\/api\/v1\/users\?limit=200&filter=lastUpdated gt "/);
    assert.match(asked[1] ?? '', /lastMembershipUpdated gt/);
    assert.equal(next.requests, 4);
  });

  it('paces by x-rate-limit-remaining/-reset per endpoint, and waits out a 429 until its reset', async (t) => {
    const { sim, reader } = await setup(t, { rateLimits: [{ name: 'users', prefixes: ['/api/v1/users'], limit: 2, windowMs: 1000 }] });
    for (let i = 0; i < 500; i += 1) sim.tenant.addUser(person(i));
    const started = Date.now();
    const read = await reader.read({ cursors: {}, full: true });
    assert.equal(read.people.length, 500);
    assert.ok(Date.now() - started >= 900, 'sat out the spent window');
    assert.ok(!sim.requests.some((r) => r.status === 429), 'never ran into a 429: the headers said when to stop');
    sim.faults.set({ pathIncludes: '/api/v1/groups', rateLimit: { count: 1, retryAfter: { kind: 'none' } } });
    const again = await reader.read({ cursors: {}, full: true });
    assert.equal(again.requests - again.minimumRequests, 1);
  });

  it('OAuth2 service app: client credentials for the okta.*.read scopes', async (t) => {
    const sim = await startOktaSimulator({ rateLimits: undefined, oauthClients: [{ clientId: 'svc', clientSecret: 'shh', scopes: ['okta.users.read', 'okta.groups.read', 'okta.apps.read'] }] });
    t.after(() => sim.close());
    sim.tenant.addUser(person(1));
    const app = sim.tenant.addApp('x');
    const reader = new OktaReader(config(sim, app.id, { type: 'oauth2', clientId: 'svc', clientSecret: new Secret('shh', 'env:S') }));
    t.after(() => reader.close());
    const read = await reader.read({ cursors: {}, full: true });
    assert.equal(read.people.length, 1);
    assert.equal(read.requests, 5, 'token, users, deprovisioned, groups, app');
  });
});
