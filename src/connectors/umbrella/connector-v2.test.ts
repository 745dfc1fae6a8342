import { it } from 'node:test';
import assert from 'node:assert/strict';
import { isRosterError } from '../../errors.ts';
import { RateBudget } from '../http/rate-budget.ts';
import { umbrellaV2RateRules } from './manifest.ts';
import { isPendingInvitation } from './mapping.ts';
import { calls, simulator, V2KEY, v2 } from '../../../test/support/umbrella.ts';

const rejects = (code: string, pattern?: RegExp) => (error: unknown) => {
  assert.ok(isRosterError(error), String(error));
  assert.equal(error.code, code, error.message);
  if (pattern) assert.match(error.message, pattern);
  assert.ok(!error.message.includes(V2KEY.secret), 'no secret in the error');
  return true;
};

it('v2: one token for many calls; an expired token (400 invalid_request) is renewed once and the call goes through', async (t) => {
  const sim = await simulator(t, { v2Limits: [] });
  sim.seedUsers([{ email: 'a@example.com', name: 'A' }]);
  const connector = v2(t, sim);
  for (let i = 0; i < 3; i++) assert.ok(await connector.getAccount(String(sim.state.usersOf(2_000_001)[0]?.id)));
  assert.equal(sim.requests.count({ pathIncludes: '/auth/v2/token' }), 1, 'the token is reused');
  sim.expireTokens();
  assert.ok(await connector.findAccount({ email: 'a@example.com' }));
  assert.deepEqual(calls(sim).slice(-3), ['GET /admin/v2/users?page=1&limit=100 400', 'POST /auth/v2/token 200', 'GET /admin/v2/users?page=1&limit=100 200']);
});

it('v2: an expired token answered 401 (the other reading) is renewed too', async (t) => {
  const sim = await simulator(t, { v2Limits: [], expiredTokenStatus: 401 });
  const connector = v2(t, sim);
  await connector.getAccount('1');
  sim.expireTokens();
  await connector.getAccount('1');
  assert.equal(sim.requests.count({ pathIncludes: '/auth/v2/token' }), 2);
});

it('v2: a missing scope is named; a wrong secret is auth_failed without the secret', async (t) => {
  const readOnly = { key: 'ro', secret: 'ro-secret-value', scopes: ['admin.users:read', 'admin.roles:read'] };
  const sim = await simulator(t, { v2Limits: [], v2Keys: [V2KEY, readOnly] });
  const connector = v2(t, sim, { credentials: readOnly });
  await assert.rejects(connector.createAccount({ userName: 'x@example.com', email: 'x@example.com' }), rejects('forbidden', /needs the admin\.users:write scope/));
  const wrong = v2(t, sim, { credentials: { key: V2KEY.key, secret: 'not-it' } });
  await assert.rejects(wrong.getAccount('1'), rejects('auth_failed'));
});

it('v2: roles by label → roleId; pending until accepted; no update (a change is a delete and a create)', async (t) => {
  const sim = await simulator(t, { v2Limits: [] });
  const connector = v2(t, sim);
  const created = await connector.createAccount({ userName: 'new@example.com', email: 'new@example.com', givenName: 'New', familyName: 'Person', role: 'Block Page Bypass' });
  assert.equal(isPendingInvitation(created), true);
  assert.equal(created.role, 'Block Page Bypass');
  const body = sim.requests.filter({ method: 'POST', pathIncludes: '/admin/v2/users' })[0]?.body as Record<string, unknown>;
  assert.equal(body.roleId, 3);
  assert.deepEqual(Object.keys(body).sort(), ['email', 'firstname', 'lastname', 'password', 'roleId', 'timezone']);
  await assert.rejects(connector.createAccount({ userName: 'x@example.com', role: 'Owner' }), rejects('input_invalid', /no role "Owner"; its roles are Full Admin, Read Only, Block Page Bypass, Reporting Only/));
  assert.equal(connector.capabilities.updateAccount, false);
  await assert.rejects(connector.updateAccount(), rejects('unsupported', /no PUT or PATCH.*delete and a create/));
});

it('v2: a deleted person comes back with {email, roleId} only, names as they were: at once from the connector that deleted them, else after "Email already in use"; a live duplicate is a conflict', async (t) => {
  const sim = await simulator(t, { v2Limits: [] });
  sim.seedUsers([{ email: 'admin@example.com', role: 'Full Admin' }]);
  const connector = v2(t, sim);
  const input = { userName: 'back@example.com', email: 'back@example.com', givenName: 'Back', familyName: 'Again', role: 'Read Only' };
  const first = await connector.createAccount(input);
  await assert.rejects(connector.createAccount(input), rejects('conflict', new RegExp(`already exists \\(id ${first.remoteId}`)));
  const posts = () => sim.requests.filter({ method: 'POST', pathIncludes: '/admin/v2/users' }).map((r) => ({ body: r.body, status: r.status }));
  await connector.deleteAccount(first.remoteId);
  const before = posts().length;
  const again = await connector.createAccount({ ...input, role: 'Full Admin' });
  assert.notEqual(again.remoteId, first.remoteId);
  assert.equal(again.role, 'Full Admin');
  assert.equal(again.givenName, 'Back', 'Umbrella restores the names');
  assert.deepEqual(posts().slice(before), [{ body: { email: 'back@example.com', roleId: 1 }, status: 200 }], 'one request: the connector knew it deleted them');

  // Another process (a fresh connector) learns it from the refusal: two POSTs, no list scan.
  await connector.deleteAccount(again.remoteId);
  const other = v2(t, sim);
  const mark = sim.requests.length;
  const third = await other.createAccount({ ...input, role: 'Read Only' });
  assert.equal(third.role, 'Read Only');
  assert.deepEqual(
    sim.requests.entries.slice(mark).filter((r) => r.path.startsWith('/admin/')).map((r) => `${r.method} ${r.path} ${r.status}`),
    ['GET /admin/v2/roles 200', 'POST /admin/v2/users 400', 'POST /admin/v2/users 200'],
  );
});

it('v2: deleting the last Full Admin is a clear conflict', async (t) => {
  const sim = await simulator(t, { v2Limits: [] });
  const [admin] = sim.seedUsers([{ email: 'admin@example.com', role: 'Full Admin' }]);
  const connector = v2(t, sim);
  await assert.rejects(connector.deleteAccount(String(admin?.id)), rejects('conflict', /last Full Admin/));
});

it('v2: under the documented budget (time-scaled) the rate rules keep every request within 5/s, 14/min, 350/30 min: no 429', async (t) => {
  const scale = 1 / 200;
  const sim = await simulator(t, { timeScale: scale, retryAfter: 'always' });
  sim.seedUsers(Array.from({ length: 30 }, (_, i) => ({ email: `u${i}@example.com` })));
  const connector = v2(t, sim, { budget: new RateBudget({ rules: umbrellaV2RateRules, timeScale: scale }), pageSize: 1 });
  let n = 0;
  for await (const page of connector.listAccounts()) n += page.accounts.length;
  assert.equal(n, 30);
  assert.equal(sim.requests.count({ status: 429 }), 0);
  assert.equal(sim.requests.count({ pathIncludes: '/admin/v2/users', status: 200 }), 31);
});

it('v2: 429s with and without Retry-After are waited out (backoff when absent); nothing lost', async (t) => {
  const scale = 1 / 10;
  const sim = await simulator(t, { v2Limits: [{ limit: 5, windowMs: 1_000 }], timeScale: scale, retryAfter: 'sometimes' });
  sim.seedUsers(Array.from({ length: 8 }, (_, i) => ({ email: `u${i}@example.com` })));
  // No rules: the budget only scales the waits Umbrella tells (its seconds) to the simulator's clock.
  const connector = v2(t, sim, { budget: new RateBudget({ rules: [], timeScale: scale }) });
  const ids = sim.state.usersOf(2_000_001).map((u) => String(u.id));
  const read = await Promise.all(ids.map((id) => connector.getAccount(id)));
  assert.equal(read.filter(Boolean).length, 8);
  const refused = sim.requests.filter({ status: 429 });
  assert.ok(refused.length >= 1, 'the limit was met');
});
