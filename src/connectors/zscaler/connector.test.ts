import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Secret } from '../../config/secret.ts';
import { isRosterError } from '../../errors.ts';
import { DEFAULT_CREDENTIALS, makeSeedUsers, startZiaSimulator, type RunningZiaSimulator, type ZiaSimulatorOptions } from '../../../simulators/zscaler/index.ts';
import type { AccountPage } from '../connector.ts';
import { bearerAuth } from '../http/auth.ts';
import { RateBudget } from '../http/rate-budget.ts';
import type { HttpExchange } from '../http/client.ts';
import { ZscalerConnector, ziaRateRules, type ZscalerConnectorOptions } from './connector.ts';
import { zscalerManifest } from './manifest.ts';
import { ZiaSessionAuth } from './session-auth.ts';

let fixtures: { done(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(fixtures.map((f) => f.done()));
  fixtures = [];
});

type FixtureOptions = Partial<ZscalerConnectorOptions> & { apiKey?: string; fast?: boolean };

/** A ZscalerConnector logged in to a strict ZIA simulator on 127.0.0.1 (no rate limits unless asked). */
async function fixture(simOptions: ZiaSimulatorOptions = {}, options: FixtureOptions = {}) {
  const sim = await startZiaSimulator({ rateLimits: false, ...simOptions });
  const { apiKey, fast = true, ...rest } = options;
  const auth = new ZiaSessionAuth({
    appName: 'zia',
    baseUrl: sim.baseUrl,
    username: DEFAULT_CREDENTIALS.username,
    password: new Secret(DEFAULT_CREDENTIALS.password, 'env:ZIA_PASSWORD'),
    apiKey: new Secret(apiKey ?? DEFAULT_CREDENTIALS.apiKey, 'env:ZIA_API_KEY'),
  });
  const connector = new ZscalerConnector({
    appName: 'zia',
    baseUrl: sim.baseUrl,
    auth,
    defaultDepartment: 'Engineering',
    defaultGroups: ['Employees'],
    ...(fast ? { backoffBaseMs: 5, activationPollMs: 20, editLock: { editLockBaseMs: 20, editLockCapMs: 100 } } : {}),
    ...rest,
  });
  const exchanges: HttpExchange[] = [];
  connector.observe((e) => exchanges.push(e));
  let closed = false;
  const f = {
    sim,
    auth,
    connector,
    exchanges,
    /** Requests the simulator answered, as `METHOD /path status` with the /api/v1 prefix dropped. */
    calls: (match?: RegExp) => sim.requests.map((r) => `${r.method} ${r.path.replace(/^\/api\/v1/, '')} ${r.status}`).filter((c) => !match || match.test(c)),
    async done() {
      if (closed) return;
      closed = true;
      try {
        await connector.close();
      } finally {
        await sim.close();
      }
    },
  };
  fixtures.push(f);
  return f;
}

async function all(pages: AsyncIterable<AccountPage>): Promise<AccountPage[]> {
  const out: AccountPage[] = [];
  for await (const page of pages) out.push(page);
  return out;
}

const idOf = (sim: RunningZiaSimulator, email: string): string => String(sim.state.draftUsers().find((u) => u.email === email)?.id);

describe('ZIA session login', () => {
  it('logs in with the obfuscated key, carries the session, and logs out on close', async () => {
    const f = await fixture({ users: [{ name: 'Ada Lovelace', email: 'ada@example.com', department: 'Sales', groups: ['Employees'] }] });
    const ada = await f.connector.getAccount(idOf(f.sim, 'ada@example.com'));
    assert.equal(ada?.email, 'ada@example.com');
    assert.deepEqual(f.calls(), ['POST /authenticatedSession 200', `GET /users/${ada?.remoteId} 200`]);
    await f.connector.close();
    assert.equal(f.calls().at(-1), 'DELETE /authenticatedSession 204', 'logged out');
    assert.equal(f.sim.sessions.size, 0);
    assert.equal(f.sim.state.activations, 0, 'nothing written, nothing activated');
  });

  it('a wrong API key is a clear auth_failed that names what to check and leaks no secret', async () => {
    const f = await fixture({}, { apiKey: 'WrOnGkEy1234' });
    await assert.rejects(f.connector.getAccount('1'), (error: unknown) => {
      assert.ok(isRosterError(error, 'auth_failed'));
      assert.match(error.message, /^zia: ZIA refused the login for admin@example\.com \(AUTHENTICATION_FAILED\); check the username, password and API key/);
      assert.ok(!error.message.includes('WrOnGkEy1234') && !error.message.includes(DEFAULT_CREDENTIALS.password));
      assert.ok(!JSON.stringify(error.facts).includes('WrOnGkEy1234'));
      return true;
    });
    assert.deepEqual(f.calls(), ['POST /authenticatedSession 401'], 'no API request was tried without a session');
  });

  it('a key that is not 12 characters is a config error, before anything is sent', async () => {
    const f = await fixture({}, { apiKey: 'short' });
    await assert.rejects(f.connector.getAccount('1'), (error: unknown) => isRosterError(error, 'config_invalid') && /12 characters \(from env:ZIA_API_KEY\)/.test(error.message));
    assert.deepEqual(f.calls(), []);
  });

  it('a session that expires mid-run is renewed transparently, once for concurrent requests', async () => {
    const f = await fixture({ users: makeSeedUsers(5) });
    const ids = f.sim.state.draftUsers().map((u) => String(u.id));
    assert.ok(await f.connector.getAccount(ids[0] as string));
    f.sim.sessions.expireAll();
    const got = await Promise.all(ids.map((id) => f.connector.getAccount(id)));
    assert.deepEqual(got.map((a) => a?.remoteId), ids, 'every read answered as if nothing happened');
    assert.equal(f.auth.logins, 2, 'one first login and one re-login, shared');
    assert.equal(f.calls(/ 401$/).length > 0, true, 'the app did refuse the dead session');
  });

  it('an idle session (tiny sessionIdleMs) is re-logged in, and a write in flight still lands', async () => {
    const f = await fixture({ sessionIdleMs: 40 });
    await f.connector.createAccount({ userName: 'idle1@example.com', displayName: 'Idle One' });
    await sleep(80);
    await f.connector.createAccount({ userName: 'idle2@example.com', displayName: 'Idle Two' });
    assert.deepEqual(f.calls(/POST \/users /), ['POST /users 200', 'POST /users 401', 'POST /users 200']);
    assert.equal(f.auth.logins, 2);
    await f.connector.close();
    assert.deepEqual(f.sim.state.liveUsers().map((u) => u.email), ['idle1@example.com', 'idle2@example.com']);
  });

  it('reports the login and logout on the wire to observers, without credentials', async () => {
    const f = await fixture();
    await all(f.connector.listAccounts());
    await f.connector.close();
    assert.deepEqual(f.exchanges.map((e) => `${e.method} ${e.path} ${e.status}`), [
      'POST /api/v1/authenticatedSession 200',
      'GET /api/v1/users?page=1&pageSize=10000 200',
      'DELETE /api/v1/authenticatedSession 204',
    ]);
    assert.ok(!JSON.stringify(f.exchanges).includes(DEFAULT_CREDENTIALS.password));
  });
});

describe('listing', () => {
  it('reads 2,500 users in one page, and one empty page that proves the end, mapped to accounts', async () => {
    const f = await fixture({ users: [{ name: 'Grace Hopper', email: 'grace@example.com', department: 'Finance', groups: ['Employees', 'Contractors'], disabled: true }, ...makeSeedUsers(2499)] });
    const pages = await all(f.connector.listAccounts());
    assert.equal(pages.length, 1);
    assert.equal(pages[0]?.accounts.length, 2500);
    assert.equal(pages[0]?.readSoFar, 2500);
    assert.deepEqual(f.calls(/GET \/users/), ['GET /users 200', 'GET /users 200'], 'a short page may be a clamped one: only the empty page after it ends the list');
    assert.equal(f.sim.requests.find((r) => r.path.endsWith('/users'))?.query, `?page=1&pageSize=${zscalerManifest.paging.maxPageSize}`);
    const grace = pages[0]?.accounts.find((a) => a.email === 'grace@example.com');
    assert.deepEqual({ ...grace, raw: undefined }, {
      remoteId: idOf(f.sim, 'grace@example.com'),
      userName: 'grace@example.com',
      email: 'grace@example.com',
      displayName: 'Grace Hopper',
      active: false,
      department: 'Finance',
      groups: ['Employees', 'Contractors'],
      raw: undefined,
    });
    assert.equal((grace?.raw as { isNonEditable: boolean }).isNonEditable, false, 'the whole record is kept');
  });

  it('reads exactly 10,000 users in two requests (a full page needs one more to prove the end)', async () => {
    const f = await fixture({ users: makeSeedUsers(10_000) });
    const pages = await all(f.connector.listAccounts());
    assert.equal(pages.reduce((n, p) => n + p.accounts.length, 0), 10_000);
    assert.deepEqual(f.calls(/GET \/users/), ['GET /users 200', 'GET /users 200']);
    assert.equal(new Set(pages.flatMap((p) => p.accounts.map((a) => a.remoteId))).size, 10_000);
  });

  it('never asks for a page above the maximum; a tenant that clamps the page size silently cannot end the list early', async () => {
    // The configured page size is above the manifest's max; a rejecting tenant would answer 400.
    const big = await fixture({ users: makeSeedUsers(30) }, { pageSize: 50_000 });
    assert.equal((await all(big.connector.listAccounts()))[0]?.accounts.length, 30);
    assert.match(big.sim.requests.find((r) => r.path.endsWith('/users'))?.query ?? '', /pageSize=10000$/);
    // Asked for 10,000, served 50: the short first page is followed by more, so 50 is the real size.
    const clamped = await fixture({ users: makeSeedUsers(120), maxPageSize: 50, oversizePage: 'clamp' });
    const pages = await all(clamped.connector.listAccounts());
    assert.equal(new Set(pages.flatMap((p) => p.accounts.map((a) => a.remoteId))).size, 120);
    assert.deepEqual(pages.map((p) => p.accounts.length), [50, 50, 20]);
    assert.equal(clamped.calls(/GET \/users/).length, 3, 'the third page, shorter than the real size, is the end');
    // The same tenant with exactly 100 users: two full pages at its real size, then an empty one.
    const even = await fixture({ users: makeSeedUsers(100), maxPageSize: 50, oversizePage: 'clamp' });
    assert.equal((await all(even.connector.listAccounts())).reduce((n, p) => n + p.accounts.length, 0), 100);
    assert.equal(even.calls(/GET \/users/).length, 3);
    // Department and group lists are paged the same way.
    const groups = await fixture({ maxPageSize: 2, oversizePage: 'clamp' });
    await groups.connector.createAccount({ userName: 'g@example.com', groups: ['Engineering'], department: 'Finance' });
    assert.deepEqual(groups.calls(/GET \/(groups|departments)/).sort(), ['GET /departments 200', 'GET /departments 200', 'GET /groups 200', 'GET /groups 200']);
  });

  it('finds an account by exact email from one list read (search is no filter), kept current by its own writes', async () => {
    const f = await fixture({ users: [{ name: 'Long', email: 'xann@example.com', department: 'Sales', groups: ['Employees'] }, { name: 'Ann', email: 'ann@example.com', department: 'Sales', groups: ['Employees'] }, ...makeSeedUsers(300)] });
    assert.equal((await f.connector.findAccount({ email: 'ANN@example.com' }))?.displayName, 'Ann');
    assert.equal((await f.connector.findAccount({ userName: 'user00300@example.com' }))?.displayName, 'User 00300', 'past the first page a search would have answered');
    assert.equal(await f.connector.findAccount({ userName: 'nobody@example.com' }), undefined);
    const created = await f.connector.createAccount({ userName: 'nobody@example.com' });
    assert.equal((await f.connector.findAccount({ email: 'nobody@example.com' }))?.remoteId, created.remoteId);
    await f.connector.deleteAccount(idOf(f.sim, 'ann@example.com'));
    assert.equal(await f.connector.findAccount({ email: 'ann@example.com' }), undefined);
    assert.deepEqual(f.calls(/GET \/users(\?| )/), ['GET /users 200', 'GET /users 200'], 'one list (and its end), reused');
    assert.ok(f.sim.requests.every((r) => !r.query.includes('search=')), 'never relies on search');
  });

  it('a lookup list goes stale after lookupCacheMs, and at once when a write may have landed unseen', async () => {
    const f = await fixture({ users: makeSeedUsers(3) }, { lookupCacheMs: 0 });
    await f.connector.findAccount({ email: 'user00001@example.com' });
    f.sim.state.addUser({ name: 'Portal Made', email: 'portal@example.com', department: 'Sales', groups: ['Employees'] });
    assert.ok(await f.connector.findAccount({ email: 'portal@example.com' }), 'made in the portal meanwhile, and seen');
    const g = await fixture({ users: makeSeedUsers(3) });
    await g.connector.findAccount({ email: 'user00001@example.com' });
    g.sim.faults.set({ serverError: { count: 1, status: 502 }, pathIncludes: '/users' });
    await assert.rejects(g.connector.createAccount({ userName: 'lost@example.com' }), (error: unknown) => isRosterError(error, 'app_error'));
    // Whether a POST answered 502 landed is unknown: say it did, behind a proxy that lost the answer.
    g.sim.state.addUser({ name: 'Lost Answer', email: 'lost@example.com', department: 'Engineering', groups: ['Employees'] });
    assert.ok(await g.connector.findAccount({ email: 'lost@example.com' }), 'a retry finds it instead of creating it twice');
  });
});

describe('writes', () => {
  const seed = (): ZiaSimulatorOptions => ({
    users: [{ name: 'Kay Keeper', email: 'kay@example.com', department: 'Sales', groups: ['Employees', 'Engineering'], comments: 'badge 4471', disabled: true, tempAuthEmail: 'kay.tmp@example.com' }],
  });

  it('changing one attribute keeps every other field (PUT is a full replace)', async () => {
    const f = await fixture(seed());
    const id = idOf(f.sim, 'kay@example.com');
    const updated = await f.connector.updateAccount(id, { displayName: 'Kay Keeper-Smith' });
    assert.equal(updated.displayName, 'Kay Keeper-Smith');
    const stored = f.sim.state.draftUsers().find((u) => String(u.id) === id);
    assert.equal(stored?.name, 'Kay Keeper-Smith');
    assert.deepEqual(stored?.groups.map((g) => g.name), ['Employees', 'Engineering'], 'groups kept');
    assert.equal(stored?.comments, 'badge 4471', 'comments kept');
    assert.equal(stored?.disabled, true, 'still disabled');
    assert.equal(stored?.department?.name, 'Sales', 'department kept');
    assert.equal(stored?.tempAuthEmail, 'kay.tmp@example.com');
    // A department move keeps the rest too, and setActive flips only `disabled`.
    await f.connector.updateAccount(id, { department: 'Finance' });
    const active = await f.connector.setActive(id, true);
    assert.equal(active.active, true);
    const after = f.sim.state.draftUsers().find((u) => String(u.id) === id);
    assert.deepEqual([after?.department?.name, after?.groups.length, after?.comments, after?.disabled, after?.name], ['Finance', 2, 'badge 4471', false, 'Kay Keeper-Smith']);
    assert.deepEqual(f.calls(/^PUT/).length, 3);
  });

  it('adds to and removes from a group, keeping the other groups and every other field', async () => {
    const f = await fixture(seed());
    const id = idOf(f.sim, 'kay@example.com');
    await f.connector.addToGroup(id, 'Contractors');
    await f.connector.addToGroup(id, 'Contractors');
    await f.connector.removeFromGroup(id, 'Employees');
    await f.connector.removeFromGroup(id, 'Employees');
    assert.equal(f.calls(/^PUT/).length, 2, 'a membership already so sends nothing');
    await assert.rejects(f.connector.addToGroup(id, 'Nobody'), (error: unknown) => isRosterError(error, 'input_invalid'));
    await f.connector.close();
    const kay = f.sim.state.liveUsers()[0];
    assert.deepEqual(kay?.groups.map((g) => g.name), ['Engineering', 'Contractors']);
    assert.deepEqual([kay?.comments, kay?.disabled, kay?.department?.name], ['badge 4471', true, 'Sales']);
    assert.equal(f.sim.state.activations, 1);
  });

  it('a change that changes nothing sends no write', async () => {
    const f = await fixture(seed(), { disableLeavers: true });
    const id = idOf(f.sim, 'kay@example.com');
    await f.connector.setActive(id, false);
    await f.connector.updateAccount(id, { department: 'Sales', displayName: 'Kay Keeper' });
    assert.deepEqual(f.calls(/^PUT/), []);
    await f.connector.close();
    assert.equal(f.sim.state.activations, 0);
  });

  it('creates are not live until activation; a batch of writes ends with exactly one activation at close', async () => {
    const f = await fixture(seed());
    const a = await f.connector.createAccount({ userName: 'new1@example.com', displayName: 'New One' });
    await f.connector.createAccount({ userName: 'new2@example.com', givenName: 'New', familyName: 'Two', department: 'Sales', groups: ['Contractors', 'Engineering'] });
    await f.connector.setActive(idOf(f.sim, 'kay@example.com'), true);
    assert.equal(a.active, true);
    assert.equal(a.department, 'Engineering');
    assert.deepEqual(a.groups, ['Employees']);
    assert.ok(!JSON.stringify(a.raw).includes('password'), 'the password is never handed back');
    assert.equal(f.connector.dirty, true);
    assert.deepEqual(f.sim.state.liveUsers().map((u) => u.email), ['kay@example.com'], 'staged, not live');
    assert.equal(f.sim.state.liveUsers()[0]?.disabled, true);
    assert.equal(f.sim.state.status(), 'PENDING');
    await f.connector.close();
    assert.equal(f.sim.state.activations, 1);
    const live = f.sim.state.liveUsers();
    assert.deepEqual(live.map((u) => u.email), ['kay@example.com', 'new1@example.com', 'new2@example.com']);
    assert.deepEqual(live[2]?.groups.map((g) => g.name), ['Contractors', 'Engineering']);
    assert.equal(live[2]?.name, 'New Two');
    assert.equal(live[0]?.disabled, false);
    assert.equal(f.calls(/POST \/status\/activate/).length, 1);
    assert.equal(f.calls().at(-1), 'DELETE /authenticatedSession 204', 'activated, then logged out');
  });

  it('activate() makes writes live now; close() then has nothing left to activate', async () => {
    const f = await fixture();
    await f.connector.createAccount({ userName: 'now@example.com' });
    await f.connector.activate();
    assert.equal(f.connector.dirty, false);
    assert.deepEqual(f.sim.state.liveUsers().map((u) => u.email), ['now@example.com']);
    await f.connector.flush();
    await f.connector.close();
    assert.equal(f.sim.state.activations, 1);
  });

  it('the generated password meets the policy and differs per user', async () => {
    const f = await fixture();
    await f.connector.createAccount({ userName: 'p1@example.com' });
    await f.connector.createAccount({ userName: 'p2@example.com' });
    const [p1, p2] = [...f.sim.state.draft.values()].map((u) => u.password ?? '');
    assert.ok(p1 && p2 && p1 !== p2);
    for (const p of [p1, p2]) assert.match(p, /^(?=.*[A-Za-z])(?=.*\d)(?=.*[^A-Za-z0-9]).{24}$/);
  });

  it('an unknown department or group is a clear error and creates nothing', async () => {
    const f = await fixture();
    await assert.rejects(f.connector.createAccount({ userName: 'x@example.com', department: 'Marketing' }), (error: unknown) => {
      assert.ok(isRosterError(error, 'input_invalid'));
      assert.equal(error.message, 'zia: ZIA has no department named "Marketing" and roster creates none; add it in ZIA first (known: Engineering, Sales, Finance)');
      return true;
    });
    await assert.rejects(f.connector.createAccount({ userName: 'x@example.com', groups: ['Admins'] }), /no group named "Admins"/);
    const bare = await fixture({}, { defaultGroups: undefined });
    await assert.rejects(bare.connector.createAccount({ userName: 'x@example.com' }), /ZIA requires groups for every user: give them, or set the connector option defaultGroups/);
    assert.deepEqual([...f.calls(/^POST \/users/), ...bare.calls(/^POST \/users/)], []);
    assert.deepEqual(f.calls(/departments|groups/).sort(), ['GET /departments 200', 'GET /departments 200', 'GET /groups 200', 'GET /groups 200'], 'names listed once (a page and the empty page that ends it), then cached');
    await f.connector.close();
    assert.equal(f.sim.state.activations, 0);
  });

  it('an IdP-synced user is refused with a clear error, and nothing is sent', async () => {
    const f = await fixture({ users: [{ name: 'Synced', email: 'synced@example.com', department: 'Sales', groups: ['Employees'], isNonEditable: true }, ...makeSeedUsers(4)] });
    const id = idOf(f.sim, 'synced@example.com');
    for (const attempt of [() => f.connector.updateAccount(id, { displayName: 'Renamed' }), () => f.connector.deleteAccount(id), () => f.connector.deleteAccounts(f.sim.state.draftUsers().map((u) => String(u.id)))]) {
      await assert.rejects(attempt(), (error: unknown) => {
        assert.ok(isRosterError(error, 'forbidden'));
        assert.match(error.message, /synced from the identity provider .*synced@example\.com.*change it in the IdP, nothing was changed/);
        return true;
      });
    }
    assert.deepEqual(f.calls(/^(PUT|DELETE \/users|POST \/users)/), []);
    assert.equal(f.sim.state.draftUsers().length, 5);
    // Should the app refuse anyway (403 SCOPE_LIMITED), the words are just as plain.
    await assert.rejects(f.connector.client.replaceUser(Number(id), { name: 'X', email: 'synced@example.com', groups: [] }), (error: unknown) => {
      assert.ok(isRosterError(error, 'forbidden'));
      assert.match(error.message, /SCOPE_LIMITED.*users synced from the identity provider can only be changed there/);
      return true;
    });
  });

  it('a write refused with 409 EDIT_LOCK_NOT_AVAILABLE is retried until it lands', async () => {
    const f = await fixture(seed());
    f.sim.state.editLockConflicts = 3;
    await f.connector.updateAccount(idOf(f.sim, 'kay@example.com'), { displayName: 'Locked Out' });
    assert.deepEqual(f.calls(/^PUT/).map((c) => c.split(' ')[2]), ['409', '409', '409', '200']);
    f.sim.state.editLockConflicts = 1;
    await f.connector.close();
    assert.deepEqual(f.calls(/activate/).map((c) => c.split(' ')[2]), ['409', '200'], 'the activation itself is retried too');
    assert.equal(f.sim.state.liveUsers()[0]?.name, 'Locked Out');
  });

  it('flush resolves only once GET /status says ACTIVE: another admin staging meanwhile means another activation, and one that never settles is an error', async () => {
    const f = await fixture({ activationMs: 60 });
    await f.connector.createAccount({ userName: 'mine@example.com' });
    const flushing = f.connector.flush();
    await sleep(20);
    f.sim.state.stageUser({ id: 42, name: 'Theirs', email: 'theirs@example.com', groupIds: [], adminUser: false, authMethods: [], isNonEditable: false, disabled: false });
    await flushing;
    assert.equal(f.sim.state.activations, 2);
    assert.equal(f.sim.state.status(), 'ACTIVE');
    assert.deepEqual(f.sim.state.liveUsers().map((u) => u.email).sort(), ['mine@example.com', 'theirs@example.com']);

    const g = await fixture({ activationMs: 30 });
    await g.connector.createAccount({ userName: 'busy@example.com' });
    let n = 0;
    const busy = setInterval(() => g.sim.state.stageUser({ id: 500 + (n += 1), name: `Busy ${n}`, email: `busy${n}@example.com`, groupIds: [], adminUser: false, authMethods: [], isNonEditable: false, disabled: false }), 5);
    try {
      await assert.rejects(g.connector.flush(), (error: unknown) => isRosterError(error, 'app_error') && /activated 3 times and GET \/status still says PENDING; staged changes may not be live/.test(error.message));
    } finally {
      clearInterval(busy);
    }
    assert.equal(g.connector.dirty, true, 'the next flush tries again');
  });

  it('a write during an activation waits out the edit lock and is activated after', async () => {
    const f = await fixture({ activationMs: 150 });
    await f.connector.createAccount({ userName: 'first@example.com' });
    const activating = f.connector.activate();
    await sleep(30);
    await f.connector.createAccount({ userName: 'second@example.com' });
    await activating;
    assert.ok(f.calls(/POST \/users 409/).length > 0, 'the second create met the edit lock');
    assert.equal(f.connector.dirty, true);
    await f.connector.close();
    assert.equal(f.sim.state.activations, 2);
    assert.deepEqual(f.sim.state.liveUsers().map((u) => u.email), ['first@example.com', 'second@example.com']);
  });
});

describe('deletes', () => {
  it('deleteAccounts hands over the whole record before anything is deleted, then hard-deletes', async () => {
    const f = await fixture({ users: [{ name: 'Leaver', email: 'leaver@example.com', department: 'Sales', groups: ['Contractors'], comments: 'laptop 88' }] });
    const id = idOf(f.sim, 'leaver@example.com');
    const seen: unknown[] = [];
    await f.connector.deleteAccounts([id], async (records) => {
      assert.deepEqual(f.calls(/bulkDelete/), [], 'nothing destroyed yet');
      seen.push(...records.map((r) => r.raw));
    });
    assert.deepEqual(seen, [{ ...f.sim.state.liveUsers()[0] }]);
    assert.equal(await f.connector.getAccount(id), undefined);
    assert.deepEqual(f.calls(/DELETE \/users/), [], 'no DELETE: its budget is 4 an hour; bulkDelete is a POST');
    await assert.rejects(f.connector.deleteAccount(id), (error: unknown) => isRosterError(error, 'not_found') && error.message === `zia: no ZIA user with id ${id}`);
    assert.equal(f.calls(/bulkDelete/).length, 1, 'an unknown id sends no delete');
    // A beforeDelete that fails (the snapshot could not be saved) stops the delete.
    const other = String(f.sim.state.addUser({ name: 'Kept', email: 'kept@example.com', department: 'Sales', groups: ['Employees'] }).id);
    await assert.rejects(f.connector.deleteAccounts([other], () => Promise.reject(new Error('disk full'))), /disk full/);
    assert.ok(await f.connector.getAccount(other));
    f.sim.state.stageDelete([Number(other)]);
    await f.connector.close();
    assert.deepEqual(f.sim.state.liveUsers(), []);
    assert.equal(f.sim.state.activations, 1);
  });

  it('offboards leavers one after another at the real rate limits without meeting DELETE\'s 1 a minute', async () => {
    const f = await fixture({ rateLimits: {}, users: makeSeedUsers(5) });
    const started = Date.now();
    for (const user of f.sim.state.draftUsers().slice(0, 3)) await f.connector.deleteAccount(String(user.id));
    await f.connector.close();
    assert.ok(Date.now() - started < 20_000, `took ${Date.now() - started} ms, not minutes`);
    assert.deepEqual(f.sim.state.liveUsers().map((u) => u.email), ['user00004@example.com', 'user00005@example.com']);
    assert.equal(f.sim.state.activations, 1);
  });

  it('deleting 1,200 users takes 3 bulkDelete calls and 1 activation, returns the records and the unknown ids', async () => {
    const f = await fixture({ users: makeSeedUsers(1300) });
    const ids = f.sim.state.draftUsers().slice(0, 1200).map((u) => String(u.id));
    const result = await f.connector.deleteAccounts([...ids, '999999999', 'not-a-number']);
    assert.equal(result.deleted.length, 1200);
    assert.deepEqual(result.notFound, ['999999999', 'not-a-number']);
    assert.equal((result.deleted[0]?.raw as { email: string }).email, 'user00001@example.com');
    assert.deepEqual(f.calls(/bulkDelete/), ['POST /users/bulkDelete 204', 'POST /users/bulkDelete 204', 'POST /users/bulkDelete 204']);
    assert.equal(f.sim.state.draftUsers().length, 100);
    assert.equal(f.sim.state.liveUsers().length, 1300, 'staged until activation');
    await f.connector.close();
    assert.equal(f.sim.state.activations, 1);
    assert.equal(f.sim.state.liveUsers().length, 100);
  });
});

describe('rate limits', () => {
  for (const style of ['header', 'none'] as const) {
    it(`survives 429 (${style === 'header' ? 'retry-after header and body field' : 'no Retry-After at all'}) at the documented per-method limits`, async () => {
      const f = await fixture({ rateLimits: {}, retryAfterStyle: style, users: makeSeedUsers(3) });
      const ids = f.sim.state.draftUsers().map((u) => String(u.id));
      const started = Date.now();
      const got = [];
      for (const id of ids) got.push(await f.connector.getAccount(id));
      assert.deepEqual(got.map((a) => a?.remoteId), ids);
      assert.equal(f.calls(/ 429$/).length, 1, 'the third GET in a second was refused once');
      assert.ok(Date.now() - started >= 500, 'and roster waited before trying again');
    });
  }

  it('with the documented limits as its rate budget, paces itself and meets no 429', async () => {
    const budget = new RateBudget({ rules: ziaRateRules });
    const f = await fixture({ rateLimits: {}, users: makeSeedUsers(6) }, { budget, disableLeavers: true });
    const ids = f.sim.state.draftUsers().map((u) => String(u.id));
    for (const id of ids.slice(0, 4)) assert.ok(await f.connector.getAccount(id));
    await f.connector.setActive(ids[4] as string, false);
    await f.connector.setActive(ids[5] as string, false);
    await f.connector.close();
    assert.deepEqual(f.calls(/ 429$/), []);
    assert.deepEqual(f.sim.state.liveUsers().map((u) => u.disabled), [false, false, false, false, true, true]);
  });

  it('survives a 429 whose only hint is the JSON body field', async () => {
    const f = await fixture({ users: makeSeedUsers(1) });
    f.sim.faults.set({ rateLimit: { count: 1, retryAfter: { kind: 'body', seconds: 1 } }, pathIncludes: '/users' });
    const started = Date.now();
    assert.ok(await f.connector.getAccount(String(f.sim.state.draftUsers()[0]?.id)));
    assert.ok(Date.now() - started >= 900);
    assert.equal(f.sim.faults.injected.rateLimit, 1);
  });
});

describe('OneAPI', () => {
  it('lists users on /zia/api/v1 with a bearer token', async () => {
    const sim = await startZiaSimulator({ rateLimits: false, oneApiToken: 'tok-123', users: makeSeedUsers(3) });
    const connector = new ZscalerConnector({ appName: 'zia', baseUrl: sim.oneApiBaseUrl, auth: bearerAuth(new Secret('tok-123', 'env:ZIA_TOKEN')) });
    fixtures.push({ done: async () => { await connector.close(); await sim.close(); } });
    const pages = await all(connector.listAccounts());
    assert.equal(pages[0]?.accounts.length, 3);
    assert.deepEqual(sim.requests.map((r) => r.path), ['/zia/api/v1/users', '/zia/api/v1/users']);
  });
});

describe('request budget', () => {
  it('list 10,000; onboard 1; offboard 1; offboard 1,000', async (t) => {
    const count = async (setup: ZiaSimulatorOptions, run: (f: Awaited<ReturnType<typeof fixture>>) => Promise<unknown>, options: FixtureOptions = {}) => {
      const f = await fixture(setup, { fast: false, ...options });
      await run(f);
      await f.connector.close();
      return f.calls();
    };
    const list = await count({ users: makeSeedUsers(10_000) }, (f) => all(f.connector.listAccounts()));
    const onboard = await count({}, (f) => f.connector.createAccount({ userName: 'joiner@example.com', displayName: 'Joiner', department: 'Sales' }));
    const offboardDelete = await count({ users: makeSeedUsers(10) }, (f) => f.connector.deleteAccount(idOf(f.sim, 'user00001@example.com')));
    const offboardDisable = await count({ users: makeSeedUsers(10) }, (f) => f.connector.setActive(idOf(f.sim, 'user00001@example.com'), false), { disableLeavers: true });
    const offboard1000 = await count({ users: makeSeedUsers(2500) }, (f) => f.connector.deleteAccounts(f.sim.state.draftUsers().slice(0, 1000).map((u) => String(u.id))));
    for (const [name, calls] of Object.entries({ list, onboard, offboardDelete, offboardDisable, offboard1000 })) t.diagnostic(`${name}: ${calls.length} requests: ${calls.join(', ')}`);
    const plain = (calls: string[]) => calls.map((c) => c.split(' ').slice(0, 2).join(' ').replace(/\/\d+$/, '/{id}'));
    const session = (inner: string[]) => ['POST /authenticatedSession', ...inner, 'DELETE /authenticatedSession'];
    const activation = ['POST /status/activate', 'GET /status'];
    assert.deepEqual(plain(list), session(['GET /users', 'GET /users']));
    // Each name list is one short page and the empty one that proves it is not a clamped page.
    assert.deepEqual(plain(onboard).sort(), session(['GET /departments', 'GET /departments', 'GET /groups', 'GET /groups', 'POST /users', ...activation]).sort());
    assert.deepEqual(plain(offboardDelete), session(['GET /users/{id}', 'POST /users/bulkDelete', 'GET /users/{id}', ...activation]));
    assert.deepEqual(plain(offboardDisable), session(['GET /users/{id}', 'PUT /users/{id}', ...activation]));
    // The records are all on the first page (the read stops there); proving them gone reads to the end.
    assert.deepEqual(plain(offboard1000), session(['GET /users', 'POST /users/bulkDelete', 'POST /users/bulkDelete', 'GET /users', 'GET /users', ...activation]));
  });
});

describe('what real tenants do', () => {
  const kay = { name: 'Kay Keeper', email: 'kay@example.com', department: 'Sales', groups: ['Employees'] };

  it('an email change is refused up front (read-only on PUT: the app would keep the old one without a word), nothing sent', async () => {
    const f = await fixture({ users: [kay] });
    const id = idOf(f.sim, 'kay@example.com');
    await assert.rejects(f.connector.updateAccount(id, { email: 'kay.new@example.com', department: 'Finance' }), (error: unknown) => {
      assert.ok(isRosterError(error, 'unsupported'));
      assert.equal(error.message, 'zia: ZIA cannot change a user\'s email (kay@example.com → kay.new@example.com): it is read-only on update; a new email needs a new account, which a plan makes as a delete and a create for approval; nothing was changed');
      return true;
    });
    assert.deepEqual(f.calls(/^PUT/), []);
    assert.equal(f.sim.state.draftUsers()[0]?.department?.name, 'Sales');
    await f.connector.updateAccount(id, { email: 'KAY@example.com', displayName: 'Kay K' });
    assert.equal(f.sim.state.draftUsers()[0]?.name, 'Kay K', 'the same email in other case is no change');
  });

  it('an admin is reported undeletable and its delete refused up front, the batch with it, nothing deleted', async () => {
    const f = await fixture({ users: [{ ...kay, adminUser: true }, ...makeSeedUsers(2)] });
    const [admin, ...others] = f.sim.state.draftUsers().map((u) => String(u.id));
    const account = await f.connector.getAccount(admin as string);
    assert.equal(account?.undeletable, 'a ZIA admin cannot be deleted through the API; remove the admin role in the ZIA portal first');
    assert.equal((await f.connector.getAccount(others[0] as string))?.undeletable, undefined);
    for (const attempt of [() => f.connector.deleteAccount(admin as string), () => f.connector.deleteAccounts([admin as string, ...others])]) {
      await assert.rejects(attempt(), (error: unknown) => {
        assert.ok(isRosterError(error, 'unsupported'), String(error));
        assert.equal(error.message, `zia: a ZIA admin cannot be deleted through the API; remove the admin role in the ZIA portal first: kay@example.com (${admin}); nothing was deleted`);
        return true;
      });
    }
    assert.deepEqual(f.calls(/bulkDelete|DELETE \/users/), []);
    assert.equal(f.sim.state.draftUsers().length, 3);
  });

  it('no deactivation by default (no documented soft-delete): the capability is off and a switch-off is refused, nothing sent', async () => {
    const f = await fixture({ users: [kay] });
    assert.equal(f.connector.capabilities.deactivate, false);
    await assert.rejects(f.connector.setActive(idOf(f.sim, 'kay@example.com'), false), (error: unknown) => isRosterError(error, 'unsupported') && /no soft-delete.*set disableLeavers/.test(error.message));
    await assert.rejects(f.connector.createAccount({ userName: 'off@example.com', active: false }), (error: unknown) => isRosterError(error, 'unsupported'));
    assert.deepEqual(f.calls(/^(PUT|POST \/users)/), []);
  });

  it('disableLeavers opts into PUT disabled:true, and the app\'s answer must show it, or the change fails with advice', async () => {
    const f = await fixture({ users: [kay] }, { disableLeavers: true });
    assert.equal(f.connector.capabilities.deactivate, true);
    const off = await f.connector.setActive(idOf(f.sim, 'kay@example.com'), false);
    assert.equal(off.active, false);
    await f.connector.flush();
    assert.equal(f.sim.state.liveUsers()[0]?.disabled, true);
    const g = await fixture({ users: [kay], disabledField: 'ignore' }, { disableLeavers: true });
    await assert.rejects(g.connector.setActive(idOf(g.sim, 'kay@example.com'), false), (error: unknown) => {
      assert.ok(isRosterError(error, 'app_error'));
      assert.match(error.message, /accepted disabled:true for kay@example\.com but answers the user still enabled; this tenant does not honour it, so turn disableLeavers off/);
      return true;
    });
  });

  it('names: 127 characters are taken; 128 are refused before anything is sent', async () => {
    const f = await fixture();
    const long = 'N'.repeat(127);
    assert.equal((await f.connector.createAccount({ userName: 'long@example.com', displayName: long })).displayName, long);
    await assert.rejects(f.connector.createAccount({ userName: 'longer@example.com', displayName: `${long}x` }), (error: unknown) => isRosterError(error, 'input_invalid') && /at most 127 characters/.test(error.message));
    assert.equal(f.calls(/^POST \/users/).length, 1);
  });

  for (const [form, status] of [['edit-lock', 409], ['org-barrier', 412], ['resource-blocked', 409], ['resource-blocked', 401]] as const) {
    it(`the org lock (${form}, ${status}) on reads and writes is waited out in place when short; nothing is done twice`, async () => {
      const f = await fixture({ users: [kay] });
      const id = idOf(f.sim, 'kay@example.com');
      f.sim.state.lockOrg({ form, status, requests: 3 });
      assert.equal((await f.connector.getAccount(id))?.email, 'kay@example.com', 'a GET under the lock');
      f.sim.state.lockOrg({ form, status, requests: 2 });
      await f.connector.updateAccount(id, { displayName: 'After The Lock' });
      f.sim.state.lockOrg({ form, status, requests: 2 });
      await f.connector.close();
      assert.equal(f.sim.state.liveUsers()[0]?.name, 'After The Lock');
      assert.equal(f.calls(/^PUT .* 200$/).length, 1);
      assert.equal(f.sim.state.activations, 1);
      assert.equal(f.sim.state.orgLockRefusals, 7, 'every refusal sat out');
    });
  }

  it('a lock held longer becomes a wait to reschedule (rate_limited with retryAfterMs, growing), then a conflict after giving up', async () => {
    const clock = { t: Date.now() };
    const f = await fixture({ users: [kay] }, { editLock: { editLockBaseMs: 10, editLockCapMs: 20, editLockInPlaceMs: 50, editLockGiveUpMs: 30 * 60_000, now: () => clock.t } });
    const id = idOf(f.sim, 'kay@example.com');
    f.sim.state.lockOrg({});
    const waits: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      await assert.rejects(f.connector.updateAccount(id, { displayName: 'Never' }), (error: unknown) => {
        assert.ok(isRosterError(error, 'rate_limited'), String(error));
        assert.match(error.message, /^zia: ZIA's org edit lock is held \(EDIT_LOCK_NOT_AVAILABLE, \d+ s so far\); GET \/users\/\d+ was not done and waits \d+ s before trying again$/);
        waits.push(error.facts.retryAfterMs as number);
        return true;
      });
      clock.t += 60_000;
    }
    assert.deepEqual(waits, [5000, 10_000, 20_000, 40_000, 60_000], 'growing, capped at a minute');
    clock.t += 30 * 60_000;
    await assert.rejects(f.connector.getAccount(id), (error: unknown) => isRosterError(error, 'conflict') && /met ZIA's org edit lock \(EDIT_LOCK_NOT_AVAILABLE\) for 35 minutes without a break; another admin session or a stuck activation holds it; nothing was done$/.test(error.message));
    f.sim.state.unlockOrg();
    assert.equal((await f.connector.getAccount(id))?.displayName, 'Kay Keeper', 'nothing was written');
    f.sim.state.lockOrg({ requests: 100 });
    await assert.rejects(f.connector.getAccount(id), (error: unknown) => isRosterError(error, 'rate_limited') && error.facts.retryAfterMs === 5000, 'a new lock starts from the short wait again');
  });

  it('paces list lookups at 1 a second with its rate budget and meets no 429, where GET alone would allow 2', async () => {
    const budget = new RateBudget({ rules: ziaRateRules });
    const f = await fixture({ rateLimits: {}, users: makeSeedUsers(3) }, { budget });
    await f.connector.findAccount({ email: 'user00001@example.com' });
    await f.connector.createAccount({ userName: 'paced@example.com', groups: ['Contractors'] });
    assert.deepEqual(f.calls(/ 429$/), []);
    assert.ok(f.calls(/^GET \/(users|groups|departments) /).length >= 6);
  });
});
