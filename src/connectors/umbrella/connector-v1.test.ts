import { it } from 'node:test';
import assert from 'node:assert/strict';
import { isRosterError } from '../../errors.ts';
import { isPendingInvitation } from './mapping.ts';
import { calls, MGMT, REPORTING, simulator, v1 } from '../../../test/support/umbrella.ts';

const rejects = (code: string, pattern?: RegExp) => (error: unknown) => {
  assert.ok(isRosterError(error), String(error));
  assert.equal(error.code, code, error.message);
  if (pattern) assert.match(error.message, pattern);
  assert.ok(!error.message.includes(MGMT.secret) && !error.message.includes(REPORTING.secret), 'no secret in the error');
  return true;
};

it('v1: a Reporting key is explained — it needs a Management API key', async (t) => {
  const sim = await simulator(t);
  const { connector } = v1(t, sim, { key: REPORTING, organizationId: 2_000_001 });
  await assert.rejects(connector.getAccount('1'), rejects('forbidden', /needs a Management API key; a Reporting key is refused without a reason/));
});

it('v1: the organization is the only one the key sees; with several, a clear error lists them; organizationId chooses', async (t) => {
  const sim = await simulator(t, { organizations: [{ id: 11, name: 'Alpha' }, { id: 12, name: 'Beta' }] });
  sim.seedUsers([{ email: 'a@alpha.example', name: 'A' }], 11);
  sim.seedUsers([{ email: 'b@beta.example', name: 'B' }], 12);
  const { connector: msp } = v1(t, sim);
  await assert.rejects(msp.getAccount('1'), rejects('config_invalid', /sees 2 organizations \(11 \(Alpha\), 12 \(Beta\)\); set organizationId/));
  const { connector: beta } = v1(t, sim, { organizationId: 12 });
  assert.equal((await beta.findAccount({ email: 'b@beta.example' }))?.email, 'b@beta.example');
  assert.equal(await beta.findAccount({ email: 'a@alpha.example' }), undefined);
  sim.settings.v1Keys = [{ ...MGMT, organizations: [11] }];
  const { connector: single } = v1(t, sim);
  assert.equal(await single.organization(), 11);
});

it('v1: lists 450 users in pages of 200 until a short page (3 requests, no total)', async (t) => {
  const sim = await simulator(t);
  sim.seedUsers(Array.from({ length: 450 }, (_, i) => ({ email: `u${i}@example.com`, name: `U ${i}` })));
  const { connector } = v1(t, sim, { organizationId: 2_000_001 });
  const pages: number[] = [];
  for await (const page of connector.listAccounts()) {
    pages.push(page.accounts.length);
    assert.equal(page.total, undefined);
  }
  assert.deepEqual(pages, [200, 200, 50]);
  assert.equal(calls(sim, /GET \/v1\/organizations\/\d+\/users/).length, 3);
});

it('v1: a new account is pending until the invitation is accepted — a state, not an error', async (t) => {
  const sim = await simulator(t);
  sim.seedUsers([{ email: 'admin@example.com', name: 'Ann Admin', role: 'Full Admin' }]);
  const { connector } = v1(t, sim);
  const created = await connector.createAccount({ userName: 'new@example.com', email: 'new@example.com', displayName: 'New Person', role: 'read only' });
  assert.equal(created.active, false);
  assert.equal(isPendingInvitation(created), true);
  assert.equal(created.role, 'Read Only', 'the label is sent as Umbrella spells it');
  assert.deepEqual(sim.requests.filter({ method: 'POST' })[0]?.body, { name: 'New Person', email: 'new@example.com', role: 'Read Only' });
  sim.acceptInvitation('new@example.com');
  const accepted = await connector.getAccount(created.remoteId);
  assert.equal(accepted?.active, true);
  assert.equal(accepted && isPendingInvitation(accepted), false);
});

it('v1 legacy form: told by a user read, sent as {firstname, lastname, email, password, roleId, timezone}; the password never leaves in errors', async (t) => {
  const sim = await simulator(t, { v1Form: 'legacy', invitations: 'accepted' });
  sim.seedUsers([{ email: 'admin@example.com', firstname: 'Ann', lastname: 'Admin', role: 'Full Admin' }]);
  const { connector } = v1(t, sim);
  const created = await connector.createAccount({ userName: 'bo@example.com', email: 'bo@example.com', givenName: 'Bo', familyName: 'Diaz', role: 'Full Admin' });
  assert.equal(created.active, true);
  const body = sim.requests.filter({ method: 'POST' })[0]?.body as Record<string, unknown>;
  assert.deepEqual(Object.keys(body).sort(), ['email', 'firstname', 'lastname', 'password', 'roleId', 'timezone']);
  assert.equal(body.roleId, 1);
  await assert.rejects(connector.createAccount({ userName: 'bo@example.com', email: 'bo@example.com', givenName: 'Bo', familyName: 'Diaz' }), (error: unknown) => {
    assert.ok(isRosterError(error, 'conflict'));
    assert.match(error.message, new RegExp(`already exists \\(id ${created.remoteId}`));
    assert.ok(!error.message.includes(String(body.password)));
    return true;
  });
});

it('v1: an update reads, merges and writes the whole user back, so the role PUT would reset is kept', async (t) => {
  const sim = await simulator(t);
  const [admin] = sim.seedUsers([{ email: 'admin@example.com', name: 'Ann Admin', role: 'Full Admin' }, { email: 'other@example.com', role: 'Full Admin' }]);
  const { connector } = v1(t, sim);
  const updated = await connector.updateAccount(String(admin?.id), { displayName: 'Ann Admiral' });
  assert.equal(updated.displayName, 'Ann Admiral');
  assert.equal(updated.role, 'Full Admin');
  assert.deepEqual(calls(sim, /users\/\d+/).map((c) => c.split(' ')[0]), ['GET', 'PUT']);
  assert.deepEqual(sim.requests.filter({ method: 'PUT' })[0]?.body, { name: 'Ann Admiral', email: 'admin@example.com', role: 'Full Admin' });
  await assert.rejects(connector.updateAccount(String(admin?.id), { department: 'Sales' }), rejects('unsupported', /cannot hold department/));
});

it('v1: deleting the last Full Admin is a clear conflict, sent once', async (t) => {
  const sim = await simulator(t);
  const [admin, other] = sim.seedUsers([{ email: 'admin@example.com', role: 'Full Admin' }, { email: 'ro@example.com' }]);
  const { connector } = v1(t, sim);
  await connector.deleteAccount(String(other?.id));
  await assert.rejects(connector.deleteAccount(String(admin?.id)), rejects('conflict', /last Full Admin; make another Full Admin first; nothing was deleted/));
  assert.equal(sim.requests.count({ method: 'DELETE' }), 2);
});

it('v1: no deactivate and no groups — refused by capability, with the reason', async (t) => {
  const sim = await simulator(t);
  const { connector } = v1(t, sim);
  assert.equal(connector.capabilities.deactivate, false);
  await assert.rejects(connector.setActive(), rejects('unsupported', /cannot switch a user off; a leaver is deleted/));
  await assert.rejects(connector.addToGroup(), rejects('unsupported'));
  assert.equal(sim.requests.length, 0);
});
