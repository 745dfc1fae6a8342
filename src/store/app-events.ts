// Where an app's own audit events sit in roster's trail: the SQL the engine's ingestion needs.
// Each event is one audit_events row of its source's action, whose detail carries the app's `_id`
// and `timestamp` (epoch seconds).
import type { Queryable } from './database.ts';

/** Where the last read of this app's events ended (epoch seconds of the app's storing time); undefined before the first. */
export async function lastAppEventRead(db: Queryable, readAction: string, appName: string): Promise<number | undefined> {
  const rows = await db.query<{ until: string | number | null }>(
    `select max((detail->>'until')::double precision) as until from audit_events where action = $1 and app_name = $2`,
    [readAction, appName],
  );
  const until = rows[0]?.until;
  return until === null || until === undefined ? undefined : Number(until);
}

/** Which of these `_id`s are recorded already, whatever their event time (late events have old ones). */
export async function recordedAppEventIds(db: Queryable, action: string, appName: string, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.query<{ id: string }>(`select detail->>'_id' as id from audit_events where action = $1 and app_name = $2 and detail->>'_id' = any($3::text[])`, [action, appName, ids]);
  return new Set(rows.map((r) => r.id));
}

/** Holds, until the transaction ends, the lock that makes one ingest of this app's events at a time. */
export async function lockAppEvents(tx: Queryable, key: string): Promise<void> {
  await tx.query('select pg_advisory_xact_lock(hashtext($1))', [key]);
}
