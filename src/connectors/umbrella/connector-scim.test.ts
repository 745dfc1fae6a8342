import { it } from 'node:test';
import assert from 'node:assert/strict';
import { isRosterError } from '../../errors.ts';
import { UMBRELLA_EXTENSION } from '../../../simulators/umbrella/index.ts';
import { calls, scim, simulator } from '../../../test/support/umbrella.ts';

it('SCIM: found by userName only — an email is looked up as the userName, never by emails.value', async (t) => {
  const sim = await simulator(t);
  const connector = scim(t, sim);
  await connector.createAccount({ userName: 'ann@example.com', email: 'ann@example.com', displayName: 'Ann' });
  assert.equal((await connector.findAccount({ email: 'ann@example.com' }))?.email, 'ann@example.com');
  assert.equal(await connector.findAccount({ userName: 'nobody@example.com' }), undefined);
  assert.ok(calls(sim, /filter=/).every((c) => c.includes('filter=userName+eq')));
});

it('SCIM: externalId also goes in as the ciscoumbrella nativeObjectId, and is read back from it', async (t) => {
  const sim = await simulator(t);
  const connector = scim(t, sim);
  const created = await connector.createAccount({ userName: 'bo@example.com', externalId: '3f2a-guid', displayName: 'Bo', givenName: 'Bo', familyName: 'Diaz', department: 'Sales' });
  assert.equal(sim.scim.nativeIds.get(created.remoteId), '3f2a-guid');
  const body = sim.requests.filter({ method: 'POST' })[0]?.body as Record<string, unknown>;
  assert.deepEqual(body[UMBRELLA_EXTENSION], { nativeObjectId: '3f2a-guid' });
  assert.equal(body['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'], undefined, 'no department: Umbrella keeps none');
  await connector.updateAccount(created.remoteId, { externalId: 'new-guid' });
  assert.equal(sim.scim.nativeIds.get(created.remoteId), 'new-guid');
  await assert.rejects(connector.updateAccount(created.remoteId, { department: 'Sales' }), (e: unknown) => isRosterError(e, 'unsupported') && /cannot hold department/.test(e.message));
});

it('SCIM: a leaver is deactivated; delete is refused by capability (Umbrella SCIM DELETE only deactivates)', async (t) => {
  const sim = await simulator(t);
  const connector = scim(t, sim);
  const created = await connector.createAccount({ userName: 'cy@example.com' });
  assert.equal(connector.capabilities.deleteAccount, false);
  await assert.rejects(connector.deleteAccount(), (e: unknown) => isRosterError(e, 'unsupported') && /DELETE only deactivates/.test(e.message));
  assert.equal((await connector.setActive(created.remoteId, false)).active, false);
  assert.equal(sim.scim.scim.store.getUser(created.remoteId)?.attrs.active, false);
});

it('SCIM: a group is made on first use; the 201st is refused with the reason and nothing sent', async (t) => {
  const sim = await simulator(t, { scimMaxGroups: 200 });
  sim.scim.scim.store.seedGroups(Array.from({ length: 199 }, (_, i) => ({ displayName: `Group ${i}` })));
  const connector = scim(t, sim);
  const user = await connector.createAccount({ userName: 'dee@example.com' });
  await connector.addToGroup(user.remoteId, 'Security');
  assert.equal(await connector.isMember(user.remoteId, 'Security'), true);
  assert.equal(sim.scim.scim.store.groupCount, 200);
  const before = sim.requests.count({ method: 'POST', pathIncludes: '/Groups' });
  await assert.rejects(connector.addToGroup(user.remoteId, 'One Too Many'), (e: unknown) => isRosterError(e, 'unsupported') && /at most 200 groups and has 200; the group One Too Many was not made/.test(e.message));
  assert.equal(sim.requests.count({ method: 'POST', pathIncludes: '/Groups' }), before);
  assert.equal(await connector.isMember(user.remoteId, 'One Too Many'), false);
});

it('SCIM: users carry no groups, so a listing reads the groups with their members first (one page for up to 100 groups)', async (t) => {
  const sim = await simulator(t);
  const connector = scim(t, sim);
  const a = await connector.createAccount({ userName: 'a@example.com' });
  await connector.createAccount({ userName: 'b@example.com' });
  await connector.addToGroup(a.remoteId, 'Security');
  await connector.addToGroup(a.remoteId, 'Finance');
  const mark = sim.requests.length;
  const accounts = [];
  for await (const page of connector.listAccounts()) accounts.push(...page.accounts);
  assert.deepEqual(accounts.map((x) => [x.userName, x.groups]), [['a@example.com', ['Security', 'Finance']], ['b@example.com', []]]);
  assert.deepEqual(calls(sim).slice(mark).map((c) => c.split(/[? ]/).slice(0, 2).join(' ')), ['GET /identity/v2/scim/Groups', 'GET /identity/v2/scim/Users']);
});
