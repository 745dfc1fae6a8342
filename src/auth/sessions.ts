// Sessions for browsers and the CLI. The holder keeps a random value; the database keeps only its
// sha256, so a copy of the database signs no one in. Each request looks the session up with its
// account, so a disabled account or a new role counts from the next request.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Queryable } from '../store/database.ts';
import type { Identity } from './identity.ts';
import { identityOfOperator, type OperatorRow } from './operators.ts';

export type SessionKind = 'browser' | 'cli';

export interface SessionLimits {
  /** Ends after this long without a request. */
  idleMs: number;
  /** Ends this long after sign-in, however busy. */
  lifetimeMs: number;
}

export type SessionSettings = Record<SessionKind, SessionLimits>;

export const defaultSessionSettings: SessionSettings = {
  browser: { idleMs: 30 * 60_000, lifetimeMs: 12 * 3600_000 },
  cli: { idleMs: 7 * 24 * 3600_000, lifetimeMs: 30 * 24 * 3600_000 },
};

/** A session's last-seen time is written at most this often. */
const TOUCH_EVERY_MS = 30_000;

const VALUE = /^rss_[A-Za-z0-9_-]{43}$/;

export const sessionHash = (value: string) => createHash('sha256').update(value).digest('hex');

/** The CSRF token bound to a session: derived from its value, useless without it, different for every session. */
export function csrfTokenFor(sessionValue: string): string {
  return createHash('sha256').update(`roster csrf\0${sessionValue}`).digest('base64url');
}

export function csrfTokenMatches(sessionValue: string, presented: string | undefined): boolean {
  if (!presented) return false;
  const expected = Buffer.from(csrfTokenFor(sessionValue));
  const given = Buffer.from(presented);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export interface NewSession {
  value: string;
  csrfToken: string;
  expiresAt: Date;
}

export async function createSession(db: Queryable, operatorId: string, kind: SessionKind, now: Date, settings: SessionSettings = defaultSessionSettings): Promise<NewSession> {
  const value = `rss_${randomBytes(32).toString('base64url')}`;
  const expiresAt = new Date(now.getTime() + settings[kind].lifetimeMs);
  await db.query('insert into operator_sessions (id_hash, operator_id, kind, created_at, last_seen_at, expires_at) values ($1, $2, $3, $4, $4, $5)', [sessionHash(value), operatorId, kind, now, expiresAt]);
  return { value, csrfToken: csrfTokenFor(value), expiresAt };
}

export interface LiveSession {
  identity: Identity;
  kind: SessionKind;
  username: string;
  expiresAt: Date;
}

/** The identity a session value stands for now, or undefined (unknown, revoked, idle, expired, account disabled). */
export async function resolveSession(db: Queryable, value: string, now: Date, settings: SessionSettings = defaultSessionSettings, kind?: SessionKind): Promise<LiveSession | undefined> {
  if (!VALUE.test(value)) return undefined;
  const [row] = await db.query<OperatorRow & { kind: SessionKind; last_seen_at: Date; expires_at: Date; revoked_at: Date | null; operator_id: string }>(
    `select o.*, s.kind, s.last_seen_at, s.expires_at, s.revoked_at, s.operator_id
       from operator_sessions s join operators o on o.id = s.operator_id
      where s.id_hash = $1`,
    [sessionHash(value)],
  );
  if (!row || row.revoked_at !== null || row.disabled_at !== null) return undefined;
  if (kind !== undefined && row.kind !== kind) return undefined;
  const at = now.getTime();
  if (at >= row.expires_at.getTime()) return undefined;
  if (at - row.last_seen_at.getTime() >= settings[row.kind].idleMs) return undefined;
  if (at - row.last_seen_at.getTime() >= TOUCH_EVERY_MS) {
    await db.query('update operator_sessions set last_seen_at = $2 where id_hash = $1 and last_seen_at < $2', [sessionHash(value), now]);
  }
  return { identity: identityOfOperator({ id: row.operator_id, username: row.username, role: row.role }), kind: row.kind, username: row.username, expiresAt: row.expires_at };
}

/** Ends a session; answers whether one was live. */
export async function revokeSession(db: Queryable, value: string): Promise<boolean> {
  const rows = await db.query('update operator_sessions set revoked_at = now() where id_hash = $1 and revoked_at is null returning id_hash', [sessionHash(value)]);
  return rows.length > 0;
}
