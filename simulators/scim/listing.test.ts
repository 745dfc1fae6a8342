import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateUsers } from './generate.ts';
import { SCIM } from './protocol.ts';
import { api, groupBody, startForTest } from './testing.ts';

test('paging: count is capped to maxPageSize, order is creation order, totalResults is the whole set', async (t) => {
  const sim = await startForTest(t, { maxPageSize: 50 });
  const seeded = sim.store.seedUsers(generateUsers(230));
  const call = api(sim);
  const seen: string[] = [];
  let startIndex = 1;
  for (;;) {
    const page = await call('GET', `/Users?startIndex=${startIndex}&count=500`);
    assert.equal(page.status, 200);
    assert.deepEqual(page.body.schemas, [SCIM.listResponse]);
    assert.equal(page.body.totalResults, 230);
    assert.equal(page.body.startIndex, startIndex);
    assert.ok(page.body.itemsPerPage <= 50);
    assert.equal(page.body.itemsPerPage, page.body.Resources.length);
    seen.push(...page.body.Resources.map((r: { id: string }) => r.id));
    if (page.body.itemsPerPage < 50) break;
    startIndex += page.body.itemsPerPage;
  }
  assert.deepEqual(seen, seeded.map((u) => u.id));
  assert.equal(sim.requests.count({ method: 'GET', pathIncludes: '/Users' }), 5);
});

test('paging stays stable while users change, and deleted users drop out', async (t) => {
  const sim = await startForTest(t);
  const [a, b, c] = sim.store.seedUsers(generateUsers(3));
  const call = api(sim);
  await call('PUT', `/Users/${a?.id}`, { schemas: [SCIM.user], userName: 'renamed@example.com' });
  await call('DELETE', `/Users/${b?.id}`);
  await call('POST', '/Users', { schemas: [SCIM.user], userName: 'new@example.com' });
  const list = await call('GET', '/Users');
  assert.deepEqual(
    list.body.Resources.map((r: { userName: string }) => r.userName),
    ['renamed@example.com', c?.attrs['userName'], 'new@example.com'],
  );
});

test('count=0 answers totalResults only; startIndex below 1 counts as 1; past the end is an empty page', async (t) => {
  const sim = await startForTest(t);
  sim.store.seedUsers(generateUsers(7));
  const call = api(sim);
  const none = await call('GET', '/Users?count=0');
  assert.equal(none.body.totalResults, 7);
  assert.equal(none.body.itemsPerPage, 0);
  assert.deepEqual(none.body.Resources, []);
  const low = await call('GET', '/Users?startIndex=-5&count=2');
  assert.equal(low.body.startIndex, 1);
  assert.equal(low.body.itemsPerPage, 2);
  const past = await call('GET', '/Users?startIndex=100');
  assert.equal(past.body.totalResults, 7);
  assert.deepEqual(past.body.Resources, []);
  const bad = await call('GET', '/Users?count=ten');
  assert.equal(bad.status, 400);
  assert.equal(bad.body.scimType, 'invalidValue');
});

test('filter userName eq matches case-insensitively', async (t) => {
  const sim = await startForTest(t);
  const [first] = sim.store.seedUsers(generateUsers(500));
  const call = api(sim);
  const upper = String(first?.attrs['userName']).toUpperCase();
  const found = await call('GET', `/Users?filter=${encodeURIComponent(`userName eq "${upper}"`)}`);
  assert.equal(found.status, 200);
  assert.equal(found.body.totalResults, 1);
  assert.equal(found.body.Resources[0].id, first?.id);
  const missing = await call('GET', `/Users?filter=${encodeURIComponent('userName eq "nobody@example.com"')}`);
  assert.equal(missing.body.totalResults, 0);
  assert.deepEqual(missing.body.Resources, []);
});

test('richer filters: extension attributes, value paths, and/or/not, id is case-exact', async (t) => {
  const sim = await startForTest(t);
  const users = sim.store.seedUsers(generateUsers(300));
  const call = api(sim);
  const count = async (filter: string) => {
    const res = await call('GET', `/Users?count=0&filter=${encodeURIComponent(filter)}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.totalResults as number;
  };
  const dept = (u: (typeof users)[number]) => (u.attrs[SCIM.enterpriseUser] as { department: string }).department;
  const engineers = users.filter((u) => dept(u) === 'Engineering').length;
  assert.ok(engineers > 0);
  assert.equal(await count(`${SCIM.enterpriseUser}:department eq "engineering"`), engineers);
  const activeEngineers = users.filter((u) => dept(u) === 'Engineering' && u.attrs['active'] === true).length;
  assert.equal(await count(`${SCIM.enterpriseUser}:department eq "Engineering" and active eq true`), activeEngineers);
  assert.equal(await count('not (active eq true)'), users.filter((u) => u.attrs['active'] !== true).length);
  const target = users[42];
  assert.equal(await count(`emails[type eq "work" and value eq "${String(target?.attrs['userName'])}"]`), 1);
  assert.equal(await count(`id eq "${target?.id}"`), 1);
  assert.equal(await count(`id eq "${target?.id.toUpperCase()}"`), 0);
  const externalId = String(target?.attrs['externalId']);
  assert.equal(await count(`externalId eq "${externalId}"`), 1);
  assert.equal(await count(`externalId eq "${externalId.toUpperCase()}"`), 0, 'externalId is case-exact');
  const title = String(target?.attrs['title']);
  assert.equal(await count(`title eq "${title.toUpperCase()}"`), users.filter((u) => u.attrs['title'] === title).length);
  assert.equal(await count('userName sw "ada."'), users.filter((u) => String(u.attrs['userName']).startsWith('ada.')).length);
});

test('an unsupported operator (RSA allows only eq) answers 400 invalidFilter', async (t) => {
  const sim = await startForTest(t, { supportedFilterOperators: ['eq'] });
  sim.store.seedUsers(generateUsers(3));
  const call = api(sim);
  const ok = await call('GET', `/Users?filter=${encodeURIComponent('userName eq "ada.abara@example.com"')}`);
  assert.equal(ok.status, 200);
  for (const filter of ['userName sw "ada"', 'userName eq "a" or userName eq "b"', 'title pr']) {
    const refused = await call('GET', `/Users?filter=${encodeURIComponent(filter)}`);
    assert.equal(refused.status, 400, filter);
    assert.deepEqual(refused.body.schemas, [SCIM.error]);
    assert.equal(refused.body.scimType, 'invalidFilter');
  }
  sim.settings.supportedFilterOperators = ['eq', 'sw'];
  assert.equal((await call('GET', `/Users?filter=${encodeURIComponent('userName sw "ada"')}`)).status, 200, 'settings change at runtime');
});

test('filterableAttributes limits what a filter may name; a malformed filter is invalidFilter', async (t) => {
  const sim = await startForTest(t, { filterableAttributes: ['userName', 'emails', 'id'] });
  const call = api(sim);
  const q = (filter: string) => call('GET', `/Users?filter=${encodeURIComponent(filter)}`);
  assert.equal((await q('userName eq "x"')).status, 200);
  assert.equal((await q(`${SCIM.user}:userName eq "x"`)).status, 200);
  assert.equal((await q('emails.value eq "x"')).status, 200);
  assert.equal((await q('emails[type eq "work"].value eq "x"')).status, 200);
  const refused = await q('displayName eq "x"');
  assert.equal(refused.status, 400);
  assert.equal(refused.body.scimType, 'invalidFilter');
  const broken = await q('userName eq');
  assert.equal(broken.status, 400);
  assert.equal(broken.body.scimType, 'invalidFilter');
});

test('groups: excludedAttributes=members leaves members out; filter by displayName', async (t) => {
  const sim = await startForTest(t);
  const users = sim.store.seedUsers(generateUsers(5));
  sim.store.seedGroups([{ displayName: 'Admins', members: users.slice(0, 2).map((u) => ({ value: u.id })) }, { displayName: 'Everyone' }]);
  const call = api(sim);
  const full = await call('GET', '/Groups');
  assert.equal(full.body.totalResults, 2);
  assert.equal(full.body.Resources[0].members.length, 2);
  assert.equal(full.body.Resources[0].members[0].display, users[0]?.attrs['displayName']);
  const slim = await call('GET', '/Groups?excludedAttributes=members');
  assert.equal(slim.body.Resources[0].members, undefined);
  assert.equal(slim.body.Resources[0].displayName, 'Admins');
  const byName = await call('GET', `/Groups?filter=${encodeURIComponent('displayName eq "admins"')}`);
  assert.equal(byName.body.totalResults, 1);
  const byMember = await call('GET', `/Groups?filter=${encodeURIComponent(`members.value eq "${users[1]?.id}"`)}`);
  assert.equal(byMember.body.Resources[0].displayName, 'Admins');
});

test('POST /.search takes the list parameters in a SearchRequest body', async (t) => {
  const sim = await startForTest(t);
  const users = sim.store.seedUsers(generateUsers(20));
  const res = await api(sim)('POST', '/Users/.search', {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
    filter: 'active pr',
    startIndex: 3,
    count: 2,
    attributes: ['userName'],
  });
  assert.equal(res.status, 200);
  assert.equal(res.body.totalResults, 20);
  assert.deepEqual(res.body.Resources, [
    { schemas: [SCIM.user, SCIM.enterpriseUser], id: users[2]?.id, userName: users[2]?.attrs['userName'] },
    { schemas: [SCIM.user, SCIM.enterpriseUser], id: users[3]?.id, userName: users[3]?.attrs['userName'] },
  ]);
});

test('a sync of 10,000 users makes exactly 100 list requests at the default page size', async (t) => {
  const sim = await startForTest(t);
  sim.store.seedUsers(generateUsers(10_000));
  const call = api(sim);
  const ids = new Set<string>();
  for (let startIndex = 1; startIndex <= 10_000; startIndex += 100) {
    const page = await call('GET', `/Users?startIndex=${startIndex}&count=100&attributes=userName`);
    for (const r of page.body.Resources) ids.add(r.id);
  }
  assert.equal(ids.size, 10_000);
  assert.equal(sim.requests.count({ method: 'GET', pathIncludes: '/scim/v2/Users' }), 100);
  assert.ok(sim.requests.entries.every((r) => r.status === 200));
});

test('groups can be turned off: /Groups answers 404 and discovery leaves Group out', async (t) => {
  const sim = await startForTest(t, { groups: false });
  const call = api(sim);
  const list = await call('GET', '/Groups');
  assert.equal(list.status, 404);
  assert.deepEqual(list.body.schemas, [SCIM.error]);
  assert.equal((await call('POST', '/Groups', groupBody('X'))).status, 404);
  const types = await call('GET', '/ResourceTypes', undefined, { anonymous: true });
  assert.deepEqual(types.body.Resources.map((r: { id: string }) => r.id), ['User']);
  const user = await call('POST', '/Users', { schemas: [SCIM.user], userName: 'solo@example.com' });
  assert.equal(user.body.groups, undefined);
});
