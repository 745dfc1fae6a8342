import { it } from 'node:test';
import assert from 'node:assert/strict';
import { generateUsers } from './index.ts';
import { client, startForTest } from './testing.ts';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

it('pages users with startIndex and count, with totalResults', async (t) => {
  const sim = await startForTest(t);
  sim.scim.store.seedUsers(generateUsers(250));
  const call = client(sim);
  const first = await call('GET', '/api/v2/scim/Users?startIndex=1&count=100');
  assert.equal(first.body.totalResults, 250);
  assert.equal(first.body.Resources.length, 100);
  const last = await call('GET', '/api/v2/scim/Users?startIndex=201&count=100');
  assert.equal(last.body.Resources.length, 50);
  assert.equal(last.body.startIndex, 201);
  const byName = await call('GET', `/api/v2/scim/Users?filter=${encodeURIComponent(`userName eq "${first.body.Resources[3].userName}"`)}`);
  assert.deepEqual(byName.body.Resources.map((u: { id: string }) => u.id), [first.body.Resources[3].id]);
});

it('POST answers 201; the same userName again answers 409', async (t) => {
  const sim = await startForTest(t);
  const call = client(sim);
  const body = { schemas: [USER], userName: 'jane@acme.example', name: { givenName: 'Jane', familyName: 'Doe' }, active: true };
  const created = await call('POST', '/api/v2/scim/Users', body);
  assert.equal(created.status, 201);
  assert.match(created.body.id, /^[0-9a-f-]{36}$/);
  assert.ok(created.body.meta.location.startsWith(`${sim.baseUrl}/Users/`));
  const again = await call('POST', '/api/v2/scim/Users', { ...body, userName: 'JANE@acme.example' });
  assert.equal(again.status, 409);
  assert.equal(again.body.scimType, 'uniqueness');
});

it('PATCH answers 204 with an empty body, and the change is there on the next read', async (t) => {
  const sim = await startForTest(t);
  const call = client(sim);
  const created = await call('POST', '/api/v2/scim/Users', { schemas: [USER], userName: 'pat@acme.example', title: 'Engineer', active: true });
  const patched = await call('PATCH', `/api/v2/scim/Users/${created.body.id}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'active', value: false }] });
  assert.equal(patched.status, 204);
  assert.equal(patched.text, '');
  const read = await call('GET', `/api/v2/scim/Users/${created.body.id}`);
  assert.equal(read.body.active, false);
  assert.equal(read.body.title, 'Engineer');
});

it('PUT replaces the whole user: fields left out are cleared', async (t) => {
  const sim = await startForTest(t);
  const call = client(sim);
  const created = await call('POST', '/api/v2/scim/Users', { schemas: [USER], userName: 'put@acme.example', title: 'Engineer', displayName: 'Put Me', active: true });
  const put = await call('PUT', `/api/v2/scim/Users/${created.body.id}`, { schemas: [USER], userName: 'put@acme.example', active: true });
  assert.equal(put.status, 200);
  const read = await call('GET', `/api/v2/scim/Users/${created.body.id}`);
  assert.equal(read.body.title, undefined);
  assert.equal(read.body.displayName, undefined);
});

it('users carry no groups; groups leave out members unless asked with ?attributes=members', async (t) => {
  const sim = await startForTest(t);
  const call = client(sim);
  const user = await call('POST', '/api/v2/scim/Users', { schemas: [USER], userName: 'g@acme.example', active: true });
  const group = await call('POST', '/api/v2/scim/Groups', { schemas: [GROUP], displayName: 'Security', members: [{ value: user.body.id }] });
  assert.equal(group.status, 201);
  assert.equal((await call('GET', `/api/v2/scim/Users/${user.body.id}`)).body.groups, undefined);
  assert.equal((await call('GET', `/api/v2/scim/Groups/${group.body.id}`)).body.members, undefined);
  assert.equal((await call('GET', '/api/v2/scim/Groups')).body.Resources[0].members, undefined);
  const asked = await call('GET', '/api/v2/scim/Groups?attributes=members');
  assert.deepEqual(asked.body.Resources[0].members.map((m: { value: string }) => m.value), [user.body.id]);
  // Removal in the form Netskope's own plugin sends: path members, the ids in value.
  const removed = await call('PATCH', `/api/v2/scim/Groups/${group.body.id}`, { schemas: [PATCH], Operations: [{ op: 'remove', path: 'members', value: [{ value: user.body.id }] }] });
  assert.equal(removed.status, 204);
  assert.equal((await call('GET', `/api/v2/scim/Groups/${group.body.id}?attributes=members`)).body.members, undefined);
});

it('membership reaches policy only after policyDelayMs', async (t) => {
  const sim = await startForTest(t, { policyDelayMs: 150 });
  const call = client(sim);
  const user = await call('POST', '/api/v2/scim/Users', { schemas: [USER], userName: 'p@acme.example', active: true });
  await call('POST', '/api/v2/scim/Groups', { schemas: [GROUP], displayName: 'Web', members: [{ value: user.body.id }] });
  assert.deepEqual(sim.policyGroups(), []);
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.deepEqual(sim.policyGroups().map((g) => [g.displayName, g.members]), [['Web', [user.body.id]]]);
});

it('user PATCH takes a fixed list of paths, no value filters; a refused PATCH changes nothing', async (t) => {
  const sim = await startForTest(t);
  const call = client(sim);
  const created = await call('POST', '/api/v2/scim/Users', { schemas: [USER], userName: 'fix@acme.example', title: 'Engineer', active: true, emails: [{ value: 'fix@acme.example', type: 'work', primary: true }] });
  const id = created.body.id;
  const patch = (...Operations: unknown[]) => call('PATCH', `/api/v2/scim/Users/${id}`, { schemas: [PATCH], Operations });
  const filtered = await patch({ op: 'replace', path: 'emails[type eq "work"].value', value: 'new@acme.example' });
  assert.equal(filtered.status, 400);
  assert.equal(filtered.body.scimType, 'invalidPath');
  assert.match(filtered.body.detail, /Value filters are not supported/);
  const title = await patch({ op: 'replace', path: 'active', value: false }, { op: 'replace', path: 'title', value: 'Boss' });
  assert.equal(title.status, 400);
  assert.match(title.body.detail, /Unsupported PATCH path 'title' for Users; supported: username, active/);
  const pathless = await patch({ op: 'replace', value: { title: 'Boss' } });
  assert.equal(pathless.status, 400);
  const unchanged = await call('GET', `/api/v2/scim/Users/${id}`);
  assert.equal(unchanged.body.active, true, 'nothing of a refused PATCH is applied');
  assert.equal(unchanged.body.title, 'Engineer');
  const ok = await patch(
    { op: 'replace', path: 'emails', value: [{ value: 'new@acme.example', type: 'work', primary: true }] },
    { op: 'replace', path: 'Name.GivenName', value: 'Fix' },
    { op: 'replace', value: { active: false, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'Security' } } },
  );
  assert.equal(ok.status, 204);
  const read = await call('GET', `/api/v2/scim/Users/${id}`);
  assert.equal(read.body.emails[0].value, 'new@acme.example');
  assert.equal(read.body.name.givenName, 'Fix');
  assert.equal(read.body.active, false);
});

it('group PATCH takes members, externalid and displayname; a member filter path is refused', async (t) => {
  const sim = await startForTest(t);
  const call = client(sim);
  const user = await call('POST', '/api/v2/scim/Users', { schemas: [USER], userName: 'm@acme.example', active: true });
  const group = await call('POST', '/api/v2/scim/Groups', { schemas: [GROUP], displayName: 'Ops', members: [{ value: user.body.id }] });
  const byFilter = await call('PATCH', `/api/v2/scim/Groups/${group.body.id}`, { schemas: [PATCH], Operations: [{ op: 'remove', path: `members[value eq "${user.body.id}"]` }] });
  assert.equal(byFilter.status, 400);
  assert.equal(byFilter.body.scimType, 'invalidPath');
  assert.equal(sim.scim.store.getGroup(group.body.id)?.attrs['members'] !== undefined, true, 'still a member');
  const renamed = await call('PATCH', `/api/v2/scim/Groups/${group.body.id}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'displayname', value: 'Operations' }] });
  assert.equal(renamed.status, 204);
  assert.equal(sim.scim.store.getGroup(group.body.id)?.attrs['displayName'], 'Operations');
});
