import { it } from 'node:test';
import assert from 'node:assert/strict';
import { priorities, RateBudget } from './rate-budget.ts';

it('spaces requests to the documented rate, per method', async () => {
  const budget = new RateBudget({ rules: [{ methods: ['GET'], limit: 5, windowMs: 500 }, { methods: ['POST'], limit: 1, windowMs: 1000 }] });
  const started = Date.now();
  for (let i = 0; i < 10; i += 1) await budget.acquire('GET');
  const getMs = Date.now() - started;
  assert.ok(getMs >= 450 && getMs < 1500, `5 at once, then 5 more over ~500 ms (took ${getMs})`);
  assert.equal(budget.delayFor('POST'), 0, 'POST has its own budget');
  await budget.acquire('POST');
  assert.ok(budget.delayFor('POST') > 900);
});

it('serves leavers before joiners before reads when they wait', async () => {
  const budget = new RateBudget({ rules: [{ limit: 1, windowMs: 100 }] });
  await budget.acquire('GET');
  const order: string[] = [];
  const waits = [
    budget.acquire('GET', priorities.read).then(() => order.push('read')),
    budget.acquire('POST', priorities.joinerMover).then(() => order.push('joiner')),
    budget.acquire('DELETE', priorities.leaver).then(() => order.push('leaver')),
  ];
  await Promise.all(waits);
  assert.deepEqual(order, ['leaver', 'joiner', 'read']);
});

it('stops everything when the app says nothing is left, until its reset', async () => {
  let now = 1_000_000;
  const budget = new RateBudget({ rules: [{ limit: 100, windowMs: 1000 }], now: () => now });
  budget.observe({ 'ratelimit-remaining': '0', 'ratelimit-reset': '7' });
  assert.equal(budget.delayFor('GET'), 7000);
  now += 7000;
  assert.equal(budget.delayFor('GET'), 0);
  budget.observe({ 'x-ratelimit-remaining': '12', 'x-ratelimit-reset': '30' });
  assert.equal(budget.delayFor('GET'), 0, 'remaining > 0 does not block');
});

it('runs an hourly limit in a fraction of the time when scaled like the simulator', () => {
  const budget = new RateBudget({ rules: [{ limit: 2, windowMs: 3_600_000 }], timeScale: 1 / 3600 });
  void budget.acquire('GET');
  void budget.acquire('GET');
  const delay = budget.delayFor('GET');
  assert.ok(delay > 0 && delay <= 500, `the third waits about half a scaled hour (${delay} ms)`);
});

it('reads header waits in the app’s own seconds, scaled, and for one method where the app counts per method', () => {
  let now = 5_000_000;
  const budget = new RateBudget({ rules: [], timeScale: 1 / 20, headerScope: 'method', now: () => now });
  budget.observe({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1' }, 'POST');
  assert.equal(budget.delayFor('POST'), 50, 'one vendor second at ×20');
  assert.equal(budget.delayFor('GET'), 0, 'a spent POST window does not hold reads');
  assert.equal(budget.scaleWait(2000), 100);
  now += 50;
  assert.equal(budget.delayFor('POST'), 0);
});

it('a rule for some paths counts only requests to them (ZIA list lookups at 1/s inside GET at 2/s)', async () => {
  const budget = new RateBudget({ rules: [{ methods: ['GET'], limit: 2, windowMs: 1000 }, { methods: ['GET'], paths: ['/users'], limit: 1, windowMs: 1000 }] });
  await budget.acquire('GET', priorities.read, '/users');
  assert.ok(budget.delayFor('GET', '/users') > 400, 'the next lookup waits for its own second');
  assert.equal(budget.delayFor('GET', '/users/42'), 0, 'a single read does not');
  await budget.acquire('GET', priorities.read, '/users/42');
  assert.ok(budget.delayFor('GET', '/status') > 400, 'both counted against GET');
});
