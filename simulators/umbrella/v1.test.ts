import { it } from 'node:test';
import assert from 'node:assert/strict';
import { basic, call, MGMT, REPORTING, startForTest } from './testing.ts';

const auth = basic(MGMT.key, MGMT.secret);

it('v1: a Reporting key is refused with a bare 403; a wrong secret 401', async (t) => {
  const sim = await startForTest(t);
  const refused = await call(`${sim.v1BaseUrl}/organizations`, 'GET', basic(REPORTING.key, REPORTING.secret));
  assert.equal(refused.status, 403);
  assert.equal(refused.body, undefined, 'no reason given');
  assert.equal((await call(`${sim.v1BaseUrl}/organizations`, 'GET', basic(MGMT.key, 'nope'))).status, 401);
});

it('v1: an MSP key sees several organizations; another org is 404', async (t) => {
  const sim = await startForTest(t, { organizations: [{ id: 1, name: 'A' }, { id: 2, name: 'B' }, { id: 3, name: 'C' }], v1Keys: [{ ...MGMT, organizations: [1, 2] }] });
  const orgs = await call(`${sim.v1BaseUrl}/organizations`, 'GET', auth);
  assert.deepEqual(orgs.body, [{ organizationId: 1, organizationName: 'A' }, { organizationId: 2, organizationName: 'B' }]);
  assert.equal((await call(`${sim.v1BaseUrl}/organizations/3/users`, 'GET', auth)).status, 404);
});

it('v1: users page by page/limit up to 200, no total; a larger limit is 400', async (t) => {
  const sim = await startForTest(t);
  sim.seedUsers(Array.from({ length: 450 }, (_, i) => ({ email: `u${i}@example.com`, name: `U ${i}` })));
  const org = sim.settings.organizations[0]?.id;
  const pages: number[] = [];
  for (let page = 1; ; page++) {
    const res = await call(`${sim.v1BaseUrl}/organizations/${org}/users?page=${page}&limit=200`, 'GET', auth);
    assert.ok(Array.isArray(res.body));
    pages.push(res.body.length);
    if (res.body.length < 200) break;
  }
  assert.deepEqual(pages, [200, 200, 50]);
  assert.equal((await call(`${sim.v1BaseUrl}/organizations/${org}/users?limit=201`, 'GET', auth)).status, 400);
});

it('v1 seed form: {name, email, role}; the role label is case-sensitive; a duplicate email is 400; pending until the invitation is accepted', async (t) => {
  const sim = await startForTest(t);
  const users = `${sim.v1BaseUrl}/organizations/${sim.settings.organizations[0]?.id}/users`;
  assert.equal((await call(users, 'POST', auth, { name: 'Ann Lee', email: 'ann@example.com', role: 'full admin' })).status, 400);
  const created = await call(users, 'POST', auth, { name: 'Ann Lee', email: 'ann@example.com', role: 'Full Admin' });
  assert.equal(created.status, 201);
  assert.equal(created.body.status, 'pending');
  assert.equal(created.body.role, 'Full Admin');
  const dup = await call(users, 'POST', auth, { name: 'Ann Again', email: 'ANN@example.com', role: 'Read Only' });
  assert.equal(dup.status, 400);
  sim.acceptInvitation('ann@example.com');
  assert.equal((await call(`${users}/${created.body.id}`, 'GET', auth)).body.status, 'active');
});

it('v1 legacy form: {firstname, lastname, email, password, roleId, timezone} → 200 with roleId, timezone, twoFactorEnable', async (t) => {
  const sim = await startForTest(t, { v1Form: 'legacy' });
  const users = `${sim.v1BaseUrl}/organizations/${sim.settings.organizations[0]?.id}/users`;
  assert.equal((await call(users, 'POST', auth, { name: 'Ann', email: 'ann@example.com', role: 'Read Only' })).status, 400);
  const created = await call(users, 'POST', auth, { firstname: 'Ann', lastname: 'Lee', email: 'ann@example.com', password: 'P4ss!word', roleId: 2, timezone: 'Europe/Paris' });
  assert.equal(created.status, 200);
  for (const key of ['id', 'email', 'role', 'roleId', 'timezone', 'status', 'twoFactorEnable']) assert.ok(key in created.body, key);
  assert.equal(created.body.role, 'Read Only');
  const roles = await call(`${sim.v1BaseUrl}/organizations/${sim.settings.organizations[0]?.id}/roles`, 'GET', auth);
  assert.equal(roles.body.length, 6);
});

it('v1: PUT replaces the whole user — what it leaves out resets', async (t) => {
  const sim = await startForTest(t);
  const [user] = sim.seedUsers([{ email: 'bo@example.com', name: 'Bo Diaz', role: 'Full Admin' }, { email: 'cy@example.com', role: 'Full Admin' }]);
  const url = `${sim.v1BaseUrl}/organizations/${user?.organizationId}/users/${user?.id}`;
  const replaced = await call(url, 'PUT', auth, { email: 'bo@example.com', name: 'Bo D' });
  assert.equal(replaced.status, 200);
  assert.equal(replaced.body.name, 'Bo D');
  assert.equal(replaced.body.role, 'Read Only', 'the role left out went back to the default');
});

it('v1: DELETE is 204 and permanent; the last Full Admin cannot be deleted', async (t) => {
  const sim = await startForTest(t);
  const [admin, other] = sim.seedUsers([{ email: 'admin@example.com', role: 'Full Admin' }, { email: 'ro@example.com', role: 'Read Only' }]);
  const base = `${sim.v1BaseUrl}/organizations/${admin?.organizationId}/users`;
  assert.equal((await call(`${base}/${other?.id}`, 'DELETE', auth)).status, 204);
  assert.equal((await call(`${base}/${other?.id}`, 'GET', auth)).status, 404);
  const refused = await call(`${base}/${admin?.id}`, 'DELETE', auth);
  assert.equal(refused.status, 400);
  assert.match(refused.body.message, /last Full Admin/);
});
