import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startZiaSimulator, type ZiaSimulatorOptions } from './simulator.ts';
import { ziaSession } from './testing.ts';

/** A simulator on a hand-driven clock, so windows never roll over mid-test by accident. */
async function withSim(options: ZiaSimulatorOptions, body: (s: Awaited<ReturnType<typeof setup>>) => Promise<void>) {
  const s = await setup(options);
  try {
    await body(s);
  } finally {
    await s.sim.close();
  }
}
async function setup(options: ZiaSimulatorOptions) {
  const clock = { t: Date.now() };
  const sim = await startZiaSimulator({ ...options, now: () => clock.t });
  const zia = await ziaSession(sim.baseUrl);
  return { sim, zia, clock };
}

test('GET: 2 per second per session, then 429 with retry-after header and body (recorded form)', async () => {
  await withSim({}, async ({ zia, clock }) => {
    const a = await zia.get('/status');
    assert.equal(a.status, 200);
    assert.equal(a.headers.get('x-ratelimit-limit'), '2');
    assert.equal(a.headers.get('x-ratelimit-remaining'), '1');
    assert.ok(a.headers.get('x-ratelimit-reset'));
    assert.equal((await zia.get('/status')).status, 200);
    const refused = await zia.get('/status');
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('retry-after'), '1');
    assert.deepEqual(await refused.json(), { message: 'Rate Limit (2/SECOND) exceeded', 'Retry-After': '1 seconds' });
    assert.equal(refused.headers.get('x-ratelimit-remaining'), '0');
    // A different method has its own budget.
    assert.equal((await zia.post('/status/activate')).status, 200);
    clock.t += 1000;
    assert.equal((await zia.get('/status')).status, 200);
  });
});

test('the seed form: 429 with no Retry-After anywhere', async () => {
  await withSim({ retryAfterStyle: 'none' }, async ({ zia }) => {
    await zia.post('/status/activate');
    const refused = await zia.post('/status/activate');
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('retry-after'), null);
    const body = await refused.json();
    assert.equal(body['Retry-After'], undefined);
    assert.equal(body.message, 'Rate Limit (1/SECOND) exceeded');
  });
});

test('DELETE: 1 a minute and 4 an hour', async () => {
  await withSim({ users: Array.from({ length: 6 }, (_, i) => ({ name: `D${i}`, email: `d${i}@example.com` })) }, async ({ sim, zia, clock }) => {
    const ids = sim.state.draftUsers().map((u) => u.id);
    assert.equal((await zia.delete(`/users/${ids[0]}`)).status, 204);
    const second = await zia.delete(`/users/${ids[1]}`);
    assert.equal(second.status, 429);
    assert.equal(second.headers.get('retry-after'), '60');
    assert.match((await second.json()).message, /1\/MINUTE/);
    for (let i = 1; i < 4; i++) {
      clock.t += 60_000;
      assert.equal((await zia.delete(`/users/${ids[i]}`)).status, 204);
    }
    clock.t += 60_000;
    const hourly = await zia.delete(`/users/${ids[4]}`);
    assert.equal(hourly.status, 429);
    assert.match((await hourly.json()).message, /4\/HOUR/);
    assert.ok(Number(hourly.headers.get('retry-after')) > 60);
  });
});

test('limits are per session: a second session has its own budget', async () => {
  await withSim({}, async ({ sim, zia }) => {
    await zia.get('/status');
    await zia.get('/status');
    assert.equal((await zia.get('/status')).status, 429);
    const other = await ziaSession(sim.baseUrl);
    assert.equal((await other.get('/status')).status, 200);
  });
});

test('timeScale shrinks the hourly window: 1/3600 makes the hour last a second', async () => {
  await withSim({ timeScale: 1 / 3600, rateLimits: { GET: [{ limit: 3, windowMs: 3_600_000 }] } }, async ({ zia, clock }) => {
    for (let i = 0; i < 3; i++) assert.equal((await zia.get('/status')).status, 200);
    const refused = await zia.get('/status');
    assert.equal(refused.status, 429);
    assert.match((await refused.json()).message, /3\/HOUR/);
    clock.t += 1000;
    assert.equal((await zia.get('/status')).status, 200);
  });
});

test('rate-limit headers come on error answers too; rateLimits false removes them', async () => {
  await withSim({}, async ({ zia }) => {
    const missing = await zia.get('/users/42');
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get('x-ratelimit-limit'), '2');
  });
  await withSim({ rateLimits: false }, async ({ zia }) => {
    for (let i = 0; i < 10; i++) assert.equal((await zia.get('/users')).status, 200);
    assert.equal((await zia.get('/users')).headers.get('x-ratelimit-limit'), null);
  });
});

test('list lookups (/users, /groups, /departments) are held to 1 a second, as recorded, below GET\'s 2; single reads are not', async () => {
  await withSim({ users: [{ name: 'One', email: 'one@example.com' }] }, async ({ sim, zia, clock }) => {
    assert.equal((await zia.get('/users?name=One')).status, 200);
    const refused = await zia.get('/users?page=2');
    assert.equal(refused.status, 429);
    assert.deepEqual(await refused.json(), { message: 'Rate Limit (1/SECOND) exceeded', 'Retry-After': '1 seconds' });
    assert.equal((await zia.get(`/users/${sim.state.draftUsers()[0]?.id}`)).status, 200, 'GET /users/{id} only counts against GET');
    clock.t += 1000;
    assert.equal((await zia.get('/users')).status, 200);
    assert.equal((await zia.get('/groups')).status, 200, 'each path has its own second');
  });
  await withSim({ slowReads: {} }, async ({ zia }) => {
    assert.equal((await zia.get('/users')).status, 200);
    assert.equal((await zia.get('/users')).status, 200, 'slowReads {}: the documented 2 a second only');
  });
});
