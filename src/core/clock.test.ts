import { it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock, systemClock } from './clock.ts';

it('a manual clock wakes sleepers in time order at once, time moving only by what they slept', async () => {
  const clock = new ManualClock({ start: 0 });
  const woke: string[] = [];
  const started = performance.now();
  await Promise.all([
    clock.sleep(3_600_000).then(() => woke.push(`hour at ${clock.now()}`)),
    clock.sleep(50).then(() => woke.push(`50 at ${clock.now()}`)),
    clock.sleep(50).then(() => woke.push(`second 50 at ${clock.now()}`)),
  ]);
  assert.deepEqual(woke, ['50 at 50', 'second 50 at 50', 'hour at 3600000']);
  assert.ok(performance.now() - started < 1000, 'an hour of sleeping took no wall time');
  assert.deepEqual(clock.sleeps, [3_600_000, 50, 50]);
});

it('a manual clock without auto moves only by advance(), and aborts like the system clock', async () => {
  const clock = new ManualClock({ start: 0, auto: false });
  let woke = false;
  const sleeping = clock.sleep(100).then(() => (woke = true));
  await clock.advance(99);
  assert.equal(woke, false);
  await clock.advance(1);
  await sleeping;
  assert.equal(clock.now(), 100);

  const controller = new AbortController();
  const aborted = clock.sleep(1000, controller.signal);
  controller.abort(new Error('stop'));
  await assert.rejects(aborted, /stop/);
  assert.equal(clock.pending, 0);
  const wallController = new AbortController();
  const wall = systemClock.sleep(60_000, wallController.signal);
  wallController.abort(new Error('stop waiting'));
  await assert.rejects(wall, /stop waiting/);
});
