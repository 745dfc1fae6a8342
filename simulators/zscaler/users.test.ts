import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startZiaSimulator } from './simulator.ts';
import { makeSeedUsers } from './state.ts';
import { ziaSession } from './testing.ts';

const sim = await startZiaSimulator({
  rateLimits: false,
  domains: ['example.com', 'example.org'],
  users: [
    ...makeSeedUsers(250),
    { name: 'Idp Synced', email: 'synced@example.com', isNonEditable: true, department: 'Sales', groups: ['Employees'] },
  ],
});
after(() => sim.close());
const zia = await ziaSession(sim.baseUrl);
const ref = (kind: 'groups' | 'departments', name: string) => {
  const map = kind === 'groups' ? sim.state.groups : sim.state.departments;
  const found = [...map.values()].find((x) => x.name === name);
  assert.ok(found, `${kind} ${name}`);
  return { id: found.id };
};
let n = 0;
const newUser = (extra: Record<string, unknown> = {}) => ({
  name: `New Person ${++n}`,
  email: `new.person${n}@example.com`,
  password: 'Str0ng!pass',
  groups: [ref('groups', 'Employees')],
  department: ref('departments', 'Engineering'),
  ...extra,
});

test('users come as bare arrays, 1-based, 100 a page by default; page until a short page', async () => {
  const first = await (await zia.get('/users')).json();
  assert.ok(Array.isArray(first));
  assert.equal(first.length, 100);
  const seen: number[] = [];
  for (let page = 1; ; page++) {
    const batch = (await (await zia.get(`/users?page=${page}&pageSize=60`)).json()) as Array<{ id: number }>;
    seen.push(...batch.map((u) => u.id));
    if (batch.length < 60) break;
  }
  assert.equal(new Set(seen).size, sim.state.draft.size);
  assert.deepEqual(await (await zia.get('/users?page=99&pageSize=60')).json(), []);
});

test('page size above the maximum and page 0 are refused', async () => {
  const big = await zia.get('/users?pageSize=10001');
  assert.equal(big.status, 400);
  assert.equal((await big.json()).code, 'INVALID_INPUT_ARGUMENT');
  assert.equal((await zia.get('/users?page=0')).status, 400);
});

test('filters by name, department and group; `search` is ignored (the unfiltered first page), as recorded', async () => {
  const byDept = (await (await zia.get('/users?dept=sales&pageSize=1000')).json()) as Array<{ department: { name: string } }>;
  assert.ok(byDept.length > 0 && byDept.every((u) => u.department.name === 'Sales'));
  const bySearch = (await (await zia.get('/users?search=synced@')).json()) as Array<{ name: string }>;
  assert.equal(bySearch.length, 100, 'the first page of everyone');
  assert.ok(!bySearch.some((u) => u.name === 'Idp Synced'));
  const byName = (await (await zia.get('/users?name=idp%20synced')).json()) as Array<{ name: string }>;
  assert.deepEqual(byName.map((u) => u.name), ['Idp Synced']);
  const byGroup = (await (await zia.get('/users?group=contractors&pageSize=1000')).json()) as unknown[];
  assert.equal(byGroup.length, 83);
  assert.equal(((await (await zia.get('/users?name=User%2000007')).json()) as unknown[]).length, 1);
});

test('POST /users answers 200 with the user, nested names filled, no password', async () => {
  const res = await zia.post('/users', newUser({ comments: 'hello' }));
  assert.equal(res.status, 200);
  const user = await res.json();
  assert.equal(typeof user.id, 'number');
  assert.deepEqual(user.groups, [{ id: ref('groups', 'Employees').id, name: 'Employees' }]);
  assert.equal(user.department.name, 'Engineering');
  assert.equal(user.comments, 'hello');
  assert.equal('password' in user, false);
  const again = await (await zia.get(`/users/${user.id}`)).json();
  assert.deepEqual(again, user);
});

test('POST /users validation: name length, duplicate email, domain, groups, department, JSON', async () => {
  const expectError = async (body: unknown, status: number, code?: string) => {
    const res = await zia.post('/users', body);
    assert.equal(res.status, status, JSON.stringify(body));
    const json = await res.json();
    assert.equal(json.code, code);
  };
  await expectError(newUser({ name: 'x'.repeat(128) }), 400, 'INVALID_INPUT_ARGUMENT');
  await expectError(newUser({ name: 'é'.repeat(128) }), 400, 'INVALID_INPUT_ARGUMENT');
  await expectError(newUser({ email: 'USER00001@example.com' }), 409, 'DUPLICATE_ITEM');
  await expectError(newUser({ email: 'someone@unregistered.net' }), 400, 'INVALID_INPUT_ARGUMENT');
  await expectError(newUser({ groups: [{ id: 1 }] }), 400, 'INVALID_INPUT_ARGUMENT');
  await expectError(newUser({ department: { id: 1 } }), 400, 'INVALID_INPUT_ARGUMENT');
  await expectError(newUser({ password: 'short' }), 400, 'INVALID_INPUT_ARGUMENT');
  await expectError('{"name": "half', 400, undefined);
  const raw = await zia.post('/users', '[1,2]');
  assert.deepEqual(await raw.json(), { message: 'Request body is invalid.' });
  assert.equal((await zia.post('/users', newUser({ name: 'x'.repeat(127) }))).status, 200);
  assert.equal((await zia.post('/users', newUser({ name: '名'.repeat(127) }))).status, 200, '127 characters, not bytes');
  assert.equal((await zia.post('/users', newUser({ email: `other${n}@EXAMPLE.org` }))).status, 200);
});

test('PUT is a full replace: fields left out are reset; the id must be in the body', async () => {
  const created = await (
    await zia.post(
      '/users',
      newUser({ comments: 'keep me?', tempAuthEmail: 'temp@elsewhere.net', adminUser: true, disabled: true, authMethods: ['BASIC'] }),
    )
  ).json();
  const noId = await zia.put(`/users/${created.id}`, { name: 'Renamed', email: created.email });
  assert.equal(noId.status, 400);
  const wrongId = await zia.put(`/users/${created.id}`, { id: created.id + 1, name: 'Renamed', email: created.email });
  assert.equal(wrongId.status, 400);

  const res = await zia.put(`/users/${created.id}`, { id: created.id, name: 'Renamed', email: created.email });
  assert.equal(res.status, 200);
  const after = await (await zia.get(`/users/${created.id}`)).json();
  assert.equal(after.name, 'Renamed');
  assert.deepEqual(after.groups, []);
  assert.equal(after.department, undefined);
  assert.equal(after.comments, undefined);
  assert.equal(after.tempAuthEmail, undefined);
  assert.equal(after.authMethods, undefined);
  assert.equal(after.adminUser, false);
  assert.equal(after.disabled, false, 'a PUT that forgets disabled re-enables the user');
});

test('email is read-only on PUT: a changed email is ignored, the old one stays; unknown id is RESOURCE_NOT_FOUND', async () => {
  const a = await (await zia.post('/users', newUser())).json();
  const moved = await zia.put(`/users/${a.id}`, { id: a.id, name: 'Moved On', email: 'brand.new@example.com', groups: a.groups, department: a.department });
  assert.equal(moved.status, 200, 'no error: the change silently does nothing');
  assert.deepEqual([(await moved.json()).email, (await (await zia.get(`/users/${a.id}`)).json()).email], [a.email, a.email]);
  assert.equal((await (await zia.get(`/users/${a.id}`)).json()).name, 'Moved On', 'the rest of the PUT applies');
  const dup = await zia.put(`/users/${a.id}`, { id: a.id, name: a.name, email: 'user00002@example.com' });
  assert.equal((await dup.json()).email, a.email, 'not even to another user\'s email');
  const missing = await zia.put('/users/123', { id: 123, name: 'x', email: 'x@example.com' });
  assert.equal(missing.status, 404);
  assert.equal((await missing.json()).code, 'RESOURCE_NOT_FOUND');
  assert.equal((await (await zia.get('/users/123')).json()).code, 'RESOURCE_NOT_FOUND');
});

test('IdP-synced users can be read but not changed or deleted', async () => {
  const [synced] = (await (await zia.get('/users?name=Idp%20Synced')).json()) as Array<{ id: number; name: string; email: string }>;
  assert.ok(synced);
  const put = await zia.put(`/users/${synced.id}`, { id: synced.id, name: 'Changed', email: synced.email });
  assert.equal(put.status, 403);
  assert.equal((await put.json()).code, 'SCOPE_LIMITED');
  assert.equal((await zia.delete(`/users/${synced.id}`)).status, 403);
  assert.equal((await zia.post('/users/bulkDelete', { ids: [synced.id] })).status, 403);
  assert.equal((await (await zia.get(`/users/${synced.id}`)).json()).name, 'Idp Synced');
});

test('admins cannot be deleted through the API, by DELETE or bulkDelete (the whole call is refused)', async () => {
  const admin = await (await zia.post('/users', newUser({ adminUser: true }))).json();
  const plain = await (await zia.post('/users', newUser())).json();
  const one = await zia.delete(`/users/${admin.id}`);
  assert.equal(one.status, 400);
  assert.deepEqual(await one.json(), { code: 'INVALID_INPUT_ARGUMENT', message: 'Admin users cannot be deleted. Remove the admin role first' });
  assert.equal((await zia.post('/users/bulkDelete', { ids: [plain.id, admin.id] })).status, 400);
  assert.equal((await zia.get(`/users/${admin.id}`)).status, 200);
  assert.equal((await zia.get(`/users/${plain.id}`)).status, 200, 'nothing of the refused call was done');
});

test('DELETE is 204 and a hard delete', async () => {
  const u = await (await zia.post('/users', newUser())).json();
  const res = await zia.delete(`/users/${u.id}`);
  assert.equal(res.status, 204);
  assert.equal(await res.text(), '');
  assert.equal((await zia.get(`/users/${u.id}`)).status, 404);
  assert.equal((await zia.delete(`/users/${u.id}`)).status, 404);
});

test('bulkDelete: 204 with an empty body, at most 500 ids', async () => {
  const ids = sim.state.draftUsers().slice(0, 3).map((u) => u.id);
  const tooMany = await zia.post('/users/bulkDelete', { ids: Array.from({ length: 501 }, (_, i) => i + 1) });
  assert.equal(tooMany.status, 400);
  assert.equal((await tooMany.json()).code, 'INVALID_INPUT_ARGUMENT');
  const res = await zia.post('/users/bulkDelete', { ids: [...ids, 999] });
  assert.equal(res.status, 204);
  assert.equal(await res.text(), '');
  for (const id of ids) assert.equal((await zia.get(`/users/${id}`)).status, 404);
});

test('groups and departments page the same way; unknown paths are 404 with an empty body', async () => {
  const groups = await (await zia.get('/groups?page=1&pageSize=2')).json();
  assert.equal(groups.length, 2);
  const depts = await (await zia.get('/departments')).json();
  assert.deepEqual(
    depts.map((d: { name: string }) => d.name),
    ['Engineering', 'Sales', 'Finance'],
  );
  const unknown = await zia.get('/no/such/thing');
  assert.equal(unknown.status, 404);
  assert.equal(await unknown.text(), '');
  assert.equal((await fetch(`${sim.origin}/elsewhere`)).status, 404);
});

test("oversizePage 'clamp' silently serves maxPageSize: a short page is not proof of the end", async () => {
  const small = await startZiaSimulator({ rateLimits: false, maxPageSize: 50, oversizePage: 'clamp', users: makeSeedUsers(120) });
  try {
    const s = await ziaSession(small.baseUrl);
    const first = await (await s.get('/users?pageSize=100')).json();
    assert.equal(first.length, 50, 'asked for 100, got 50 with no error');
    const second = await (await s.get('/users?page=2&pageSize=100')).json();
    assert.equal(second[0].name, 'User 00051', 'pages are cut at the clamped size');
  } finally {
    await small.close();
  }
});

test('settings: emailOnPut refuse, search filter, disabled ignored', async () => {
  const strict = await startZiaSimulator({ rateLimits: false, emailOnPut: 'refuse', search: 'filter', disabledField: 'ignore', users: makeSeedUsers(5) });
  try {
    const s = await ziaSession(strict.baseUrl);
    const [u] = (await (await s.get('/users?search=user00003')).json()) as Array<{ id: number; name: string; email: string }>;
    assert.equal(u?.email, 'user00003@example.com', 'search filters when set to');
    const refused = await s.put(`/users/${u.id}`, { id: u.id, name: u.name, email: 'other@example.com' });
    assert.equal(refused.status, 400);
    assert.equal((await refused.json()).message, 'email cannot be changed');
    const off = await (await s.put(`/users/${u.id}`, { id: u.id, name: u.name, email: u.email, disabled: true })).json();
    assert.equal(off.disabled, false, 'a tenant that does not honour disabled answers the user enabled');
  } finally {
    await strict.close();
  }
});
