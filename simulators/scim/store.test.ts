import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateUsers } from './generate.ts';
import { SCIM } from './protocol.ts';
import { ScimStore } from './store.ts';

test('generateUsers is deterministic, realistic and unique by userName', () => {
  const a = generateUsers(5_000, { domain: 'acme.test' });
  const b = generateUsers(5_000, { domain: 'acme.test' });
  assert.deepEqual(a, b);
  assert.deepEqual(generateUsers(10, { domain: 'acme.test' }), a.slice(0, 10), 'user i does not depend on the count');
  assert.deepEqual(generateUsers(5, { domain: 'acme.test', startAt: 100 }), a.slice(100, 105), 'batches follow on');
  assert.equal(new Set(a.map((u) => String(u['userName']).toLowerCase())).size, 5_000);
  const user = a[0] as Record<string, unknown>;
  assert.match(String(user['userName']), /^[a-z]+\.[a-z]+@acme\.test$/);
  assert.deepEqual(user['emails'], [{ value: user['userName'], type: 'work', primary: true }]);
  assert.equal(typeof user['title'], 'string');
  assert.equal(typeof (user[SCIM.enterpriseUser] as Record<string, unknown>)['department'], 'string');
  const active = a.filter((u) => u['active'] === true).length;
  assert.ok(active > 4_500 && active < 5_000, `about 95% active, got ${active}`);
  assert.ok(new Set(a.map((u) => (u[SCIM.enterpriseUser] as { department: string }).department)).size > 5);
});

test('seeding 100,000 users indexes userName case-insensitively (its speed is bench/ work, not a test)', () => {
  const store = new ScimStore();
  const users = generateUsers(100_000);
  const seeded = store.seedUsers(users);
  assert.equal(store.userCount, 100_000);
  const last = seeded.at(-1);
  assert.equal(store.findUserByUserName(String(last?.attrs['userName']).toUpperCase())?.id, last?.id);
  assert.equal(store.listUsers()[99_999]?.id, last?.id);
});

test('seedUsers keeps given ids, refuses a duplicate userName, and reset empties everything', () => {
  const store = new ScimStore();
  const [user] = store.seedUsers([{ id: 'u-1', userName: 'Fixed@Example.com' }]);
  assert.equal(user?.id, 'u-1');
  assert.throws(() => store.seedUsers([{ userName: 'fixed@example.com' }]), { status: 409, scimType: 'uniqueness' });
  assert.throws(() => store.seedUsers([{ userName: 'x@example.com', active: 'yes' }]), { status: 400, scimType: 'invalidValue' });
  const [group] = store.seedGroups([{ displayName: 'G', members: [{ value: 'u-1' }] }]);
  assert.deepEqual([...store.groupIdsOf('u-1')], [group?.id]);
  assert.throws(() => store.seedGroups([{ displayName: 'H', members: [{ value: 'ghost' }] }]), { status: 400 });
  store.reset();
  assert.equal(store.userCount, 0);
  assert.equal(store.groupCount, 0);
  assert.equal(store.findUserByUserName('fixed@example.com'), undefined);
  assert.equal(store.groupIdsOf('u-1').size, 0);
  assert.equal(store.seedUsers([{ userName: 'fixed@example.com' }]).length, 1);
});

test('nested groups: a group may be a member of another, and deleting it removes the membership', () => {
  const store = new ScimStore();
  const [inner] = store.seedGroups([{ displayName: 'Inner' }]);
  const [outer] = store.seedGroups([{ displayName: 'Outer', members: [{ value: inner?.id, type: 'Group' }] }]);
  assert.deepEqual(outer?.attrs['members'], [{ value: inner?.id, type: 'Group' }]);
  store.deleteGroup(String(inner?.id));
  assert.equal(store.getGroup(String(outer?.id))?.attrs['members'], undefined);
});
