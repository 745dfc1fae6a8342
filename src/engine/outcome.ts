import type { ErrorCode } from '../errors.ts';

/** How the executor answers each kind of failure: data beside the error codes, read by one pure rule. */
export const failureHandling: Record<ErrorCode, 'retry' | 'wait' | 'escalate'> = {
  config_invalid: 'escalate',
  input_invalid: 'escalate',
  auth_failed: 'escalate',
  forbidden: 'escalate',
  not_found: 'escalate',
  conflict: 'escalate',
  bad_request: 'escalate',
  precondition_failed: 'escalate',
  unsupported: 'escalate',
  // The app asked roster to come back later: a wait, not a failed attempt.
  rate_limited: 'wait',
  app_unreachable: 'retry',
  app_error: 'retry',
  invalid_response: 'retry',
};

/** How often and how patiently an operation is tried: every count is bounded, whatever the cause. */
export interface AttemptPolicy {
  /** Failed attempts before the change is escalated (the first try included). */
  maxAttempts: number;
  /** Waits (the app asked for time, or a prerequisite is not done yet) before it is escalated. */
  maxWaits: number;
  /** The first retry's delay; it doubles per attempt up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const defaultAttemptPolicy: AttemptPolicy = { maxAttempts: 6, maxWaits: 40, baseDelayMs: 1000, maxDelayMs: 5 * 60_000 };

/** What went wrong, as the rule needs to know it. */
export type Failure =
  | { kind: 'error'; code: ErrorCode | 'unexpected'; message: string; retryAfterMs?: number | undefined }
  /** The change needs another change of its plan done first (a membership waits for its create). */
  | { kind: 'prerequisite'; state: 'pending' | 'failed' | 'absent'; prerequisite: string; message: string };

export type FailureDecision =
  | { kind: 'retry'; delayMs: number; reason: string }
  | { kind: 'wait'; delayMs: number; reason: string }
  | { kind: 'escalate'; reason: string };

/**
 * The executor's one rule for a failure: retry with backoff, wait (rescheduled, not a sleep), or
 * escalate to a person with the reason. `attempts` and `waits` count what was spent before this
 * failure, this one included for attempts.
 */
export function decideFailure(failure: Failure, spent: { attempts: number; waits: number }, policy: AttemptPolicy = defaultAttemptPolicy): FailureDecision {
  const backoff = (n: number) => Math.min(policy.baseDelayMs * 2 ** Math.max(0, n - 1), policy.maxDelayMs);
  if (failure.kind === 'prerequisite') {
    if (failure.state === 'failed') return { kind: 'escalate', reason: `its prerequisite ${failure.prerequisite} did not happen: ${failure.message}` };
    if (failure.state === 'absent') return { kind: 'escalate', reason: `${failure.message}, and this plan does not create it; sync and plan again` };
    if (spent.waits >= policy.maxWaits) return { kind: 'escalate', reason: `gave up after ${spent.waits} waits for its prerequisite ${failure.prerequisite}` };
    return { kind: 'wait', delayMs: backoff(spent.waits + 1), reason: `waits for ${failure.prerequisite}` };
  }
  const handling = failure.code === 'unexpected' ? 'retry' : failureHandling[failure.code];
  if (handling === 'escalate') return { kind: 'escalate', reason: failure.message };
  if (handling === 'wait' && failure.retryAfterMs !== undefined) {
    if (spent.waits >= policy.maxWaits) return { kind: 'escalate', reason: `still asked to wait after ${spent.waits} waits: ${failure.message}` };
    return { kind: 'wait', delayMs: Math.max(failure.retryAfterMs, 1000), reason: failure.message };
  }
  if (spent.attempts >= policy.maxAttempts) return { kind: 'escalate', reason: `failed ${spent.attempts} times: ${failure.message}` };
  return { kind: 'retry', delayMs: backoff(spent.attempts), reason: failure.message };
}
