import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startZiaSimulator } from './simulator.ts';
import { ziaClient, ziaSession } from './testing.ts';

const sim = await startZiaSimulator({ rateLimits: false, oneApiToken: 'one-api-test-token', activationMs: 0 });
after(() => sim.close());

test('the OneAPI prefix serves the same paths with a bearer token and no cookie', async () => {
  const api = ziaClient(sim.oneApiBaseUrl, { authorization: 'Bearer one-api-test-token' });
  const dept = (await (await api.get('/departments')).json())[0];
  const group = (await (await api.get('/groups')).json())[0];
  const created = await api.post('/users', {
    name: 'Via OneAPI',
    email: 'oneapi@example.com',
    password: 'Str0ng!pass',
    groups: [{ id: group.id }],
    department: { id: dept.id },
  });
  assert.equal(created.status, 200);
  assert.equal((await (await api.get('/status')).json()).status, 'PENDING');
  await api.post('/status/activate');
  assert.deepEqual(
    sim.state.liveUsers().map((u) => u.email),
    ['oneapi@example.com'],
  );
  // Same tenant seen from the legacy prefix.
  const legacy = await ziaSession(sim.baseUrl);
  assert.equal(((await (await legacy.get('/users')).json()) as unknown[]).length, 1);
});

test('OneAPI refuses a missing or wrong bearer, and does not take the session cookie', async () => {
  const legacy = await ziaSession(sim.baseUrl);
  for (const headers of [{}, { authorization: 'Bearer nope' }, { cookie: legacy.cookie }] as Array<Record<string, string>>) {
    assert.equal((await ziaClient(sim.oneApiBaseUrl, headers).get('/users')).status, 401);
  }
  const bearerOnLegacy = await ziaClient(sim.baseUrl, { authorization: 'Bearer one-api-test-token' }).get('/users');
  assert.equal(bearerOnLegacy.status, 401);
  assert.equal((await bearerOnLegacy.json()).code, 'SESSION_NOT_VALID');
});

test('every request is logged with method, path and status', async () => {
  const before = sim.requests.length;
  const api = ziaClient(sim.oneApiBaseUrl, { authorization: 'Bearer one-api-test-token' });
  await api.get('/users?page=2&pageSize=5');
  await api.get('/nothing-here');
  const logged = sim.requests.slice(before);
  assert.deepEqual(
    logged.map(({ method, path, query, status }) => ({ method, path, query, status })),
    [
      { method: 'GET', path: '/zia/api/v1/users', query: '?page=2&pageSize=5', status: 200 },
      { method: 'GET', path: '/zia/api/v1/nothing-here', query: '', status: 404 },
    ],
  );
});

test('injected faults reach clients (shared FaultInjector)', async () => {
  const api = ziaClient(sim.oneApiBaseUrl, { authorization: 'Bearer one-api-test-token' });
  sim.faults.set({ serverError: { count: 1, status: 500 } });
  const res = await api.get('/users');
  assert.equal(res.status, 500);
  assert.equal((await res.json()).code, 'UNEXPECTED_ERROR');
  assert.equal((await api.get('/users')).status, 200);
});
