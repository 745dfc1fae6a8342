import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateUsers } from './generate.ts';
import { SCIM } from './protocol.ts';
import { api, groupBody, startForTest, userBody } from './testing.ts';

const ids = (body: { Resources: { id: string }[] }) => body.Resources.map((r) => r.id);

test("totalResults: 'page' says the page is everything", async (t) => {
  const sim = await startForTest(t, { maxPageSize: 50, totalResults: 'page' });
  sim.store.seedUsers(generateUsers(194));
  const call = api(sim);
  const first = await call('GET', '/Users?startIndex=1&count=50');
  assert.equal(first.body.totalResults, 50);
  assert.equal(first.body.Resources.length, 50);
  const last = await call('GET', '/Users?startIndex=151&count=50');
  assert.equal(last.body.totalResults, 44);
  const past = await call('GET', '/Users?startIndex=195&count=50');
  assert.equal(past.body.totalResults, 0);
});

test("totalResults: 'counts-deleted' keeps counting what is gone, so the pages run dry first", async (t) => {
  const sim = await startForTest(t, { maxPageSize: 50, totalResults: 'counts-deleted' });
  const [gone] = sim.store.seedUsers(generateUsers(120));
  const call = api(sim);
  assert.equal((await call('DELETE', `/Users/${gone!.id}`)).status, 204);
  const last = await call('GET', '/Users?startIndex=101&count=50');
  assert.equal(last.body.totalResults, 120);
  assert.equal(last.body.Resources.length, 19);
  assert.deepEqual((await call('GET', '/Users?startIndex=120&count=50')).body.Resources, []);
  const filtered = await call('GET', `/Users?filter=${encodeURIComponent('userName pr')}`);
  assert.equal(filtered.body.totalResults, 119, 'a filtered list counts true');
});

test("startIndex: 'ignored' answers the first page every time, saying so; 'ignored-echoed' hides it", async (t) => {
  const sim = await startForTest(t, { maxPageSize: 20, startIndex: 'ignored' });
  sim.store.seedUsers(generateUsers(200));
  const call = api(sim);
  const first = await call('GET', '/Users?startIndex=1&count=20');
  const second = await call('GET', '/Users?startIndex=21&count=20');
  assert.deepEqual(ids(second.body), ids(first.body));
  assert.equal(second.body.startIndex, 1);
  assert.equal(second.body.totalResults, 200);
  sim.settings.startIndex = 'ignored-echoed';
  const echoed = await call('GET', '/Users?startIndex=41&count=20');
  assert.equal(echoed.body.startIndex, 41);
  assert.deepEqual(ids(echoed.body), ids(first.body));
});

test("filtering: 'ignored' says filter.supported false and answers the whole list to a filter", async (t) => {
  const sim = await startForTest(t, { filtering: 'ignored' });
  sim.store.seedUsers(generateUsers(5));
  const call = api(sim);
  const config = await call('GET', '/ServiceProviderConfig', undefined, { anonymous: true });
  assert.equal(config.body.filter.supported, false);
  const filtered = await call('GET', `/Users?filter=${encodeURIComponent('userName eq "nobody@example.com"')}`);
  assert.equal(filtered.status, 200);
  assert.equal(filtered.body.totalResults, 5);
});

test("filtering: 'ignored-unsaid' claims filtering and still ignores it", async (t) => {
  const sim = await startForTest(t, { filtering: 'ignored-unsaid' });
  sim.store.seedUsers(generateUsers(3));
  const call = api(sim);
  assert.equal((await call('GET', '/ServiceProviderConfig', undefined, { anonymous: true })).body.filter.supported, true);
  assert.equal((await call('GET', `/Users?filter=${encodeURIComponent('userName eq "x"')}`)).body.totalResults, 3);
});

test("filtering: 'refused' answers a filter with 400 invalidFilter", async (t) => {
  const sim = await startForTest(t, { filtering: 'refused' });
  const call = api(sim);
  assert.equal((await call('GET', '/ServiceProviderConfig', undefined, { anonymous: true })).body.filter.supported, false);
  const refused = await call('GET', `/Users?filter=${encodeURIComponent('userName eq "x"')}`);
  assert.equal(refused.status, 400);
  assert.equal(refused.body.scimType, 'invalidFilter');
  assert.equal((await call('GET', '/Users')).status, 200);
});

test("projectedMembers: 'empty' answers attributes=members with [{}, {}]; a whole read shows who", async (t) => {
  const sim = await startForTest(t, { projectedMembers: 'empty' });
  const [a, b] = sim.store.seedUsers(generateUsers(2));
  const call = api(sim);
  const group = await call('POST', '/Groups', groupBody('Engineers', [a!.id, b!.id]));
  const projected = await call('GET', `/Groups/${group.body.id}?attributes=members`);
  assert.deepEqual(projected.body.members, [{}, {}]);
  const listed = await call('GET', '/Groups?attributes=displayName,members');
  assert.deepEqual(listed.body.Resources[0].members, [{}, {}]);
  const whole = await call('GET', `/Groups/${group.body.id}`);
  assert.deepEqual(
    whole.body.members.map((m: { value: string }) => m.value),
    [a!.id, b!.id],
  );
});

test('requiredUserAttributes: a create without them is refused and nothing is stored', async (t) => {
  const sim = await startForTest(t, { requiredUserAttributes: ['name.givenName', 'name.familyName', 'displayName'] });
  const call = api(sim);
  const refused = await call('POST', '/Users', userBody('jane@example.com', { displayName: 'Jane Doe' }));
  assert.equal(refused.status, 400);
  assert.equal(refused.body.scimType, 'invalidValue');
  assert.match(refused.body.detail, /name\.givenName, name\.familyName/);
  assert.equal(sim.store.userCount, 0);
  const created = await call('POST', '/Users', { schemas: [SCIM.user], userName: 'jane@example.com', displayName: 'Jane Doe', name: { givenName: 'Jane', familyName: 'Doe' } });
  assert.equal(created.status, 201);
});
