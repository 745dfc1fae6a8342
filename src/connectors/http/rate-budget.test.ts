import { it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../core/clock.ts';
import { priorities, RateBudget } from './rate-budget.ts';

it('spaces requests to the documented rate, per method', async () => {
  const clock = new ManualClock();
  const budget = new RateBudget({ rules: [{ methods: ['GET'], limit: 5, windowMs: 500 }, { methods: ['POST'], limit: 1, windowMs: 1000 }], clock });
  const started = clock.now();
  for (let i = 0; i < 10; i += 1) await budget.acquire('GET');
  const getMs = clock.now() - started;
  assert.ok(getMs >= 400 && getMs <= 500, `5 at once, then 5 more, one every 100 ms (took ${getMs})`);
  assert.deepEqual(clock.sleeps, [100, 100, 100, 100, 100], 'each waited exactly for its token');
  assert.equal(budget.delayFor('POST'), 0, 'POST has its own budget');
  await budget.acquire('POST');
  assert.equal(budget.delayFor('POST'), 1000);
});

it('serves leavers before joiners before reads when they wait', async () => {
  const clock = new ManualClock();
  const budget = new RateBudget({ rules: [{ limit: 1, windowMs: 100 }], clock });
  await budget.acquire('GET');
  const order: string[] = [];
  const waits = [
    budget.acquire('GET', priorities.read).then(() => order.push(`read at ${clock.now() % 1000}`)),
    budget.acquire('POST', priorities.joinerMover).then(() => order.push(`joiner at ${clock.now() % 1000}`)),
    budget.acquire('DELETE', priorities.leaver).then(() => order.push(`leaver at ${clock.now() % 1000}`)),
  ];
  await Promise.all(waits);
  assert.deepEqual(order, ['leaver at 100', 'joiner at 200', 'read at 300']);
});

it('stops everything when the app says nothing is left, until its reset', async () => {
  const clock = new ManualClock({ auto: false });
  const budget = new RateBudget({ rules: [{ limit: 100, windowMs: 1000 }], clock });
  budget.observe({ 'ratelimit-remaining': '0', 'ratelimit-reset': '7' });
  assert.equal(budget.delayFor('GET'), 7000);
  let went = false;
  const waiting = budget.acquire('GET').then(() => (went = true));
  await clock.advance(6999);
  assert.equal(went, false, 'held until the reset');
  await clock.advance(1);
  await waiting;
  assert.equal(budget.delayFor('GET'), 0);
  budget.observe({ 'x-ratelimit-remaining': '12', 'x-ratelimit-reset': '30' });
  assert.equal(budget.delayFor('GET'), 0, 'remaining > 0 does not block');
});

it('runs an hourly limit in a fraction of the time when scaled like the simulator', () => {
  const budget = new RateBudget({ rules: [{ limit: 2, windowMs: 3_600_000 }], timeScale: 1 / 3600, clock: new ManualClock() });
  void budget.acquire('GET');
  void budget.acquire('GET');
  assert.equal(budget.delayFor('GET'), 500, 'the third waits half a scaled hour');
});

it('reads header waits in the app’s own seconds, scaled, and for one method where the app counts per method', async () => {
  const clock = new ManualClock({ auto: false });
  const budget = new RateBudget({ rules: [], timeScale: 1 / 20, headerScope: 'method', clock });
  budget.observe({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1' }, 'POST');
  assert.equal(budget.delayFor('POST'), 50, 'one vendor second at ×20');
  assert.equal(budget.delayFor('GET'), 0, 'a spent POST window does not hold reads');
  assert.equal(budget.scaleWait(2000), 100);
  await clock.advance(50);
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
