// Password sign-in, the one road for the CLI, the login page and POST /api/session: throttled,
// audited, and as slow for an unknown username as for a wrong password.
import { recordAudit } from '../audit/trail.ts';
import type { Database } from '../store/database.ts';
import type { Identity } from './identity.ts';
import { identityOfOperator, operatorRowByUsername } from './operators.ts';
import { verifyPassword } from './passwords.ts';
import { createSession, type NewSession, type SessionKind, type SessionSettings, defaultSessionSettings } from './sessions.ts';
import { clearFailures, defaultThrottleSettings, lockedUntil, recordFailure, type ThrottleSettings } from './throttle.ts';
import { normaliseUsername } from './usernames.ts';

export interface SignInRequest {
  username: string;
  password: string;
  /** The client's address (for the per-address limit); the CLI has none. */
  address?: string | undefined;
  kind: SessionKind;
  now: Date;
  sessions?: SessionSettings | undefined;
  throttle?: ThrottleSettings | undefined;
}

export type SignInResult =
  | { ok: true; identity: Identity; username: string; session: NewSession }
  | { ok: false; reason: 'invalid' | 'locked' | 'disabled'; message: string; retryAfterSeconds?: number };

export const invalidCredentials = 'wrong username or password';

export async function signIn(db: Database, request: SignInRequest): Promise<SignInResult> {
  const normal = normaliseUsername(request.username);
  // An invalid name is recorded as such, never as typed: people type passwords into the name field.
  const username = normal.ok ? normal.username : '(not a valid username)';
  const address = request.address;
  const audit = (action: string, outcome: 'ok' | 'failed', actor: string, detail: Record<string, unknown> = {}) =>
    recordAudit(db, { actor, action, target: normal.ok ? `operator:${username}` : undefined, outcome, detail: { username, via: request.kind, ...(address ? { address } : {}), ...detail } });

  const locked = await lockedUntil(db, { username, address }, request.now);
  if (locked) {
    const retryAfterSeconds = Math.max(1, Math.ceil((locked.getTime() - request.now.getTime()) / 1000));
    await audit('auth.sign_in_refused', 'failed', 'anonymous', { reason: 'locked', retryAfterSeconds });
    return { ok: false, reason: 'locked', retryAfterSeconds, message: `too many failed sign-ins; try again in ${retryAfterSeconds} s` };
  }

  const row = normal.ok ? await operatorRowByUsername(db, username) : undefined;
  const matches = await verifyPassword(request.password, row?.password_hash);
  if (!row || !matches) {
    const until = await recordFailure(db, { username, address }, request.now, request.throttle ?? defaultThrottleSettings);
    await audit('auth.sign_in_failed', 'failed', 'anonymous', { reason: 'invalid credentials' });
    if (until) {
      const retryAfterSeconds = Math.max(1, Math.ceil((until.getTime() - request.now.getTime()) / 1000));
      await audit('auth.locked', 'failed', 'system', { retryAfterSeconds });
      return { ok: false, reason: 'locked', retryAfterSeconds, message: `${invalidCredentials}; too many failed sign-ins, try again in ${retryAfterSeconds} s` };
    }
    return { ok: false, reason: 'invalid', message: invalidCredentials };
  }
  const identity = identityOfOperator(row);
  if (row.disabled_at !== null) {
    await audit('auth.sign_in_failed', 'failed', identity.actor, { reason: 'account disabled' });
    return { ok: false, reason: 'disabled', message: `account ${username} is disabled; an admin can enable it` };
  }
  await clearFailures(db, username);
  const session = await createSession(db, row.id, request.kind, request.now, request.sessions ?? defaultSessionSettings);
  await audit('auth.signed_in', 'ok', identity.actor, { method: 'password' });
  return { ok: true, identity, username, session };
}
