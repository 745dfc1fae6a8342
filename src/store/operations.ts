import type { Queryable } from './database.ts';

/**
 * queued → running (claimed under a lease) → done | failed | skipped, or → staged (written to an
 * app that stages writes, not live yet) → done once the app made it live.
 */
export type OperationState = 'queued' | 'running' | 'staged' | 'done' | 'failed' | 'skipped';

export interface Operation {
  key: string;
  planId: string;
  changeId: string;
  appName: string;
  kind: string;
  state: OperationState;
  attempts: number;
  waits: number;
  claimedBy: string | null;
  leaseUntil: Date | null;
  notBefore: Date | null;
  lastError: string | null;
  result: Record<string, unknown> | null;
}

interface OperationRow {
  key: string;
  plan_id: string;
  change_id: string;
  app_name: string;
  kind: string;
  state: OperationState;
  attempts: number;
  waits: number;
  claimed_by: string | null;
  lease_until: Date | null;
  not_before: Date | null;
  last_error: string | null;
  result: Record<string, unknown> | null;
}

const toOperation = (r: OperationRow): Operation => ({
  key: r.key,
  planId: r.plan_id,
  changeId: r.change_id,
  appName: r.app_name,
  kind: r.kind,
  state: r.state,
  attempts: r.attempts,
  waits: r.waits,
  claimedBy: r.claimed_by,
  leaseUntil: r.lease_until,
  notBefore: r.not_before,
  lastError: r.last_error,
  result: r.result,
});

/** Operations not finished: what a resume or a sweep has to see to. */
export const unfinishedStates: readonly OperationState[] = ['queued', 'running', 'staged'];

/** The idempotency key of a change in a plan: retried or resumed, it is the same operation. */
export function operationKey(planId: string, changeId: string): string {
  return `${planId}:${changeId}`;
}

/** Creates the operations of a plan that do not exist yet; returns those not finished. */
export async function ensureOperations(db: Queryable, planId: string, changes: readonly { id: string; app: string; kind: string }[]): Promise<Operation[]> {
  if (changes.length > 0) {
    await db.query(
      `insert into operations (key, plan_id, change_id, app_name, kind, state)
       select x.key, $2, x.change_id, x.app_name, x.kind, 'queued' from jsonb_to_recordset($1::jsonb) as x(key text, change_id text, app_name text, kind text)
       on conflict (key) do nothing`,
      [JSON.stringify(changes.map((c) => ({ key: operationKey(planId, c.id), change_id: c.id, app_name: c.app, kind: c.kind }))), planId],
    );
  }
  return (await db.query<OperationRow>("select * from operations where plan_id = $1 and state in ('queued', 'running', 'staged') order by key", [planId])).map(toOperation);
}

/**
 * Takes an operation for this worker under a lease: a queued one, or a running or staged one whose
 * lease ran out or that nobody holds. Answers undefined when another worker's lease holds it or it
 * is finished. A staged operation stays staged: what is left of it is making it live.
 */
export async function claimOperation(db: Queryable, key: string, worker: string, leaseMs: number): Promise<Operation | undefined> {
  const [row] = await db.query<OperationRow>(
    `update operations
        set state = case when state = 'staged' then 'staged' else 'running' end, claimed_by = $2,
            lease_until = now() + make_interval(secs => $3::double precision / 1000), attempts = attempts + 1, updated_at = now()
      where key = $1
        and (state = 'queued' or (state in ('running', 'staged') and (claimed_by is null or lease_until is null or lease_until < now())))
      returning *`,
    [key, worker, leaseMs],
  );
  return row ? toOperation(row) : undefined;
}

/** Keeps this worker's leases alive while it works (a heartbeat). */
export async function extendLeases(db: Queryable, worker: string, keys: readonly string[], leaseMs: number): Promise<void> {
  if (keys.length === 0) return;
  await db.query(
    "update operations set lease_until = now() + make_interval(secs => $3::double precision / 1000) where key = any($2::text[]) and claimed_by = $1 and state in ('running', 'staged')",
    [worker, keys, leaseMs],
  );
}

/** Written to an app that stages writes: not done until the app makes it live. Still held by this worker. */
export async function stageOperation(db: Queryable, key: string, result: Record<string, unknown>): Promise<void> {
  await db.query("update operations set state = 'staged', result = $2::jsonb, last_error = null, updated_at = now() where key = $1", [key, JSON.stringify(result)]);
}

export async function finishOperation(db: Queryable, key: string, result?: Record<string, unknown>): Promise<void> {
  await db.query(
    "update operations set state = 'done', result = coalesce($2::jsonb, result), last_error = null, claimed_by = null, lease_until = null, not_before = null, updated_at = now() where key = $1",
    [key, result === undefined ? null : JSON.stringify(result)],
  );
}

/**
 * Back to the queue: a retry (spends an attempt, already counted at claim) or a wait (counted in
 * waits; the attempt it took is given back). A staged operation stays staged.
 */
export async function requeueOperation(db: Queryable, key: string, error: string, notBefore: Date | null, as: 'retry' | 'wait'): Promise<void> {
  await db.query(
    `update operations
        set state = case when state = 'staged' then 'staged' else 'queued' end, last_error = $2, not_before = $3, claimed_by = null, lease_until = null,
            waits = waits + $4, attempts = attempts - $4, updated_at = now()
      where key = $1`,
    [key, error, notBefore, as === 'wait' ? 1 : 0],
  );
}

/**
 * Hands this worker's claims back untouched (it is shutting down before starting them): queued
 * again at once, the attempt the claim counted given back, so another worker takes them now
 * rather than when the lease runs out. A staged operation stays staged. Answers those released.
 */
export async function releaseOperations(db: Queryable, worker: string, keys: readonly string[]): Promise<Operation[]> {
  if (keys.length === 0) return [];
  const rows = await db.query<OperationRow>(
    `update operations
        set state = case when state = 'staged' then 'staged' else 'queued' end, claimed_by = null, lease_until = null,
            attempts = greatest(attempts - 1, 0), updated_at = now()
      where key = any($2::text[]) and claimed_by = $1 and state in ('running', 'staged')
      returning *`,
    [worker, keys],
  );
  return rows.map(toOperation);
}

export async function failOperation(db: Queryable, key: string, error: string): Promise<void> {
  await db.query("update operations set state = 'failed', last_error = $2, claimed_by = null, lease_until = null, updated_at = now() where key = $1", [key, error]);
}

/** Not carried out, with why (its plan or change was rejected, or it no longer holds). */
export async function skipOperation(db: Queryable, key: string, reason: string): Promise<void> {
  await db.query("update operations set state = 'skipped', last_error = $2, claimed_by = null, lease_until = null, updated_at = now() where key = $1", [key, reason]);
}

export async function planOperations(db: Queryable, planId: string): Promise<Operation[]> {
  return (await db.query<OperationRow>('select * from operations where plan_id = $1 order by key', [planId])).map(toOperation);
}

export async function getOperation(db: Queryable, key: string): Promise<Operation | undefined> {
  const [row] = await db.query<OperationRow>('select * from operations where key = $1', [key]);
  return row ? toOperation(row) : undefined;
}

/**
 * Operations whose worker stopped keeping its lease (it crashed, was killed, or lost its host),
 * and queued ones left without a job for long: released so any worker can claim them, and
 * answered so they can be queued again. `everyClaim`: every claim is a dead worker's (the
 * embedded database, which one process at a time can open).
 */
export async function releaseAbandoned(db: Queryable, queuedIdleMs: number, everyClaim = false): Promise<Operation[]> {
  const rows = await db.query<OperationRow>(
    `update operations set claimed_by = null, lease_until = null, not_before = null, updated_at = now()
      where (state in ('running', 'staged') and (lease_until < now() or ($2 and claimed_by is not null)))
         or (state = 'queued' and coalesce(not_before, updated_at) < now() - make_interval(secs => $1::double precision / 1000))
      returning *`,
    [queuedIdleMs, everyClaim],
  );
  return rows.map(toOperation);
}

/** An app's operations that wait for a later time (its quarantine), made due now. */
export async function releaseDeferred(db: Queryable, appName: string): Promise<Operation[]> {
  const rows = await db.query<OperationRow>(
    "update operations set not_before = null, updated_at = now() where app_name = $1 and state in ('queued', 'staged') and claimed_by is null and not_before > now() returning *",
    [appName],
  );
  return rows.map(toOperation);
}

/** How an app's recent operations went: attempts that failed against those that finished. */
export async function recentOutcomes(db: Queryable, appName: string, window = 20): Promise<{ failed: number; total: number }> {
  const [row] = await db.query<{ failed: number; total: number }>(
    `select count(*) filter (where last_error is not null and state not in ('done', 'skipped'))::int as failed, count(*)::int as total
       from (select state, last_error from operations where app_name = $1 and attempts > 0 order by updated_at desc limit $2) recent`,
    [appName, window],
  );
  return row ?? { failed: 0, total: 0 };
}

/**
 * How many of the app's accounts plans switched off (deactivated or deleted: done, or queued to be)
 * within the last `minutes`, leaving out these people's own operations; each account counted once.
 * (`not in` a subquery, hashed: a whole-tenant push leaves out 100,000 people.)
 */
export async function switchedOffLately(db: Queryable, appName: string, minutes: number, exceptPeople: readonly string[]): Promise<number> {
  const except = exceptPeople.flatMap((id) => [`${appName}/deactivate/${id}`, `${appName}/delete/${id}`]);
  const [row] = await db.query<{ n: number }>(
    `select count(distinct substr(change_id, length(app_name) + length(kind) + 3))::int as n from operations
      where app_name = $1 and kind in ('deactivate', 'delete') and state in ('queued', 'running', 'staged', 'done')
        and updated_at > now() - make_interval(mins => $2) and change_id not in (select unnest($3::text[]))`,
    [appName, minutes, except],
  );
  return row?.n ?? 0;
}
