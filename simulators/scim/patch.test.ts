import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SCIM } from './protocol.ts';
import { api, groupBody, patchBody, startForTest, userBody } from './testing.ts';

test('PATCH answers 200 with the resource by default, 204 with no body when patchStatus is 204', async (t) => {
  const sim = await startForTest(t);
  const call = api(sim);
  const user = await call('POST', '/Users', userBody('jane@example.com'));
  const ok = await call('PATCH', `/Users/${user.body.id}`, patchBody({ op: 'replace', path: 'title', value: 'CISO' }));
  assert.equal(ok.status, 200);
  assert.equal(ok.body.title, 'CISO');
  assert.equal(ok.body.id, user.body.id);
  assert.equal(ok.headers.get('etag'), ok.body.meta.version);

  sim.settings.patchStatus = 204;
  const quiet = await call('PATCH', `/Users/${user.body.id}`, patchBody({ op: 'replace', path: 'title', value: 'CTO' }));
  assert.equal(quiet.status, 204);
  assert.equal(quiet.body, undefined);
  assert.ok(quiet.headers.get('etag'));
  assert.equal((await call('GET', `/Users/${user.body.id}`)).body.title, 'CTO');
});

test('Entra-style "Replace" of active with the string "False" disables the user', async (t) => {
  const sim = await startForTest(t);
  const call = api(sim);
  const user = await call('POST', '/Users', userBody('leaver@example.com'));
  const res = await call('PATCH', `/Users/${user.body.id}`, patchBody({ op: 'Replace', path: 'active', value: 'False' }));
  assert.equal(res.status, 200);
  assert.equal(res.body.active, false);
  assert.equal(sim.store.getUser(user.body.id)?.attrs['active'], false);
  // Path-less form, as Okta and Entra also send it.
  const back = await call('PATCH', `/Users/${user.body.id}`, patchBody({ op: 'replace', value: { active: true, 'name.givenName': 'Back' } }));
  assert.equal(back.body.active, true);
  assert.equal(back.body.name.givenName, 'Back');
});

test('PATCH reaches enterprise extension attributes and filtered multi-valued paths', async (t) => {
  const sim = await startForTest(t);
  const call = api(sim);
  const user = await call('POST', '/Users', userBody('mover@example.com', { emails: [{ value: 'mover@example.com', type: 'work', primary: true }] }));
  const res = await call(
    'PATCH',
    `/Users/${user.body.id}`,
    patchBody(
      { op: 'add', path: `${SCIM.enterpriseUser}:department`, value: 'Finance' },
      { op: 'replace', path: 'emails[type eq "work"].value', value: 'moved@example.com' },
    ),
  );
  assert.equal(res.status, 200);
  assert.equal(res.body[SCIM.enterpriseUser].department, 'Finance');
  assert.deepEqual(res.body.schemas, [SCIM.user, SCIM.enterpriseUser]);
  assert.deepEqual(res.body.emails, [{ value: 'moved@example.com', type: 'work', primary: true }]);
});

test('PATCH is checked like a PUT and is atomic: a failing operation leaves the user as it was', async (t) => {
  const sim = await startForTest(t);
  const call = api(sim);
  const user = await call('POST', '/Users', userBody('a@example.com', { title: 'Before' }));
  await call('POST', '/Users', userBody('b@example.com'));
  const id = user.body.id;

  const wrongType = await call('PATCH', `/Users/${id}`, patchBody({ op: 'replace', path: 'title', value: 'After' }, { op: 'replace', path: 'active', value: 'yes' }));
  assert.equal(wrongType.status, 400);
  assert.equal(wrongType.body.scimType, 'invalidValue');
  assert.equal((await call('GET', `/Users/${id}`)).body.title, 'Before');

  const taken = await call('PATCH', `/Users/${id}`, patchBody({ op: 'replace', path: 'userName', value: 'B@example.com' }));
  assert.equal(taken.status, 409);
  assert.equal(taken.body.scimType, 'uniqueness');

  const groups = await call('PATCH', `/Users/${id}`, patchBody({ op: 'add', path: 'groups', value: [{ value: 'x' }] }));
  assert.equal(groups.status, 400);
  assert.equal(groups.body.scimType, 'mutability');

  const noPath = await call('PATCH', `/Users/${id}`, patchBody({ op: 'remove' }));
  assert.equal(noPath.status, 400);
  assert.equal(noPath.body.scimType, 'noTarget');

  const notPatchOp = await call('PATCH', `/Users/${id}`, { schemas: [SCIM.user], Operations: [] });
  assert.equal(notPatchOp.status, 400);
  assert.equal(notPatchOp.body.scimType, 'invalidSyntax');

  const unknown = await call('PATCH', '/Users/nope', patchBody({ op: 'replace', path: 'title', value: 'x' }));
  assert.equal(unknown.status, 404);

  const stale = await call('PATCH', `/Users/${id}`, patchBody({ op: 'replace', path: 'title', value: 'x' }), { headers: { 'if-match': 'W/"0"' } });
  assert.equal(stale.status, 412);
  assert.equal((await call('GET', `/Users/${id}`)).body.title, 'Before');
});

test('group PATCH: add members, then Entra "Remove members value [...]" removes only those listed', async (t) => {
  const sim = await startForTest(t);
  const call = api(sim);
  const ids: string[] = [];
  for (const name of ['a', 'b', 'c', 'd']) ids.push((await call('POST', '/Users', userBody(`${name}@example.com`))).body.id);
  const [a, b, c, d] = ids as [string, string, string, string];
  const group = await call('POST', '/Groups', groupBody('Admins', [a]));
  const gid = group.body.id;

  const added = await call('PATCH', `/Groups/${gid}`, patchBody({ op: 'Add', path: 'members', value: [{ value: b }, { value: c }, { value: d }] }));
  assert.equal(added.status, 200);
  assert.deepEqual(added.body.members.map((m: { value: string }) => m.value), [a, b, c, d]);
  assert.equal(added.body.members[1].display, 'b@example.com');
  assert.equal(added.body.members[1].$ref, `${sim.baseUrl}/Users/${b}`);
  assert.equal(added.body.members[1].type, 'User');

  const removed = await call('PATCH', `/Groups/${gid}`, patchBody({ op: 'Remove', path: 'members', value: [{ value: b }, { value: d }] }));
  assert.deepEqual(removed.body.members.map((m: { value: string }) => m.value), [a, c]);

  const filtered = await call('PATCH', `/Groups/${gid}`, patchBody({ op: 'remove', path: `members[value eq "${a}"]` }));
  assert.deepEqual(filtered.body.members.map((m: { value: string }) => m.value), [c]);

  // Users follow their group membership.
  assert.equal((await call('GET', `/Users/${c}`)).body.groups[0].value, gid);
  assert.equal((await call('GET', `/Users/${b}`)).body.groups, undefined);

  const renamed = await call('PATCH', `/Groups/${gid}`, patchBody({ op: 'replace', path: 'displayName', value: 'Administrators' }));
  assert.equal(renamed.body.displayName, 'Administrators');
  assert.equal((await call('GET', `/Users/${c}`)).body.groups[0].display, 'Administrators');

  const ghost = await call('PATCH', `/Groups/${gid}`, patchBody({ op: 'add', path: 'members', value: [{ value: 'no-such-user' }] }));
  assert.equal(ghost.status, 400);
  assert.equal(ghost.body.scimType, 'invalidValue');
});

test('group PUT replaces members; a group needs a displayName', async (t) => {
  const sim = await startForTest(t);
  const call = api(sim);
  const a = (await call('POST', '/Users', userBody('a@example.com'))).body.id;
  const b = (await call('POST', '/Users', userBody('b@example.com'))).body.id;
  const group = await call('POST', '/Groups', groupBody('Team', [a]));
  assert.equal(group.status, 201);
  assert.equal(group.headers.get('location'), `${sim.baseUrl}/Groups/${group.body.id}`);
  const put = await call('PUT', `/Groups/${group.body.id}`, groupBody('Team', [b]));
  assert.deepEqual(put.body.members.map((m: { value: string }) => m.value), [b]);
  assert.equal((await call('GET', `/Users/${a}`)).body.groups, undefined);
  const nameless = await call('POST', '/Groups', { schemas: [SCIM.group] });
  assert.equal(nameless.status, 400);
  assert.equal(nameless.body.scimType, 'invalidValue');
});
