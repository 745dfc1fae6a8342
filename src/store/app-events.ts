// Where an app's own audit events sit in roster's trail: the SQL the engine's ingestion needs.
// Each event is one audit_events row of its source's action, whose detail carries the app's `_id`
// and `timestamp` (epoch seconds).
import type { Queryable } from './database.ts';

/** The newest event time recorded for this app and action, epoch seconds; undefined when none is. */
export async function newestAppEventTimestamp(db: Queryable, action: string, appName: string): Promise<number | undefined> {
  const rows = await db.query<{ newest: string | number | null }>(
    `select max((detail->>'timestamp')::double precision) as newest from audit_events where action = $1 and app_name = $2`,
    [action, appName],
  );
  const newest = rows[0]?.newest;
  return newest === null || newest === undefined ? undefined : Number(newest);
}

/** The app's `_id`s already recorded at or after `since` (epoch seconds). */
export async function recordedAppEventIds(db: Queryable, action: string, appName: string, since: number): Promise<Set<string>> {
  const rows = await db.query<{ id: string }>(
    `select detail->>'_id' as id from audit_events where action = $1 and app_name = $2 and (detail->>'timestamp')::double precision >= $3`,
    [action, appName, since],
  );
  return new Set(rows.map((r) => r.id));
}

/** Holds, until the transaction ends, the lock that makes one ingest of this app's events at a time. */
export async function lockAppEvents(tx: Queryable, key: string): Promise<void> {
  await tx.query('select pg_advisory_xact_lock(hashtext($1))', [key]);
}
