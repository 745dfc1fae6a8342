import { it } from 'node:test';
import assert from 'node:assert/strict';
import { basic, call, startForTest, V2KEY, v2Token } from './testing.ts';

const form = 'application/x-www-form-urlencoded';

it('v2 token: Basic key:secret with grant_type=client_credentials → bearer with expires_in; 20 a minute per key', async (t) => {
  const sim = await startForTest(t, { tokenLimit: { limit: 20, windowMs: 60_000 } });
  const auth = basic(V2KEY.key, V2KEY.secret);
  const ok = await call(sim.tokenUrl, 'POST', auth, 'grant_type=client_credentials', form);
  assert.equal(ok.status, 200);
  assert.equal(ok.body.token_type, 'bearer');
  assert.equal(ok.body.expires_in, 3600);
  assert.equal((await call(sim.tokenUrl, 'POST', basic(V2KEY.key, 'wrong'), 'grant_type=client_credentials', form)).status, 401);
  assert.equal((await call(sim.tokenUrl, 'POST', auth, 'grant_type=password', form)).status, 400);
  for (let i = 0; i < 18; i++) assert.equal((await call(sim.tokenUrl, 'POST', auth, 'grant_type=client_credentials', form)).status, 200);
  const limited = await call(sim.tokenUrl, 'POST', auth, 'grant_type=client_credentials', form);
  assert.equal(limited.status, 429);
});

it('v2: an expired token gets 400 {"error":"invalid_request"}, or 401 when so set', async (t) => {
  const sim = await startForTest(t);
  const token = await v2Token(sim);
  sim.expireTokens();
  const expired = await call(`${sim.v2BaseUrl}/admin/v2/users`, 'GET', `Bearer ${token}`);
  assert.equal(expired.status, 400);
  assert.deepEqual(expired.body, { error: 'invalid_request' });
  sim.settings.expiredTokenStatus = 401;
  assert.equal((await call(`${sim.v2BaseUrl}/admin/v2/users`, 'GET', `Bearer ${token}`)).status, 401);
});

it('v2: a missing scope is a 403 that names nothing', async (t) => {
  const readOnly = { key: 'ro', secret: 'ro-secret', scopes: ['admin.users:read'] };
  const sim = await startForTest(t, { v2Keys: [readOnly] });
  const token = await v2Token(sim, readOnly);
  assert.equal((await call(`${sim.v2BaseUrl}/admin/v2/users`, 'GET', `Bearer ${token}`)).status, 200);
  const refused = await call(`${sim.v2BaseUrl}/admin/v2/roles`, 'GET', `Bearer ${token}`);
  assert.equal(refused.status, 403);
  assert.deepEqual(refused.body, { message: 'Forbidden' });
  assert.equal((await call(`${sim.v2BaseUrl}/admin/v2/users`, 'POST', `Bearer ${token}`, { email: 'a@example.com', roleId: 2 })).status, 403);
});

it('v2 users: paged with limit ≤ 100; POST full body → 200 pending; no PUT or PATCH; DELETE 204; a deleted email comes back only with {email, roleId}', async (t) => {
  const sim = await startForTest(t, { v2Limits: [] });
  sim.seedUsers(Array.from({ length: 150 }, (_, i) => ({ email: `u${i}@example.com`, name: `U ${i}` })));
  const bearer = `Bearer ${await v2Token(sim)}`;
  const users = `${sim.v2BaseUrl}/admin/v2/users`;
  assert.equal((await call(`${users}?limit=101`, 'GET', bearer)).status, 400);
  assert.equal((await call(`${users}?page=2&limit=100`, 'GET', bearer)).body.length, 50);
  const body = { email: 'new@example.com', password: 'P4ss!word', firstname: 'New', lastname: 'Person', roleId: 2, timezone: 'UTC' };
  const created = await call(users, 'POST', bearer, body);
  assert.equal(created.status, 200);
  assert.equal(created.body.status, 'pending');
  assert.equal((await call(users, 'POST', bearer, body)).body.message, 'Email already in use');
  assert.equal((await call(`${users}/${created.body.id}`, 'PUT', bearer, body)).status, 405);
  assert.equal((await call(`${users}/${created.body.id}`, 'PATCH', bearer, { roleId: 1 })).status, 405);
  assert.equal((await call(`${users}/${created.body.id}`, 'DELETE', bearer)).status, 204);
  const again = await call(users, 'POST', bearer, body);
  assert.equal(again.status, 400);
  assert.equal(again.body.message, 'Email already in use');
  const back = await call(users, 'POST', bearer, { email: 'new@example.com', roleId: 1 });
  assert.equal(back.status, 200);
  assert.equal(back.body.roleId, 1);
  const roles = await call(`${sim.v2BaseUrl}/admin/v2/roles`, 'GET', bearer);
  assert.deepEqual(roles.body.map((r: { label: string }) => r.label), ['Full Admin', 'Read Only', 'Block Page Bypass', 'Reporting Only']);
});

it('v2 limits: 5 a second per key, then 429, Retry-After on every other refusal (sometimes)', async (t) => {
  const sim = await startForTest(t, { v2Limits: [{ limit: 5, windowMs: 1_000 }], retryAfter: 'sometimes' });
  const bearer = `Bearer ${await v2Token(sim)}`;
  const statuses: number[] = [];
  const retryAfter: (string | null)[] = [];
  for (let i = 0; i < 8; i++) {
    const res = await call(`${sim.v2BaseUrl}/admin/v2/roles`, 'GET', bearer);
    statuses.push(res.status);
    if (res.status === 429) retryAfter.push(res.headers.get('retry-after'));
  }
  assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429, 429]);
  assert.equal(retryAfter.filter((r) => r !== null).length, 2);
  assert.equal(retryAfter[1], null);
});

it('v2 limits: 14 a minute, time-scaled (a minute lasts 60 ms at 1/1000)', async (t) => {
  const sim = await startForTest(t, { v2Limits: [{ limit: 14, windowMs: 60_000 }], timeScale: 1 / 1000, retryAfter: 'always' });
  const bearer = `Bearer ${await v2Token(sim)}`;
  let ok = 0;
  let limited;
  for (let i = 0; i < 15; i++) {
    const res = await call(`${sim.v2BaseUrl}/admin/v2/roles`, 'GET', bearer);
    if (res.status === 200) ok += 1;
    else limited = res;
  }
  assert.ok(ok >= 14);
  if (limited) assert.ok(Number(limited.headers.get('retry-after')) >= 1, 'in the vendor seconds');
  await new Promise((r) => setTimeout(r, 70));
  assert.equal((await call(`${sim.v2BaseUrl}/admin/v2/roles`, 'GET', bearer)).status, 200);
});

it('v1 and v2 see the same users; the last admin cannot be deleted over v2 either', async (t) => {
  const sim = await startForTest(t, { v2Limits: [] });
  const [admin] = sim.seedUsers([{ email: 'admin@example.com', role: 'Full Admin' }]);
  const bearer = `Bearer ${await v2Token(sim)}`;
  const refused = await call(`${sim.v2BaseUrl}/admin/v2/users/${admin?.id}`, 'DELETE', bearer);
  assert.equal(refused.status, 400);
  assert.match(refused.body.message, /last Full Admin/);
});
