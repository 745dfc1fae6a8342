import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startZiaSimulator } from './simulator.ts';
import { ziaSession } from './testing.ts';

async function withSim(body: (s: { sim: Awaited<ReturnType<typeof startZiaSimulator>>; zia: Awaited<ReturnType<typeof ziaSession>>; clock: { t: number } }) => Promise<void>) {
  const clock = { t: Date.now() };
  const sim = await startZiaSimulator({ rateLimits: false, now: () => clock.t, users: [{ name: 'Locked', email: 'locked@example.com', department: 'Sales', groups: ['Employees'] }] });
  try {
    await body({ sim, zia: await ziaSession(sim.baseUrl), clock });
  } finally {
    await sim.close();
  }
}

test('the edit lock refuses every method, GET included, with 409 {"code":"EDIT_LOCK_NOT_AVAILABLE"} and no message, for N requests', async () => {
  await withSim(async ({ sim, zia }) => {
    const id = sim.state.draftUsers()[0]?.id;
    sim.state.lockOrg({ requests: 4 });
    const answers = [await zia.get('/users'), await zia.get(`/users/${id}`), await zia.put(`/users/${id}`, { id, name: 'x', email: 'locked@example.com' }), await zia.post('/status/activate')];
    assert.deepEqual(answers.map((r) => r.status), [409, 409, 409, 409]);
    assert.deepEqual(await answers[0]?.json(), { code: 'EDIT_LOCK_NOT_AVAILABLE' });
    assert.equal((await zia.get('/users')).status, 200, 'released after 4 refusals');
    assert.equal(sim.state.draftUsers()[0]?.name, 'Locked', 'nothing refused was done');
    assert.equal(sim.state.orgLockRefusals, 4);
  });
});

test('the org barrier (412) and blocked access (409 or 401) in their own words, for a time window', async () => {
  await withSim(async ({ sim, zia, clock }) => {
    sim.state.lockOrg({ form: 'org-barrier', forMs: 60_000 });
    const barrier = await zia.get('/users');
    assert.equal(barrier.status, 412);
    assert.deepEqual(await barrier.json(), { message: 'Failed during enter Org barrier' });
    clock.t += 59_000;
    assert.equal((await zia.get('/status')).status, 412, 'still inside the window');
    clock.t += 1_000;
    assert.equal((await zia.get('/status')).status, 200, 'the window is over');
    sim.state.lockOrg({ form: 'resource-blocked' });
    const blocked = await zia.post('/users/bulkDelete', { ids: [1] });
    assert.equal(blocked.status, 409);
    assert.deepEqual(await blocked.json(), { message: 'Resource Access Blocked' });
    sim.state.lockOrg({ form: 'resource-blocked', status: 401, requests: 1 });
    assert.equal((await zia.get('/users')).status, 401);
    sim.state.unlockOrg();
    assert.equal((await zia.get('/users')).status, 200);
  });
});

test('logging in is not held by the lock', async () => {
  await withSim(async ({ sim }) => {
    sim.state.lockOrg({});
    await ziaSession(sim.baseUrl);
  });
});
