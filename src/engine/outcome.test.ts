import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ErrorCode } from '../errors.ts';
import { decideFailure, type AttemptPolicy } from './outcome.ts';

const policy: AttemptPolicy = { maxAttempts: 3, maxWaits: 4, baseDelayMs: 1000, maxDelayMs: 3000 };
const error = (code: ErrorCode, retryAfterMs?: number) => ({ kind: 'error' as const, code, message: `boom (${code})`, retryAfterMs });

describe('decideFailure: one rule for every failure', () => {
  it('a 400, a 403, a 404 or a refused credential is escalated at once with its reason', () => {
    for (const code of ['bad_request', 'forbidden', 'not_found', 'auth_failed', 'input_invalid'] as const) {
      assert.deepEqual(decideFailure(error(code), { attempts: 1, waits: 0 }, policy), { kind: 'escalate', reason: `boom (${code})` });
    }
  });

  it('a 5xx or an unreachable app is retried with a doubling, capped delay, then escalated', () => {
    assert.deepEqual(decideFailure(error('app_error'), { attempts: 1, waits: 0 }, policy), { kind: 'retry', delayMs: 1000, reason: 'boom (app_error)' });
    assert.deepEqual(decideFailure(error('app_unreachable'), { attempts: 2, waits: 0 }, policy), { kind: 'retry', delayMs: 2000, reason: 'boom (app_unreachable)' });
    const last = decideFailure(error('app_error'), { attempts: 3, waits: 0 }, policy);
    assert.equal(last.kind, 'escalate');
    assert.match(last.reason, /failed 3 times: boom/);
    assert.equal(decideFailure({ kind: 'error', code: 'unexpected', message: 'x' }, { attempts: 1, waits: 9 }, policy).kind, 'retry');
  });

  it('a 429 with Retry-After is a wait of that long that spends no attempt, and waits are bounded too', () => {
    assert.deepEqual(decideFailure(error('rate_limited', 3_600_000), { attempts: 3, waits: 0 }, policy), { kind: 'wait', delayMs: 3_600_000, reason: 'boom (rate_limited)' });
    assert.deepEqual(decideFailure(error('rate_limited', 10), { attempts: 1, waits: 0 }, policy), { kind: 'wait', delayMs: 1000, reason: 'boom (rate_limited)' }, 'never sooner than a second');
    const tired = decideFailure(error('rate_limited', 500), { attempts: 1, waits: 4 }, policy);
    assert.equal(tired.kind, 'escalate');
    assert.match(tired.reason, /still asked to wait after 4 waits/);
    assert.equal(decideFailure(error('rate_limited'), { attempts: 1, waits: 0 }, policy).kind, 'retry', 'a 429 with no wait named is an ordinary retry');
  });

  it('a membership whose create failed fails with that reason; one whose create is pending waits, boundedly', () => {
    const failed = decideFailure({ kind: 'prerequisite', state: 'failed', prerequisite: 'hr/create/p1', message: 'hr answered 400' }, { attempts: 1, waits: 0 }, policy);
    assert.deepEqual(failed, { kind: 'escalate', reason: 'its prerequisite hr/create/p1 did not happen: hr answered 400' });
    assert.deepEqual(decideFailure({ kind: 'prerequisite', state: 'pending', prerequisite: 'hr/create/p1', message: '' }, { attempts: 1, waits: 1 }, policy), { kind: 'wait', delayMs: 2000, reason: 'waits for hr/create/p1' });
    assert.equal(decideFailure({ kind: 'prerequisite', state: 'pending', prerequisite: 'hr/create/p1', message: '' }, { attempts: 1, waits: 4 }, policy).kind, 'escalate');
    assert.match(decideFailure({ kind: 'prerequisite', state: 'absent', prerequisite: 'hr/create/p1', message: 'the account does not exist' }, { attempts: 1, waits: 0 }, policy).reason, /does not create it/);
  });
});
