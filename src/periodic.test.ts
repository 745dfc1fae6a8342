import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { runEvery } from './periodic.ts';

describe('a job run at an interval', () => {
  it('runs again and again, one run at a time, through a failing run, and not after stop, which waits for the run in progress', async () => {
    let runs = 0;
    let running = 0;
    let overlapped = false;
    let finished = 0;
    const periodic = runEvery(5, async () => {
      runs += 1;
      running += 1;
      overlapped ||= running > 1;
      await sleep(20);
      running -= 1;
      finished += 1;
      if (runs === 2) throw new Error('one bad run');
    });
    await sleep(150);
    await periodic.stop();
    assert.ok(runs >= 3, `ran ${runs} times`);
    assert.equal(overlapped, false, 'a run started while another was going');
    assert.equal(finished, runs, 'stop answered before the run in progress finished');
    const after = runs;
    await sleep(50);
    assert.equal(runs, after, 'a run started after stop');
  });
});
