// Sign-in throttling, kept in the database so every roster process shares it: a few failures per
// username (and more per client address) in a window, then a lockout until the window ends.
import type { Queryable } from '../store/database.ts';

export interface ThrottleSettings {
  /** Failed sign-ins for one username before it is locked. */
  perUsername: number;
  /** Failed sign-ins from one address (any usernames) before it is locked. */
  perAddress: number;
  windowMs: number;
  lockMs: number;
}

export const defaultThrottleSettings: ThrottleSettings = { perUsername: 5, perAddress: 20, windowMs: 15 * 60_000, lockMs: 15 * 60_000 };

export interface ThrottleKeys {
  username: string;
  address: string | undefined;
}

const keysOf = (k: ThrottleKeys) => [`user:${k.username}`, ...(k.address ? [`address:${k.address}`] : [])];

/** When the first lock on these keys ends, or undefined when none is locked. */
export async function lockedUntil(db: Queryable, keys: ThrottleKeys, now: Date): Promise<Date | undefined> {
  const rows = await db.query<{ locked_until: Date }>('select locked_until from sign_in_throttle where key = any($1) and locked_until > $2 order by locked_until desc', [keysOf(keys), now]);
  return rows[0]?.locked_until;
}

/** Counts a failure on each key; answers when a lock it started or extended ends, if one did. */
export async function recordFailure(db: Queryable, keys: ThrottleKeys, now: Date, settings: ThrottleSettings = defaultThrottleSettings): Promise<Date | undefined> {
  let until: Date | undefined;
  for (const key of keysOf(keys)) {
    const limit = key.startsWith('user:') ? settings.perUsername : settings.perAddress;
    const [row] = await db.query<{ failures: number; locked_until: Date | null }>(
      `insert into sign_in_throttle as t (key, failures, window_started_at) values ($1, 1, $2)
       on conflict (key) do update set
         failures = case when t.window_started_at <= $2::timestamptz - make_interval(secs => $3::double precision / 1000) then 1 else t.failures + 1 end,
         window_started_at = case when t.window_started_at <= $2::timestamptz - make_interval(secs => $3::double precision / 1000) then $2 else t.window_started_at end
       returning failures, locked_until`,
      [key, now, settings.windowMs],
    );
    if (row && row.failures >= limit) {
      const lockEnd = new Date(now.getTime() + settings.lockMs);
      await db.query('update sign_in_throttle set locked_until = $2 where key = $1', [key, lockEnd]);
      if (!until || lockEnd > until) until = lockEnd;
    }
  }
  return until;
}

/** A successful sign-in clears its username's failures (an address keeps its count, so one good account cannot reset a spray). */
export async function clearFailures(db: Queryable, username: string): Promise<void> {
  await db.query('delete from sign_in_throttle where key = $1', [`user:${username}`]);
}
