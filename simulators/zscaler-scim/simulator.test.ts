import { it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { generateUsers, startZiaScimSimulator, type RunningZiaScimSimulator, type ZiaScimSimulatorOptions } from './index.ts';

const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

async function start(t: TestContext, options: ZiaScimSimulatorOptions = {}): Promise<RunningZiaScimSimulator> {
  const sim = await startZiaScimSimulator({ orgId: '111', idpId: '222', ...options, scim: { token: 'zia-scim-token', ...options.scim } });
  t.after(() => sim.close());
  return sim;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON
async function call(sim: RunningZiaScimSimulator, method: string, path: string, body?: unknown, token: string | null = 'zia-scim-token'): Promise<{ status: number; headers: Headers; body: any }> {
  const headers: Record<string, string> = {};
  if (token) headers['authorization'] = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/scim+json';
  const res = await fetch(`${sim.baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

it('serves SCIM at /<orgId>/<idpId>/scim with a bearer token; discovery needs none', async (t) => {
  const sim = await start(t, { scim: { rateLimit: undefined } });
  assert.equal(sim.baseUrl, `${sim.origin}/111/222/scim`);
  assert.equal((await call(sim, 'GET', '/Users', undefined, null)).status, 401);
  assert.equal((await call(sim, 'GET', '/Users', undefined, 'wrong')).status, 401);
  assert.equal((await call(sim, 'GET', '/Users')).status, 200);
  const spc = await call(sim, 'GET', '/ServiceProviderConfig', undefined, null);
  assert.equal(spc.status, 200);
  assert.equal(spc.body.filter.maxResults, 1000);
  assert.equal((await call(sim, 'GET', '/ResourceTypes', undefined, null)).status, 200);
  assert.equal((await call(sim, 'GET', '/Schemas', undefined, null)).status, 200);
});

it('answers up to 1,000 users a page', async (t) => {
  const sim = await start(t, { scim: { rateLimit: undefined } });
  sim.scim.store.seedUsers(generateUsers(1500));
  const first = await call(sim, 'GET', '/Users?startIndex=1&count=5000');
  assert.equal(first.body.Resources.length, 1000);
  assert.equal(first.body.totalResults, 1500);
  assert.equal((await call(sim, 'GET', '/Users?startIndex=1001&count=1000')).body.Resources.length, 500);
});

it('filters users only with eq on userName, externalId or id (groups: displayName, externalId, id)', async (t) => {
  const sim = await start(t, { scim: { rateLimit: undefined } });
  const [user] = sim.scim.store.seedUsers(generateUsers(3));
  sim.scim.store.seedGroups([{ displayName: 'Sales' }]);
  const q = (resource: string, filter: string) => call(sim, 'GET', `/${resource}?filter=${encodeURIComponent(filter)}`);
  for (const filter of [`userName eq "${String(user?.attrs['userName'])}"`, `externalId eq "${String(user?.attrs['externalId'])}"`, `id eq "${user?.id}"`]) {
    const found = await q('Users', filter);
    assert.equal(found.status, 200, filter);
    assert.equal(found.body.totalResults, 1, filter);
  }
  for (const filter of ['emails.value eq "a@example.com"', 'emails eq "a@example.com"', 'displayName eq "x"', 'userName sw "a"', 'userName eq "a" or userName eq "b"', 'active eq true']) {
    const refused = await q('Users', filter);
    assert.equal(refused.status, 400, filter);
    assert.equal(refused.body.scimType, 'invalidFilter', filter);
  }
  assert.equal((await q('Groups', 'displayName eq "Sales"')).body.totalResults, 1);
  assert.equal((await q('Groups', 'displayName co "Sal"')).status, 400);
});

it('a user can be in at most 128 groups: the 129th is refused and nothing changes', async (t) => {
  const sim = await start(t, { scim: { rateLimit: undefined } });
  const [user, other] = sim.scim.store.seedUsers(generateUsers(2));
  const uid = user?.id ?? '';
  sim.scim.store.seedGroups(Array.from({ length: 128 }, (_, i) => ({ displayName: `G${i}`, members: [{ value: uid }] })));
  const [extra] = sim.scim.store.seedGroups([{ displayName: 'One too many', members: [{ value: other?.id }] }]);
  const patched = await call(sim, 'PATCH', `/Groups/${extra?.id}`, { schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: [{ value: uid }] }] });
  assert.equal(patched.status, 400);
  assert.match(patched.body.detail, /at most 128 groups per user/);
  assert.deepEqual((await call(sim, 'GET', `/Groups/${extra?.id}`)).body.members.map((m: { value: string }) => m.value), [other?.id]);
  assert.equal(sim.scim.store.groupIdsOf(uid).size, 128);
  const posted = await call(sim, 'POST', '/Groups', { schemas: [GROUP], displayName: 'New', members: [{ value: uid }] });
  assert.equal(posted.status, 400);
  assert.equal(sim.scim.store.groupCount, 129, 'the refused group was not kept');
  // Re-adding to a group the user is already in is no new membership.
  const [g0] = sim.scim.store.listGroups();
  assert.equal((await call(sim, 'PUT', `/Groups/${g0?.id}`, { schemas: [GROUP], displayName: 'G0', members: [{ value: uid }, { value: other?.id }] })).status, 200);
});

it('5 requests a second: the sixth in a second is 429 with Retry-After', async (t) => {
  const sim = await start(t);
  const answers = [];
  for (let i = 0; i < 6; i++) answers.push(await call(sim, 'GET', '/Users'));
  assert.deepEqual(answers.map((a) => a.status), [200, 200, 200, 200, 200, 429]);
  assert.equal(answers[0]?.headers.get('ratelimit-limit'), '5');
  assert.equal(answers[5]?.headers.get('retry-after'), '1');
});
