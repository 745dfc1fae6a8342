import { it } from 'node:test';
import assert from 'node:assert/strict';
import { generateUsers } from './index.ts';
import { client, PATCH, rsaUser, startForTest, TEST_SECRET, USER } from './testing.ts';

it('only the published client secret works: a generated one is refused until Publish Changes, then the old one is', async (t) => {
  const sim = await startForTest(t);
  const call = client(sim);
  assert.equal((await call('GET', '/Users')).status, 200);
  assert.equal((await call('GET', '/Users', undefined, null)).status, 401);
  const fresh = sim.generateSecret();
  const early = await call('GET', '/Users', undefined, fresh);
  assert.equal(early.status, 401);
  assert.equal(early.body.status, '401');
  assert.equal((await call('GET', '/Users', undefined, TEST_SECRET)).status, 200, 'the old secret works until the new one is published');
  sim.publishChanges();
  assert.equal((await call('GET', '/Users', undefined, fresh)).status, 200);
  assert.equal((await call('GET', '/Users', undefined, TEST_SECRET)).status, 401);
});

it('create needs userName and a work email; answers 201; a duplicate userName is 409', async (t) => {
  const sim = await startForTest(t);
  const call = client(sim);
  const noEmail = await call('POST', '/Users', { schemas: [USER], userName: 'jane@acme.example' });
  assert.equal(noEmail.status, 400);
  assert.match(noEmail.body.detail, /emails\[type eq "work"\]\.value/);
  const homeOnly = await call('POST', '/Users', { schemas: [USER], userName: 'jane@acme.example', emails: [{ value: 'jane@home.example', type: 'home' }] });
  assert.equal(homeOnly.status, 400, 'an email that is not the work one does not do');
  assert.equal((await call('POST', '/Users', { schemas: [USER], emails: [{ value: 'jane@acme.example', type: 'work' }] })).status, 400);
  const created = await call('POST', '/Users', rsaUser('jane@acme.example', { name: { givenName: 'Jane', familyName: 'Doe' } }));
  assert.equal(created.status, 201);
  assert.equal(created.body.name.givenName, 'Jane');
  assert.equal(sim.scim.store.userCount, 1);
  const again = await call('POST', '/Users', rsaUser('JANE@acme.example'));
  assert.equal(again.status, 409);
  assert.equal(sim.scim.store.userCount, 1);
});

it('keeps what the console maps (names, work email, status, mobile phone) and drops the rest', async (t) => {
  const sim = await startForTest(t);
  const call = client(sim);
  const mobile = [{ value: '+44 7700 900123', type: 'mobile' }];
  const created = await call('POST', '/Users', rsaUser('m@acme.example', { name: { givenName: 'Mo', familyName: 'Bile', formatted: 'Mo Bile' }, phoneNumbers: mobile, title: 'Engineer', displayName: 'Mo', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'IT' } }));
  assert.equal(created.status, 201);
  const read = await call('GET', `/Users/${created.body.id}`);
  assert.deepEqual(read.body.phoneNumbers, mobile);
  assert.deepEqual(read.body.name, { givenName: 'Mo', familyName: 'Bile' });
  assert.equal(read.body.title, undefined);
  assert.equal(read.body.displayName, undefined);
  assert.equal(read.body['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'], undefined);
  sim.settings.attributes = 'all';
  const full = await call('POST', '/Users', rsaUser('f@acme.example', { title: 'Engineer' }));
  assert.equal(full.body.title, 'Engineer');
});

it('searches only with eq on userName, emails or id; anything else is 400 "Unsupported Search Filter"', async (t) => {
  const sim = await startForTest(t);
  const call = client(sim);
  const [id] = sim.seedUsers([rsaUser('ann@acme.example', { title: 'x' }), rsaUser('bob@acme.example')]);
  const q = (filter: string) => call('GET', `/Users?filter=${encodeURIComponent(filter)}`);
  for (const filter of ['userName eq "ANN@acme.example"', 'emails eq "ann@acme.example"', 'emails.value eq "ann@acme.example"', `id eq "${id}"`]) {
    const found = await q(filter);
    assert.equal(found.status, 200, filter);
    assert.deepEqual(found.body.Resources.map((u: { id: string }) => u.id), [id], filter);
  }
  for (const filter of ['userName sw "ann"', 'userName co "a"', 'userName ne "x"', 'emails pr', 'externalId eq "x"', 'displayName eq "Ann"', 'userName eq "a" or userName eq "b"', 'emails[type eq "work"].value eq "ann@acme.example"', 'not a filter']) {
    const refused = await q(filter);
    assert.equal(refused.status, 400, filter);
    assert.equal(refused.body.detail, 'Unsupported Search Filter', filter);
  }
  const all = await call('GET', '/Users?startIndex=1&count=1');
  assert.equal(all.body.totalResults, 2);
});

it('PUT replaces the whole user and still needs the work email; PATCH answers 200 with the whole user, paths in any case', async (t) => {
  const sim = await startForTest(t);
  const call = client(sim);
  const created = await call('POST', '/Users', rsaUser('p@acme.example', { name: { givenName: 'Pat', familyName: 'Lee' }, phoneNumbers: [{ value: '+1 555 0100', type: 'mobile' }] }));
  const id = created.body.id;
  assert.equal((await call('PUT', `/Users/${id}`, { schemas: [USER], userName: 'p@acme.example' })).status, 400);
  const put = await call('PUT', `/Users/${id}`, rsaUser('p@acme.example'));
  assert.equal(put.status, 200);
  assert.equal(put.body.name, undefined, 'PUT cleared what it left out');
  assert.equal(put.body.phoneNumbers, undefined);
  const patched = await call('PATCH', `/Users/${id}`, {
    schemas: [PATCH],
    Operations: [
      { op: 'add', path: 'NAME.givenName', value: 'Pat' },
      { op: 'replace', path: 'Emails[Type eq "work"].Value', value: 'pat@acme.example' },
      { op: 'add', path: 'phoneNumbers[type eq "mobile"].value', value: '+1 555 0199' },
      { op: 'replace', path: 'ACTIVE', value: false },
    ],
  });
  assert.equal(patched.status, 200);
  assert.equal(patched.body.id, id);
  assert.equal(patched.body.userName, 'p@acme.example', 'the whole user comes back');
  assert.equal(patched.body.name.givenName, 'Pat');
  assert.equal(patched.body.emails[0].value, 'pat@acme.example');
  assert.deepEqual(patched.body.phoneNumbers, [{ type: 'mobile', value: '+1 555 0199' }]);
  assert.equal(patched.body.active, false);
  const removed = await call('PATCH', `/Users/${id}`, { schemas: [PATCH], Operations: [{ op: 'remove', path: 'emails' }] });
  assert.equal(removed.status, 400, 'a PATCH may not leave the user without a work email');
  assert.equal((await call('GET', `/Users/${id}`)).body.emails[0].value, 'pat@acme.example');
});

it("Entra's title-case ops are refused unless the tenant has the aadOptscim062020 flag", async (t) => {
  const sim = await startForTest(t);
  const call = client(sim);
  const [id] = sim.seedUsers([rsaUser('e@acme.example')]);
  const entra = { schemas: [PATCH], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] };
  const refused = await call('PATCH', `/Users/${id}`, entra);
  assert.equal(refused.status, 400);
  assert.match(refused.body.detail, /aadOptscim062020/);
  assert.equal(sim.scim.store.getUser(id ?? '')?.attrs['active'], true);
  sim.settings.aadOptscim062020 = true;
  const taken = await call('PATCH', `/Users/${id}`, entra);
  assert.equal(taken.status, 200);
  assert.equal(taken.body.active, false);
});

it('DELETE answers 204, or 405 for a user of a Local identity source', async (t) => {
  const sim = await startForTest(t);
  const call = client(sim);
  const [scimUser] = sim.seedUsers([rsaUser('s@acme.example')]);
  const [localUser] = sim.seedUsers([rsaUser('l@acme.example')], 'Local');
  assert.equal((await call('DELETE', `/Users/${scimUser}`)).status, 204);
  assert.equal((await call('GET', `/Users/${scimUser}`)).status, 404);
  const refused = await call('DELETE', `/Users/${localUser}`);
  assert.equal(refused.status, 405);
  assert.match(refused.body.detail, /Local identity source/);
  assert.equal((await call('GET', `/Users/${localUser}`)).status, 200);
  assert.equal((await call('DELETE', '/Users/no-such-id')).status, 404);
});

it('has no Groups endpoint: /Groups is 404, and users carry no groups', async (t) => {
  const sim = await startForTest(t);
  const call = client(sim);
  assert.equal((await call('GET', '/Groups')).status, 404);
  assert.equal((await call('POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'x' })).status, 404);
  const [id] = sim.seedUsers(generateUsers(1));
  assert.equal((await call('GET', `/Users/${id}`)).body.groups, undefined);
});

it('over the rate limit: 429 with Retry-After "2 seconds"', async (t) => {
  const sim = await startForTest(t, { rateLimit: { requests: 2, perMs: 60_000 } });
  const call = client(sim);
  assert.equal((await call('GET', '/Users')).status, 200);
  assert.equal((await call('GET', '/Users')).status, 200);
  const over = await call('GET', '/Users');
  assert.equal(over.status, 429);
  assert.equal(over.headers.get('retry-after'), '2 seconds');
  assert.equal(over.body.status, '429');
});
