import type { Queryable } from './database.ts';

export type OperationState = 'queued' | 'running' | 'done' | 'failed';

export interface Operation {
  key: string;
  planId: string;
  changeId: string;
  appName: string;
  kind: string;
  state: OperationState;
  attempts: number;
  claimedBy: string | null;
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
  claimed_by: string | null;
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
  claimedBy: r.claimed_by,
  notBefore: r.not_before,
  lastError: r.last_error,
  result: r.result,
});

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
  return (await db.query<OperationRow>("select * from operations where plan_id = $1 and state in ('queued', 'running') order by key", [planId])).map(toOperation);
}

/**
 * Takes an operation for this worker: only a queued one, or a running one whose worker is known
 * dead (`staleClaims`). Answers undefined when another worker has it or it is finished.
 */
export async function claimOperation(db: Queryable, key: string, worker: string, staleClaims: readonly string[] = []): Promise<Operation | undefined> {
  const [row] = await db.query<OperationRow>(
    `update operations set state = 'running', claimed_by = $2, attempts = attempts + 1, updated_at = now()
      where key = $1 and (state = 'queued' or (state = 'running' and claimed_by = any($3::text[])))
      returning *`,
    [key, worker, staleClaims],
  );
  return row ? toOperation(row) : undefined;
}

export async function finishOperation(db: Queryable, key: string, result: Record<string, unknown>): Promise<void> {
  await db.query("update operations set state = 'done', result = $2::jsonb, last_error = null, claimed_by = null, updated_at = now() where key = $1", [key, JSON.stringify(result)]);
}

/** Back to the queue (a retry or a wait), with the reason kept. */
export async function requeueOperation(db: Queryable, key: string, error: string, notBefore?: Date): Promise<void> {
  await db.query("update operations set state = 'queued', last_error = $2, not_before = $3, claimed_by = null, updated_at = now() where key = $1", [key, error, notBefore ?? null]);
}

export async function failOperation(db: Queryable, key: string, error: string): Promise<void> {
  await db.query("update operations set state = 'failed', last_error = $2, claimed_by = null, updated_at = now() where key = $1", [key, error]);
}

export async function planOperations(db: Queryable, planId: string): Promise<Operation[]> {
  return (await db.query<OperationRow>('select * from operations where plan_id = $1 order by key', [planId])).map(toOperation);
}

/** Running operations claimed by a worker of this host whose process is gone (after a crash). */
export async function claimsOnHost(db: Queryable, host: string): Promise<string[]> {
  const rows = await db.query<{ claimed_by: string }>("select distinct claimed_by from operations where state = 'running' and claimed_by like $1 || ':%'", [host]);
  return rows.map((r) => r.claimed_by);
}

/** How an app's recent operations went: attempts that failed against those that finished. */
export async function recentOutcomes(db: Queryable, appName: string, window = 20): Promise<{ failed: number; total: number }> {
  const [row] = await db.query<{ failed: number; total: number }>(
    `select count(*) filter (where last_error is not null and state <> 'done')::int as failed, count(*)::int as total
       from (select state, last_error from operations where app_name = $1 and attempts > 0 order by updated_at desc limit $2) recent`,
    [appName, window],
  );
  return row ?? { failed: 0, total: 0 };
}
