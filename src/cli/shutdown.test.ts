import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { trapShutdown } from './shutdown.ts';

describe('stopping a long-running command from inside', () => {
  it('stops the work as a signal would and keeps the reason, so the command can exit non-zero', async () => {
    const trap = trapShutdown('test', 60);
    try {
      assert.equal(trap.failure, undefined);
      trap.fail('the embedded database stopped');
      assert.equal(trap.signal.aborted, true);
      assert.equal(await trap.requested, 'SIGTERM');
      assert.equal(trap.failure, 'the embedded database stopped');
    } finally {
      trap.dispose();
    }
  });

  it('keeps the first reason, and a stop already asked for by a signal is not called a failure', async () => {
    const failedTwice = trapShutdown('test', 60);
    try {
      failedTwice.fail('first');
      failedTwice.fail('second');
      assert.equal(failedTwice.failure, 'first');
    } finally {
      failedTwice.dispose();
    }
    const signalled = trapShutdown('test', 60);
    try {
      process.emit('SIGTERM', 'SIGTERM');
      await signalled.requested;
      signalled.fail('too late');
      assert.equal(signalled.failure, undefined);
    } finally {
      signalled.dispose();
    }
  });
});
