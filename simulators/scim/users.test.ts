import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SCIM } from './protocol.ts';
import { api, groupBody, startForTest, userBody } from './testing.ts';

test('POST /Users answers 201 with Location, the SCIM media type and full meta', async (t) => {
  const sim = await startForTest(t);
  const res = await api(sim)('POST', '/Users', userBody('jane@example.com', { name: { givenName: 'Jane', familyName: 'Doe' } }));
  assert.equal(res.status, 201);
  assert.match(res.headers.get('content-type') ?? '', /^application\/scim\+json/);
  const { id, meta } = res.body;
  assert.equal(typeof id, 'string');
  assert.equal(res.headers.get('location'), `${sim.baseUrl}/Users/${id}`);
  assert.equal(meta.resourceType, 'User');
  assert.equal(meta.location, `${sim.baseUrl}/Users/${id}`);
  assert.ok(!Number.isNaN(Date.parse(meta.created)) && meta.lastModified === meta.created);
  assert.match(meta.version, /^W\/".+"$/);
  assert.equal(res.headers.get('etag'), meta.version);
  assert.deepEqual(res.body.schemas, [SCIM.user]);
  assert.deepEqual(res.body.name, { givenName: 'Jane', familyName: 'Doe' });

  const read = await api(sim)('GET', `/Users/${id}`);
  assert.equal(read.status, 200);
  assert.equal(read.body.userName, 'jane@example.com');
});

test('userName is unique case-insensitively: a second one answers 409 uniqueness', async (t) => {
  const sim = await startForTest(t);
  const call = api(sim);
  assert.equal((await call('POST', '/Users', userBody('Jane@Example.com'))).status, 201);
  const dup = await call('POST', '/Users', userBody('jane@EXAMPLE.com'));
  assert.equal(dup.status, 409);
  assert.deepEqual(dup.body.schemas, [SCIM.error]);
  assert.equal(dup.body.status, '409');
  assert.equal(dup.body.scimType, 'uniqueness');
  assert.equal(sim.store.userCount, 1);
});

test('bad bodies are refused with the right scimType and change nothing', async (t) => {
  const sim = await startForTest(t);
  const call = api(sim);
  const noName = await call('POST', '/Users', { schemas: [SCIM.user], active: true });
  assert.equal(noName.status, 400);
  assert.equal(noName.body.scimType, 'invalidValue');

  const wrongType = await call('POST', '/Users', userBody('a@example.com', { active: 'yes' }));
  assert.equal(wrongType.status, 400);
  assert.equal(wrongType.body.scimType, 'invalidValue');
  assert.match(wrongType.body.detail, /active/);

  const notArray = await call('POST', '/Users', userBody('b@example.com', { emails: { value: 'b@example.com' } }));
  assert.equal(notArray.status, 400);
  assert.equal(notArray.body.scimType, 'invalidValue');

  const twoPrimaries = await call(
    'POST',
    '/Users',
    userBody('c@example.com', { emails: [{ value: 'c@example.com', primary: true }, { value: 'c2@example.com', primary: true }] }),
  );
  assert.equal(twoPrimaries.status, 400);

  const malformed = await call('POST', '/Users', undefined, { raw: '{"userName": ' });
  assert.equal(malformed.status, 400);
  assert.equal(malformed.body.scimType, 'invalidSyntax');

  const noSchemas = await call('POST', '/Users', { userName: 'd@example.com' });
  assert.equal(noSchemas.status, 400);
  assert.equal(noSchemas.body.scimType, 'invalidSyntax');

  const textPlain = await call('POST', '/Users', userBody('e@example.com'), { headers: { 'content-type': 'text/plain' } });
  assert.equal(textPlain.status, 415);
  assert.equal(sim.store.userCount, 0);
});

test('application/json requests are accepted; attribute names are case-insensitive', async (t) => {
  const sim = await startForTest(t);
  const res = await api(sim)('POST', '/Users', { schemas: [SCIM.user], UserName: 'x@example.com', ACTIVE: false }, { headers: { 'content-type': 'application/json; charset=utf-8' } });
  assert.equal(res.status, 201);
  assert.equal(res.body.userName, 'x@example.com');
  assert.equal(res.body.active, false);
});

test('read-only and write-only attributes: groups from the body are ignored, password is never returned', async (t) => {
  const sim = await startForTest(t);
  const res = await api(sim)('POST', '/Users', userBody('p@example.com', { password: 'S3cret!', groups: [{ value: 'nope' }] }));
  assert.equal(res.status, 201);
  assert.equal(res.body.password, undefined);
  assert.equal(res.body.groups, undefined);
  const listed = await api(sim)('GET', '/Users');
  assert.equal(listed.body.Resources[0].password, undefined);
  assert.equal(sim.store.getUser(res.body.id)?.attrs['password'], 'S3cret!');
});

test('GET of an unknown id answers 404 with a SCIM error body', async (t) => {
  const sim = await startForTest(t);
  const res = await api(sim)('GET', '/Users/does-not-exist');
  assert.equal(res.status, 404);
  assert.deepEqual(res.body.schemas, [SCIM.error]);
  assert.equal(res.body.status, '404');
});

test('PUT replaces the whole user: attributes left out are cleared; id is immutable', async (t) => {
  const sim = await startForTest(t);
  const call = api(sim);
  const created = await call(
    'POST',
    '/Users',
    userBody('jane@example.com', { title: 'Engineer', displayName: 'Jane', [SCIM.enterpriseUser]: { department: 'R&D' } }),
  );
  const { id } = created.body;
  const put = await call('PUT', `/Users/${id}`, { schemas: [SCIM.user], id, userName: 'jane@example.com', displayName: 'Jane D' });
  assert.equal(put.status, 200);
  assert.equal(put.body.displayName, 'Jane D');
  assert.equal(put.body.title, undefined);
  assert.equal(put.body.active, undefined);
  assert.equal(put.body[SCIM.enterpriseUser], undefined);
  assert.deepEqual(put.body.schemas, [SCIM.user]);
  assert.equal(put.body.meta.created, created.body.meta.created);
  assert.notEqual(put.body.meta.version, created.body.meta.version);

  const moved = await call('PUT', `/Users/${id}`, { schemas: [SCIM.user], id: 'other', userName: 'jane@example.com' });
  assert.equal(moved.status, 400);
  assert.equal(moved.body.scimType, 'mutability');

  const other = await call('POST', '/Users', userBody('joe@example.com'));
  const clash = await call('PUT', `/Users/${other.body.id}`, userBody('JANE@example.com'));
  assert.equal(clash.status, 409);
  const renamed = await call('PUT', `/Users/${other.body.id}`, userBody('joseph@example.com'));
  assert.equal(renamed.status, 200);
  assert.equal(sim.store.findUserByUserName('JOSEPH@example.com')?.id, other.body.id);
  assert.equal(sim.store.findUserByUserName('joe@example.com'), undefined);
});

test('DELETE answers 204, then the user is gone and out of its groups', async (t) => {
  const sim = await startForTest(t);
  const call = api(sim);
  const user = await call('POST', '/Users', userBody('gone@example.com'));
  const group = await call('POST', '/Groups', groupBody('Staff', [user.body.id]));
  const del = await call('DELETE', `/Users/${user.body.id}`);
  assert.equal(del.status, 204);
  assert.equal((await call('GET', `/Users/${user.body.id}`)).status, 404);
  assert.equal((await call('DELETE', `/Users/${user.body.id}`)).status, 404);
  const after = await call('GET', `/Groups/${group.body.id}`);
  assert.equal(after.body.members, undefined);
});

test('users carry groups derived from membership, with the group name', async (t) => {
  const sim = await startForTest(t);
  const call = api(sim);
  const user = await call('POST', '/Users', userBody('member@example.com'));
  const group = await call('POST', '/Groups', groupBody('Security Team', [user.body.id]));
  const read = await call('GET', `/Users/${user.body.id}`);
  assert.deepEqual(read.body.groups, [
    { value: group.body.id, $ref: `${sim.baseUrl}/Groups/${group.body.id}`, display: 'Security Team', type: 'direct' },
  ]);
  assert.notEqual(read.body.meta.version, user.body.meta.version, 'joining a group changes the user representation, so its version');
});

test('ETags: If-Match with a stale version answers 412 and changes nothing; a current one succeeds', async (t) => {
  const sim = await startForTest(t);
  const call = api(sim);
  const created = await call('POST', '/Users', userBody('etag@example.com', { title: 'A' }));
  const { id } = created.body;
  const v1 = created.headers.get('etag') ?? '';
  const ok = await call('PUT', `/Users/${id}`, userBody('etag@example.com', { title: 'B' }), { headers: { 'if-match': v1 } });
  assert.equal(ok.status, 200);
  const v2 = ok.headers.get('etag') ?? '';
  assert.notEqual(v2, v1);

  const stale = await call('PUT', `/Users/${id}`, userBody('etag@example.com', { title: 'C' }), { headers: { 'if-match': v1 } });
  assert.equal(stale.status, 412);
  assert.deepEqual(stale.body.schemas, [SCIM.error]);
  assert.equal(stale.body.status, '412');
  assert.equal((await call('DELETE', `/Users/${id}`, undefined, { headers: { 'if-match': v1 } })).status, 412);
  assert.equal((await call('GET', `/Users/${id}`)).body.title, 'B');

  const notModified = await fetch(`${sim.baseUrl}/Users/${id}`, { headers: { authorization: 'Bearer test-token', 'if-none-match': v2 } });
  assert.equal(notModified.status, 304);
  assert.equal((await call('DELETE', `/Users/${id}`, undefined, { headers: { 'if-match': v2 } })).status, 204);
});

test('with etags off there is no version and If-Match is not checked', async (t) => {
  const sim = await startForTest(t, { etags: false });
  const call = api(sim);
  const created = await call('POST', '/Users', userBody('plain@example.com'));
  assert.equal(created.body.meta.version, undefined);
  assert.equal(created.headers.get('etag'), null);
  const put = await call('PUT', `/Users/${created.body.id}`, userBody('plain@example.com'), { headers: { 'if-match': 'W/"nope"' } });
  assert.equal(put.status, 200);
});

test('attributes and excludedAttributes shape a read', async (t) => {
  const sim = await startForTest(t);
  const call = api(sim);
  const created = await call(
    'POST',
    '/Users',
    userBody('shape@example.com', { name: { givenName: 'S', familyName: 'H' }, emails: [{ value: 'shape@example.com', type: 'work' }], [SCIM.enterpriseUser]: { department: 'IT', costCenter: '1' } }),
  );
  const { id } = created.body;
  const only = await call('GET', `/Users/${id}?attributes=userName,name.givenName,emails.value,${SCIM.enterpriseUser}:department`);
  assert.deepEqual(only.body, {
    schemas: [SCIM.user, SCIM.enterpriseUser],
    id,
    userName: 'shape@example.com',
    name: { givenName: 'S' },
    emails: [{ value: 'shape@example.com' }],
    [SCIM.enterpriseUser]: { department: 'IT' },
  });
  const without = await call('GET', `/Users/${id}?excludedAttributes=name,emails,meta,id`);
  assert.equal(without.body.name, undefined);
  assert.equal(without.body.emails, undefined);
  assert.equal(without.body.meta, undefined);
  assert.equal(without.body.id, id, 'id is always returned');
});
