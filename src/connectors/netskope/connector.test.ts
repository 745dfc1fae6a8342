import { it } from 'node:test';
import assert from 'node:assert/strict';
import { generateUsers } from '../../../simulators/netskope/index.ts';
import { isRosterError } from '../../errors.ts';
import type { RemoteAccount } from '../../core/account.ts';
import { Secret } from '../../config/secret.ts';
import { headerAuth } from '../http/auth.ts';
import { NetskopeConnector } from './connector.ts';
import { fixture, REST_TOKEN, SCIM_TOKEN, seedUser } from '../../../test/support/netskope.ts';

const DEPT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

async function listAll(connector: { listAccounts(): AsyncIterable<{ accounts: RemoteAccount[] }> }): Promise<RemoteAccount[]> {
  const all: RemoteAccount[] = [];
  for await (const page of connector.listAccounts()) all.push(...page.accounts);
  return all;
}

it('lists 1,000 users in the fewest requests the page size allows, with their groups filled in', async (t) => {
  const f = await fixture(t);
  const users = f.sim.scim.store.seedUsers(generateUsers(1000));
  const [first, second] = users;
  f.sim.scim.store.seedGroups([{ displayName: 'Security', members: [{ value: first!.id }, { value: second!.id }] }, { displayName: 'Everyone', members: users.map((u) => ({ value: u.id })) }]);
  const accounts = await listAll(f.connector);
  assert.equal(accounts.length, 1000);
  assert.equal(new Set(accounts.map((a) => a.remoteId)).size, 1000);
  assert.deepEqual(accounts[0]?.groups, ['Security', 'Everyone']);
  assert.deepEqual(accounts[999]?.groups, ['Everyone']);
  // 1 discovery (page size 100), 1 read of the groups with members, 10 pages of 100 users.
  assert.equal(f.calls(/^GET \/Users\?/).length, 10);
  assert.deepEqual(f.calls(/ServiceProviderConfig|Groups/), ['GET /ServiceProviderConfig 200', 'GET /Groups?startIndex=1&count=100&attributes=displayName%2Cmembers 200']);
  assert.equal(f.sim.scim.requests.length, 12);
});

it('lists in one page when the tenant serves 1,000 at once; without groups, no group read', async (t) => {
  // 990, not 1,000: a full first page that claims to be everything costs one more read to prove it.
  const f = await fixture(t, { scim: { maxPageSize: 1000 } }, { groupsInList: false });
  f.sim.scim.store.seedUsers(generateUsers(990));
  assert.equal((await listAll(f.connector)).length, 990);
  assert.deepEqual(f.calls(), ['GET /ServiceProviderConfig 200', 'GET /Users?startIndex=1&count=1000 200']);
});

it('resolves a userName to the id once, then PATCHes by id and reads back; never a PUT', async (t) => {
  const f = await fixture(t);
  const [jane] = f.sim.scim.store.seedUsers([seedUser('jane@acme.example')]);
  const updated = await f.connector.updateAccount('jane@acme.example', { displayName: 'Jane Q' });
  assert.equal(updated.remoteId, jane!.id);
  assert.deepEqual(f.calls(), [
    `GET /Users?startIndex=1&count=2&filter=userName+eq+%22jane%40acme.example%22 200`,
    `PATCH /Users/${jane!.id} 204`,
    `GET /Users/${jane!.id} 200`,
  ]);
  await f.connector.setActive('jane@acme.example', false);
  assert.equal(f.calls(/filter=userName/).length, 1, 'the id is remembered');
  assert.equal(f.calls(/^PUT/).length, 0);
});

it('changing one attribute keeps every other', async (t) => {
  const f = await fixture(t);
  const [jane] = f.sim.scim.store.seedUsers([seedUser('jane@acme.example')]);
  const before = structuredClone(f.sim.scim.store.getUser(jane!.id)!.attrs);
  const account = await f.connector.updateAccount(jane!.id, { department: 'Security' });
  assert.equal(account.department, 'Security');
  const after = f.sim.scim.store.getUser(jane!.id)!.attrs;
  assert.deepEqual({ ...after, [DEPT]: undefined }, { ...before, [DEPT]: undefined });
  assert.equal(account.title, 'Engineer');
  assert.equal(account.displayName, 'User jane@acme.example');
  assert.equal(account.email, 'jane@acme.example');
  assert.equal(account.externalId, 'ext-jane@acme.example');
});

it('deactivates a leaver and can reactivate them; deletes only when asked', async (t) => {
  const f = await fixture(t);
  const [ann, carl] = f.sim.scim.store.seedUsers([seedUser('ann@acme.example'), seedUser('carl@acme.example')]);
  const off = await f.connector.setActive('ann@acme.example', false);
  assert.equal(off.active, false);
  assert.equal(f.sim.scim.store.getUser(ann!.id)?.attrs['active'], false);
  const back = await f.connector.setActive('ann@acme.example', true);
  assert.equal(back.active, true);
  assert.equal(f.sim.scim.store.getUser(ann!.id)?.attrs['active'], true);
  assert.equal(f.calls(/^DELETE/).length, 0);

  await f.connector.deleteAccount('carl@acme.example');
  assert.equal(f.sim.scim.store.getUser(carl!.id), undefined);
  assert.equal(f.calls(/^DELETE/).length, 1);
});

it('creates with POST; a taken userName is a conflict that names the existing id', async (t) => {
  const f = await fixture(t);
  const created = await f.connector.createAccount({ userName: 'new@acme.example', email: 'new@acme.example', givenName: 'New', familyName: 'Person', title: 'Analyst' });
  assert.equal(created.active, true);
  assert.deepEqual(f.calls(), ['POST /Users 201']);
  await assert.rejects(f.connector.createAccount({ userName: 'NEW@acme.example' }), (error: unknown) => {
    assert.ok(isRosterError(error, 'conflict'));
    assert.match(error.message, /already exists \(id [0-9a-f-]{36}\)/);
    assert.equal(error.facts.remoteId, created.remoteId);
    return true;
  });
});

it('takes a REST API v2 token granted the SCIM endpoints, as Netskope asks today; the legacy SCIM token works too', async (t) => {
  for (const bearer of [false, true]) {
    const f = await fixture(t, { restTokens: [{ token: REST_TOKEN, scopes: ['/api/v2/scim/Users', '/api/v2/scim/Groups', 'events'] }] }, { token: REST_TOKEN, bearer });
    f.sim.scim.store.seedUsers([seedUser('ann@acme.example')]);
    f.sim.scim.store.seedGroups([{ displayName: 'Security' }]);
    assert.equal((await listAll(f.connector)).length, 1);
    await f.connector.addToGroup('ann@acme.example', 'Security');
    assert.equal(await f.connector.isMember('ann@acme.example', 'Security'), true);
  }
});

it('a bare 403 is explained with every cause it can have, never by sending the customer to the deprecated token page', async (t) => {
  // A REST API v2 token granted the events endpoint only.
  const f = await fixture(t, {}, { token: REST_TOKEN });
  await assert.rejects(listAll(f.connector), (error: unknown) => {
    assert.ok(isRosterError(error, 'forbidden'));
    assert.match(
      error.message,
      /^netskope: GET \/api\/v2\/scim\/ServiceProviderConfig answered 403 with no body: Netskope answers so, without saying which cause, when the REST API v2 token is not granted the SCIM endpoints \(\/api\/v2\/scim\/Users and \/api\/v2\/scim\/Groups\), when the token was revoked or is not valid, or when this address is not on the tenant's IP allow list$/,
    );
    assert.ok(!error.message.includes('Settings > Tools > SCIM'));
    assert.ok(!error.message.includes(REST_TOKEN));
    assert.equal(error.facts.bare403, true);
    return true;
  });
  // Revoked, or calling from an address off the allow list: the same answer, the same words.
  const revoked = await fixture(t, { revokedTokens: [SCIM_TOKEN] });
  await assert.rejects(revoked.connector.findAccount({ userName: 'x@acme.example' }), (e: unknown) => isRosterError(e, 'forbidden') && /revoked or is not valid, or when this address is not on the tenant's IP allow list/.test(e.message));
  const offList = await fixture(t, { ipAllowList: ['10.0.0.7'] });
  await assert.rejects(offList.connector.setActive('x@acme.example', false), (e: unknown) => isRosterError(e, 'forbidden') && e.facts.bare403 === true);
});

it('PATCHes on Netskope\'s own paths: an email replaces emails whole; title is refused before anything is sent', async (t) => {
  const f = await fixture(t);
  const [jane] = f.sim.scim.store.seedUsers([seedUser('jane@acme.example')]);
  const moved = await f.connector.updateAccount(jane!.id, { email: 'jane.doe@acme.example', givenName: 'Janet' });
  assert.equal(moved.email, 'jane.doe@acme.example');
  assert.equal(moved.givenName, 'Janet');
  const patch = f.sim.scim.requests.entries.find((r) => r.method === 'PATCH');
  assert.equal(patch?.status, 204);
  await assert.rejects(f.connector.updateAccount(jane!.id, { title: 'Boss' }), (e: unknown) => isRosterError(e, 'unsupported') && /Netskope takes no title over SCIM/.test(e.message));
  assert.equal(f.calls(/^PATCH/).length, 1);
  assert.equal(f.sim.scim.store.getUser(jane!.id)?.attrs['title'], 'Engineer');
});

it('an HTTP 200 whose body says status: error or ok: 0 is a failure; a write is not repeated', async (t) => {
  const f = await fixture(t, { errorAnswers: [{ method: 'POST', pathIncludes: '/Users', errorCode: 'General Error', errors: ['Could not create the user'] }] });
  await assert.rejects(f.connector.createAccount({ userName: 'x@acme.example' }), (error: unknown) => {
    assert.ok(isRosterError(error, 'app_error'));
    assert.match(error.message, /POST \/api\/v2\/scim\/Users answered 200 but its body reports a failure \(General Error: Could not create the user\); roster does not assume it was done/);
    return true;
  });
  assert.equal(f.calls(/^POST/).length, 1);

  const [u] = f.sim.scim.store.seedUsers([seedUser('u@acme.example')]);
  f.sim.settings.errorAnswers = [{ method: 'PATCH', form: 'ok-0' }];
  await assert.rejects(f.connector.setActive(u!.id, false), /answered 200 but its body reports a failure/);
  assert.equal(f.sim.scim.store.getUser(u!.id)?.attrs['active'], true);

  // A read that fails so once is tried again; one that keeps failing is reported.
  f.sim.settings.errorAnswers = [{ method: 'GET', pathIncludes: '/Users/', count: 1 }];
  assert.equal((await f.connector.getAccount(u!.id))?.userName, 'u@acme.example');
  f.sim.settings.errorAnswers = [{ method: 'GET', pathIncludes: '/Users/' }];
  await assert.rejects(f.connector.getAccount(u!.id), /answered 200 but its body reports a failure \(General Error: Internal error, please retry\), 3 times/);
});

it('waits out the per-token limit (429 without Retry-After) by the ratelimit-reset header', async (t) => {
  const f = await fixture(t, { rateLimit: { requests: 5, perMs: 1000, retryAfter: 'none' } });
  f.sim.scim.store.seedUsers(generateUsers(700));
  const started = Date.now();
  assert.equal((await listAll(f.connector)).length, 700);
  assert.ok(f.exchanges.some((e) => e.status === 429), 'the limit was met');
  assert.ok(Date.now() - started >= 900);
  assert.equal(f.calls(/^GET \/Users\?.* 200$/).length, 7);
});

it('adds and removes group members by userName, with the group looked up once', async (t) => {
  const f = await fixture(t);
  const [ann] = f.sim.scim.store.seedUsers([seedUser('ann@acme.example')]);
  const [group] = f.sim.scim.store.seedGroups([{ displayName: 'Security' }]);
  await f.connector.addToGroup('ann@acme.example', 'Security');
  assert.deepEqual(f.sim.policyGroups().find((g) => g.id === group!.id)?.members, [ann!.id]);
  await f.connector.removeFromGroup(ann!.id, 'Security');
  assert.deepEqual(f.sim.policyGroups().find((g) => g.id === group!.id)?.members, []);
  // The removal in the form Netskope's own plugin sends (its PATCH takes no member filter).
  const removal = f.sim.scim.requests.entries.filter((r) => r.method === 'PATCH' && r.path.includes('/Groups/')).at(-1);
  assert.deepEqual(removal?.body, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'remove', path: 'members', value: [{ value: ann!.id }] }] });
  assert.equal(f.calls(/GET \/Groups/).length, 1);
  assert.equal(f.calls(/PATCH \/Groups/).length, 2);
  await assert.rejects(f.connector.addToGroup(ann!.id, 'Nope'), (e: unknown) => isRosterError(e, 'not_found'));
});

it('a userName nobody has is not_found, before any write', async (t) => {
  const f = await fixture(t);
  await assert.rejects(f.connector.setActive('ghost@acme.example', false), (error: unknown) => {
    assert.ok(isRosterError(error, 'not_found'));
    assert.match(error.message, /no user named ghost@acme\.example/);
    return true;
  });
  assert.equal(f.calls(/^PATCH/).length, 0);
  assert.equal(await f.connector.getAccount('ghost@acme.example'), undefined);
});

it('takes the bare tenant URL as well as the SCIM base', async (t) => {
  const f = await fixture(t);
  f.sim.scim.store.seedUsers([seedUser('ann@acme.example')]);
  const c = new NetskopeConnector({ appName: 'n', baseUrl: `${f.sim.origin}/`, auth: headerAuth('Netskope-Api-Token', new Secret(f.sim.settings.scimToken, 'test')) });
  t.after(() => c.close());
  assert.equal((await c.findAccount({ email: 'ann@acme.example' }))?.userName, 'ann@acme.example');
});

it('a tenant that ignores the filter never has another user taken for the one asked', async (t) => {
  const f = await fixture(t, { scim: { filtering: 'ignored-unsaid' } });
  f.sim.scim.store.seedUsers([seedUser('ann@acme.example'), seedUser('bob@acme.example')]);
  await assert.rejects(f.connector.setActive('bob@acme.example', false), (e: unknown) => isRosterError(e, 'invalid_response') && /answered users the filter does not select; roster will not take one of them for bob@acme\.example/.test(e.message));
  assert.equal(f.calls(/^PATCH/).length, 0);
  assert.ok(f.sim.scim.store.listUsers().every((u) => u.attrs['active'] === true));
});

it('members answered as [{}] are an error, not empty groups', async (t) => {
  const f = await fixture(t, { scim: { projectedMembers: 'empty' } });
  const [ann] = f.sim.scim.store.seedUsers([seedUser('ann@acme.example')]);
  f.sim.scim.store.seedGroups([{ displayName: 'Security', members: [{ value: ann!.id }] }]);
  await assert.rejects(listAll(f.connector), (e: unknown) => isRosterError(e, 'invalid_response') && /members of Security without a value/.test(e.message));
  // Read-back: the projection is [{}], a whole read leaves members out, users carry no groups.
  await assert.rejects(f.connector.isMember(ann!.id, 'Security'), (e: unknown) => isRosterError(e, 'invalid_response') && /cannot tell who is in group Security/.test(e.message));
});

it('broken paging on a tenant is caught as in any SCIM app: a lying total read through, an ignored startIndex refused', async (t) => {
  const f = await fixture(t, { scim: { maxPageSize: 50, totalResults: 'page' } }, { groupsInList: false });
  f.sim.scim.store.seedUsers(generateUsers(120));
  assert.equal(new Set((await listAll(f.connector)).map((a) => a.remoteId)).size, 120);
  const g = await fixture(t, { scim: { maxPageSize: 50, startIndex: 'ignored-echoed' } }, { groupsInList: false });
  g.sim.scim.store.seedUsers(generateUsers(120));
  await assert.rejects(listAll(g.connector), (e: unknown) => isRosterError(e, 'invalid_response') && /GET \/Users does not page correctly/.test(e.message));
});
