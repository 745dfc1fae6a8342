import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { startOktaSimulator, type OktaSimulatorOptions, type RunningOktaSimulator } from './simulator.ts';
import { OKTA_STATUSES } from './tenant.ts';

const token = 'okta-api-token';

async function start(t: TestContext, options: OktaSimulatorOptions = {}): Promise<RunningOktaSimulator> {
  const sim = await startOktaSimulator({ apiTokens: [token], ...options });
  t.after(() => sim.close());
  return sim;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read Okta's JSON
async function get(sim: RunningOktaSimulator, path: string, auth = `SSWS ${token}`): Promise<{ status: number; headers: Headers; body: any; next?: string }> {
  const res = await fetch(path.startsWith('http') ? path : `${sim.origin}${path}`, { headers: { authorization: auth, accept: 'application/json' } });
  const next = /<([^>]+)>; rel="next"/.exec(res.headers.get('link') ?? '')?.[1];
  return { status: res.status, headers: res.headers, body: await res.json(), ...(next ? { next } : {}) };
}

async function all(sim: RunningOktaSimulator, path: string) {
  const items: Record<string, unknown>[] = [];
  let url: string | undefined = path;
  let pages = 0;
  while (url) {
    const page = await get(sim, url);
    assert.equal(page.status, 200, JSON.stringify(page.body));
    items.push(...page.body);
    pages += 1;
    url = page.next;
  }
  return { items, pages };
}

const person = (i: number) => ({ firstName: `F${i}`, lastName: `L${i}`, login: `u${i}@acme.example`, email: `u${i}@acme.example` });

describe('Okta simulator', () => {
  it('takes SSWS tokens; an unknown one is 401 E0000011', async (t) => {
    const sim = await start(t);
    assert.equal((await get(sim, '/api/v1/users')).status, 200);
    const refused = await get(sim, '/api/v1/users', 'SSWS wrong');
    assert.equal(refused.status, 401);
    assert.equal(refused.body.errorCode, 'E0000011');
  });

  it('OAuth2 service apps: client credentials with okta.* scopes; a token without the scope an endpoint needs is 403 E0000006', async (t) => {
    const sim = await start(t, { oauthClients: [{ clientId: 'svc', clientSecret: 'shh', scopes: ['okta.users.read'] }] });
    const tokenFor = async (scope: string) => {
      const res = await fetch(`${sim.origin}/oauth2/v1/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('svc:shh').toString('base64')}` }, body: `grant_type=client_credentials&scope=${encodeURIComponent(scope)}` });
      return { status: res.status, body: (await res.json()) as Record<string, string> };
    };
    assert.equal((await tokenFor('okta.groups.read')).status, 400);
    const granted = await tokenFor('okta.users.read');
    assert.equal(granted.status, 200);
    assert.equal((await get(sim, '/api/v1/users', `Bearer ${granted.body.access_token}`)).status, 200);
    const noScope = await get(sim, '/api/v1/groups', `Bearer ${granted.body.access_token}`);
    assert.equal(noScope.status, 403);
    assert.equal(noScope.body.errorCode, 'E0000006');
    assert.match(noScope.headers.get('www-authenticate') ?? '', /insufficient_scope/);
  });

  it('pages users by Link rel="next" with limit at most 200 (a larger limit is cut silently)', async (t) => {
    const sim = await start(t);
    for (let i = 0; i < 450; i += 1) sim.tenant.addUser(person(i));
    const first = await get(sim, '/api/v1/users?limit=1000');
    assert.equal(first.body.length, 200);
    assert.match(first.next ?? '', /after=00u/);
    assert.match(first.headers.get('link') ?? '', /rel="self"/);
    const { items, pages } = await all(sim, '/api/v1/users?limit=200');
    assert.equal(items.length, 450);
    assert.equal(pages, 3);
    assert.equal(new Set(items.map((u) => u.id)).size, 450);
  });

  it('knows every status; a plain list leaves DEPROVISIONED users out, a status filter reaches them', async (t) => {
    const sim = await start(t);
    OKTA_STATUSES.forEach((status, i) => sim.tenant.addUser(person(i), status));
    const plain = await all(sim, '/api/v1/users');
    assert.equal(plain.items.length, OKTA_STATUSES.length - 1);
    assert.ok(!plain.items.some((u) => u.status === 'DEPROVISIONED'));
    const gone = await all(sim, `/api/v1/users?filter=${encodeURIComponent('status eq "DEPROVISIONED"')}`);
    assert.deepEqual(gone.items.map((u) => u.status), ['DEPROVISIONED']);
    const bad = await get(sim, `/api/v1/users?filter=${encodeURIComponent('status eq "GONE"')}`);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.errorCode, 'E0000031');
  });

  it('filter=lastUpdated gt "…" returns what changed since (deprovisioned included); a date without milliseconds is refused', async (t) => {
    const sim = await start(t);
    const users = Array.from({ length: 5 }, (_, i) => sim.tenant.addUser(person(i)));
    const cursor = users[4]?.lastUpdated ?? '';
    sim.tenant.updateProfile(users[1]?.id ?? '', { department: 'Finance' });
    sim.tenant.setStatus(users[2]?.id ?? '', 'DEPROVISIONED');
    const since = await all(sim, `/api/v1/users?filter=${encodeURIComponent(`lastUpdated gt "${cursor}"`)}`);
    assert.deepEqual(since.items.map((u) => u.id).sort(), [users[1]?.id, users[2]?.id].sort());
    const bad = await get(sim, `/api/v1/users?filter=${encodeURIComponent('lastUpdated gt "2026-01-01T00:00:00Z"')}`);
    assert.equal(bad.status, 400);
    assert.match(bad.body.errorCauses[0].errorSummary, /yyyy-MM-ddTHH:mm:ss.SSSZ/);
  });

  it('groups, members (paged), groups changed by membership, and app assignments with their scope', async (t) => {
    const sim = await start(t, { groupUsersLimit: { default: 2, max: 2 } });
    const users = Array.from({ length: 5 }, (_, i) => sim.tenant.addUser(person(i)));
    const group = sim.tenant.addGroup('vpn-users');
    sim.tenant.addGroup('other');
    for (const u of users.slice(0, 3)) sim.tenant.addMember(group.id, u.id);
    const members = await all(sim, `/api/v1/groups/${group.id}/users`);
    assert.equal(members.items.length, 3);
    assert.equal(members.pages, 2);
    const cursor = new Date(Date.now() + 5).toISOString();
    await new Promise((r) => setTimeout(r, 10));
    sim.tenant.addMember(group.id, users[4]?.id ?? '');
    const changed = await all(sim, `/api/v1/groups?filter=${encodeURIComponent(`lastUpdated gt "${cursor}" or lastMembershipUpdated gt "${cursor}"`)}`);
    assert.deepEqual(changed.items.map((g) => g.id), [group.id]);
    const app = sim.tenant.addApp('Zscaler');
    sim.tenant.assignGroup(app.id, group.id);
    sim.tenant.assignUser(app.id, users[3]?.id ?? '');
    const assigned = await all(sim, `/api/v1/apps/${app.id}/users`);
    assert.equal(assigned.items.length, 5);
    assert.equal(assigned.items.find((a) => a.id === users[3]?.id)?.scope, 'USER');
    assert.equal(assigned.items.find((a) => a.id === users[0]?.id)?.scope, 'GROUP');
    sim.tenant.removeMember(group.id, users[0]?.id ?? '');
    assert.equal((await all(sim, `/api/v1/apps/${app.id}/users`)).items.length, 4, 'a group assignment goes with the group');
  });

  it('rate limits per endpoint: x-rate-limit-* on every answer (reset in epoch seconds), 429 E0000047 when spent, other endpoints unaffected', async (t) => {
    const sim = await start(t, { rateLimits: [{ name: 'users', prefixes: ['/api/v1/users'], limit: 2, windowMs: 2000 }, { name: 'groups', prefixes: ['/api/v1/groups'], limit: 5, windowMs: 2000 }] });
    const first = await get(sim, '/api/v1/users');
    assert.equal(first.headers.get('x-rate-limit-limit'), '2');
    assert.equal(first.headers.get('x-rate-limit-remaining'), '1');
    const reset = Number(first.headers.get('x-rate-limit-reset'));
    assert.ok(reset > Date.now() / 1000 - 1 && reset < Date.now() / 1000 + 5, `epoch seconds: ${reset}`);
    await get(sim, '/api/v1/users');
    const refused = await get(sim, '/api/v1/users');
    assert.equal(refused.status, 429);
    assert.equal(refused.body.errorCode, 'E0000047');
    assert.equal(refused.headers.get('retry-after'), null);
    assert.equal(refused.headers.get('x-rate-limit-remaining'), '0');
    assert.equal((await get(sim, '/api/v1/groups')).status, 200);
  });
});
