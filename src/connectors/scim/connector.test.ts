import { it } from 'node:test';
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { generateUsers, startScimSimulator, type RunningScimSimulator, type ScimSimulatorOptions } from '../../../simulators/scim/index.ts';
import { Secret } from '../../config/secret.ts';
import type { RemoteAccount } from '../../core/account.ts';
import { isRosterError } from '../../errors.ts';
import { SCIM } from '../../scim/schemas.ts';
import { bearerAuth } from '../http/auth.ts';
import { ScimConnector } from './connector.ts';

interface Fixture {
  sim: RunningScimSimulator;
  connector: ScimConnector;
  /** Requests the simulator answered, as `METHOD /path?query status`, /scim/v2 dropped. */
  calls(match?: RegExp): string[];
}

async function fixture(t: TestContext, options: ScimSimulatorOptions = {}, pageSize?: number): Promise<Fixture> {
  const sim = await startScimSimulator({ token: 'tok', ...options });
  const connector = new ScimConnector({ appName: 'acme-scim', baseUrl: sim.baseUrl, auth: bearerAuth(new Secret('tok', 'test')), backoffBaseMs: 5, pageSize });
  t.after(async () => {
    await connector.close();
    await sim.close();
  });
  return {
    sim,
    connector,
    calls: (match) =>
      sim.requests.entries
        .map((r) => {
          const query = new URLSearchParams(r.query).toString();
          return `${r.method} ${r.path.replace(/^\/scim\/v2/, '')}${query ? `?${query}` : ''} ${r.status}`;
        })
        .filter((c) => !match || match.test(c)),
  };
}

async function listAll(connector: ScimConnector): Promise<RemoteAccount[]> {
  const all: RemoteAccount[] = [];
  for await (const page of connector.listAccounts()) all.push(...page.accounts);
  return all;
}

const brokenPaging = (pattern: RegExp) => (error: unknown) => {
  assert.ok(isRosterError(error, 'invalid_response'), String(error));
  assert.equal(error.facts.brokenPaging, true);
  assert.match(error.message, pattern);
  assert.ok(!error.message.includes('\n'));
  return true;
};

it('a server whose totalResults is the page size: read on to an empty page, every account once', async (t) => {
  const f = await fixture(t, { maxPageSize: 50, totalResults: 'page' });
  f.sim.store.seedUsers(generateUsers(194));
  const pages: (number | undefined)[] = [];
  const all: RemoteAccount[] = [];
  for await (const page of f.connector.listAccounts()) {
    pages.push(page.total);
    all.push(...page.accounts);
  }
  assert.equal(all.length, 194);
  assert.equal(new Set(all.map((a) => a.remoteId)).size, 194);
  // Four pages and the empty one that proves the end; the lying total is not passed on.
  assert.equal(f.calls(/^GET \/Users\?/).length, 5);
  assert.deepEqual(pages, [undefined, undefined, undefined, undefined]);
});

it('an honest server with exactly one full page costs one more request to prove it is the end', async (t) => {
  const f = await fixture(t, { maxPageSize: 100 });
  f.sim.store.seedUsers(generateUsers(100));
  assert.equal((await listAll(f.connector)).length, 100);
  assert.deepEqual(f.calls(/^GET \/Users\?/), ['GET /Users?startIndex=1&count=100 200', 'GET /Users?startIndex=101&count=100 200']);
  // Anything else stops at the total, with no empty page.
  const g = await fixture(t, { maxPageSize: 100 });
  g.sim.store.seedUsers(generateUsers(250));
  assert.equal((await listAll(g.connector)).length, 250);
  assert.equal(g.calls(/^GET \/Users\?/).length, 3);
});

it('a server that ignores startIndex: one read as large as the total when it serves that, else a loud failure', async (t) => {
  // Roster asks for pages of 20; the server could serve 200 at once.
  const f = await fixture(t, { maxPageSize: 500, startIndex: 'ignored' }, 20);
  f.sim.store.seedUsers(generateUsers(200));
  const all = await listAll(f.connector);
  assert.equal(all.length, 200);
  assert.equal(new Set(all.map((a) => a.remoteId)).size, 200);
  assert.deepEqual(f.calls(/^GET \/Users\?/), ['GET /Users?startIndex=1&count=20 200', 'GET /Users?startIndex=21&count=20 200', 'GET /Users?startIndex=1&count=200 200']);

  // The server serves 20 at most: nothing can read past the first page.
  const g = await fixture(t, { maxPageSize: 20, startIndex: 'ignored' });
  g.sim.store.seedUsers(generateUsers(200));
  await assert.rejects(listAll(g.connector), brokenPaging(/^acme-scim: GET \/Users does not page correctly: asked for startIndex=21, it answered startIndex=1 with 20 ids it had already sent; roster read 20 of 200 and will not take that for the whole list$/));
});

it('a server that ignores startIndex but echoes it is caught by the repeated ids', async (t) => {
  const f = await fixture(t, { maxPageSize: 20, startIndex: 'ignored-echoed' });
  f.sim.store.seedUsers(generateUsers(200));
  await assert.rejects(listAll(f.connector), brokenPaging(/asked for startIndex=21, it answered 20 of 20 ids it had already sent; roster read 20 of 200/));
});

it('both at once (the page is the total, startIndex ignored) fails rather than report 20 accounts', async (t) => {
  const f = await fixture(t, { maxPageSize: 20, startIndex: 'ignored-echoed', totalResults: 'page' });
  f.sim.store.seedUsers(generateUsers(200));
  await assert.rejects(listAll(f.connector), brokenPaging(/answered 20 of 20 ids it had already sent; roster read 20 and/));
});

it('an empty page before the total is reached is a failure, not the end', async (t) => {
  // The server's total still counts a user deleted since: 120 said, 119 listed.
  const f = await fixture(t, { maxPageSize: 50, totalResults: 'counts-deleted' });
  const [gone] = f.sim.store.seedUsers(generateUsers(120));
  await f.connector.deleteAccount(gone!.id);
  await assert.rejects(listAll(f.connector), brokenPaging(/it said totalResults=120 but answered an empty page at startIndex=120; roster read 119 of 120/));
});

for (const filtering of ['ignored', 'refused'] as const) {
  it(`filter.supported false (${filtering}): accounts are found from one full read, never from an unfiltered answer`, async (t) => {
    const f = await fixture(t, { maxPageSize: 100, filtering });
    f.sim.store.seedUsers(generateUsers(150, { domain: 'acme.example' }));
    const wanted = f.sim.store.listUsers()[137]!;
    const found = await f.connector.findAccount({ userName: String(wanted.attrs['userName']).toUpperCase() });
    assert.equal(found?.remoteId, wanted.id);
    assert.equal(await f.connector.findAccount({ userName: 'nobody@acme.example' }), undefined);
    const email = (wanted.attrs['emails'] as { value: string }[])[0]!.value;
    assert.equal((await f.connector.findAccount({ email }))?.remoteId, wanted.id);
    // One discovery, two pages, no filtered request at all: the server said it cannot filter.
    assert.equal(f.calls(/filter=/).length, 0);
    assert.equal(f.calls(/^GET \/Users\?/).length, 2);

    // A create is then found without another read, and a delete is forgotten.
    const created = await f.connector.createAccount({ userName: 'new@acme.example', email: 'new@acme.example' });
    assert.equal((await f.connector.findAccount({ userName: 'new@acme.example' }))?.remoteId, created.remoteId);
    await f.connector.deleteAccount(created.remoteId);
    assert.equal(await f.connector.findAccount({ userName: 'new@acme.example' }), undefined);
    assert.equal(f.calls(/^GET \/Users\?/).length, 2);
  });
}

it('a server that ignores the filter without saying so is caught by what it answers', async (t) => {
  // ServiceProviderConfig claims filtering, but the server answers every user to a filter.
  const f = await fixture(t, { maxPageSize: 100, filtering: 'ignored-unsaid' });
  f.sim.store.seedUsers(generateUsers(30, { domain: 'acme.example' }));
  const wanted = f.sim.store.listUsers()[17]!;
  assert.equal((await f.connector.findAccount({ userName: String(wanted.attrs['userName']) }))?.remoteId, wanted.id);
  assert.equal(await f.connector.findAccount({ userName: 'ghost@acme.example' }), undefined);
  assert.equal(f.calls(/filter=/).length, 1, 'filtering is not tried again once it proved false');
});

it('groups are found by name from one read of them all where the server cannot filter', async (t) => {
  const f = await fixture(t, { filtering: 'ignored' });
  const [ann] = f.sim.store.seedUsers(generateUsers(1));
  const [, engineers] = f.sim.store.seedGroups([{ schemas: [SCIM.group], displayName: 'Everyone' }, { schemas: [SCIM.group], displayName: 'Engineers' }]);
  await f.connector.addToGroup(ann!.id, 'Engineers');
  assert.deepEqual(f.sim.store.getGroup(engineers!.id)?.attrs['members'], [{ value: ann!.id, type: 'User' }]);
  assert.equal(await f.connector.isMember(ann!.id, 'Engineers'), true);
  assert.equal(await f.connector.isMember(ann!.id, 'Everyone'), false);
  await assert.rejects(f.connector.addToGroup(ann!.id, 'Nope'), (e: unknown) => isRosterError(e, 'not_found') && /no group named Nope/.test(e.message));
  assert.equal(f.calls(/^GET \/Groups\?/).length, 1);
});

it('membership read-back does not trust members answered as [{}, {}]: the whole group says who', async (t) => {
  const f = await fixture(t, { projectedMembers: 'empty' });
  const [ann, bob, carl] = f.sim.store.seedUsers(generateUsers(3));
  f.sim.store.seedGroups([{ schemas: [SCIM.group], displayName: 'Engineers', members: [{ value: ann!.id }, { value: bob!.id }] }]);
  assert.equal(await f.connector.isMember(carl!.id, 'Engineers'), false);
  assert.equal(await f.connector.isMember(ann!.id, 'Engineers'), true);
  await f.connector.removeFromGroup(ann!.id, 'Engineers');
  assert.equal(await f.connector.isMember(ann!.id, 'Engineers'), false);
  const reads = f.calls(/^GET \/Groups\/[^?]*/);
  // The projection is tried once; after it proved empty, only whole reads.
  assert.equal(reads.filter((r) => r.includes('attributes=members')).length, 1);
  assert.equal(reads.filter((r) => !r.includes('attributes=')).length, 3);
});

it('membership that no read shows is an error, not a guess', async (t) => {
  // Members left out of a whole read, [{}] when asked for, and users without groups.
  const f = await fixture(t, { projectedMembers: 'empty', groupMembers: 'when-asked', userGroups: false });
  const [ann] = f.sim.store.seedUsers(generateUsers(1));
  f.sim.store.seedGroups([{ schemas: [SCIM.group], displayName: 'Engineers', members: [{ value: ann!.id }] }]);
  await assert.rejects(f.connector.isMember(ann!.id, 'Engineers'), (error: unknown) => {
    assert.ok(isRosterError(error, 'invalid_response'));
    assert.match(error.message, /^acme-scim: cannot tell who is in group Engineers: the app answered 1 members without a value to \?attributes=members, and left members out of a whole read, and the user carries no groups$/);
    return true;
  });
});

it('a create sends name (given, family, formatted), displayName, email, externalId, title and department', async (t) => {
  const f = await fixture(t, { requiredUserAttributes: ['name.givenName', 'name.familyName', 'displayName'] });
  const created = await f.connector.createAccount({
    userName: 'jane@acme.example',
    email: 'jane@acme.example',
    givenName: 'Jane',
    familyName: 'Doe',
    displayName: 'Jane Doe',
    externalId: 'idp-42',
    title: 'Engineer',
    department: 'Security',
    active: true,
  });
  const stored = f.sim.store.getUser(created.remoteId)!.attrs;
  assert.deepEqual(stored['name'], { givenName: 'Jane', familyName: 'Doe', formatted: 'Jane Doe' });
  assert.equal(stored['displayName'], 'Jane Doe');
  assert.equal(stored['externalId'], 'idp-42');
  assert.equal(stored['title'], 'Engineer');
  assert.deepEqual(stored[SCIM.enterpriseUser], { department: 'Security' });
  assert.deepEqual(stored['emails'], [{ value: 'jane@acme.example', type: 'work', primary: true }]);
  // Without the name parts such a server refuses the create outright: a failure, not a silent half-account.
  await assert.rejects(f.connector.createAccount({ userName: 'nameless@acme.example', displayName: 'No Name' }), (e: unknown) => isRosterError(e, 'bad_request') && /name\.givenName, name\.familyName/.test(e.message));
  assert.equal(f.sim.store.findUserByUserName('nameless@acme.example'), undefined);
});
