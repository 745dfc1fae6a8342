// Work in flight per plan with its progress, failures with their reasons, and work deferred.
import type { Queryable } from '../../store/database.ts';
import { safeText } from './safe-text.ts';

export interface PlanProgress {
  planId: string;
  planStatus: string;
  requestedBy: string;
  total: number;
  queued: number;
  running: number;
  staged: number;
  done: number;
  failed: number;
  skipped: number;
  updatedAt: string;
}

export interface OperationView {
  key: string;
  planId: string;
  changeId: string;
  app: string;
  kind: string;
  state: string;
  attempts: number;
  notBefore: string | null;
  reason: string | null;
  updatedAt: string;
}

export interface OperationsView {
  inFlight: PlanProgress[];
  failures: OperationView[];
  deferred: OperationView[];
}

const toView = (r: { key: string; plan_id: string; change_id: string; app_name: string; kind: string; state: string; attempts: number; not_before: Date | null; last_error: string | null; updated_at: Date }): OperationView => ({
  key: r.key,
  planId: r.plan_id,
  changeId: r.change_id,
  app: r.app_name,
  kind: r.kind,
  state: r.state,
  attempts: r.attempts,
  notBefore: r.not_before?.toISOString() ?? null,
  reason: r.last_error === null ? null : safeText(r.last_error),
  updatedAt: r.updated_at.toISOString(),
});

export async function operationsView(db: Queryable, options: { limit: number } = { limit: 50 }): Promise<OperationsView> {
  const progress = await db.query<{ plan_id: string; status: string; requested_by: string; total: number; queued: number; running: number; staged: number; done: number; failed: number; skipped: number; updated_at: Date }>(
    `select o.plan_id, p.status, p.requested_by, count(*)::int as total,
            count(*) filter (where o.state = 'queued')::int as queued, count(*) filter (where o.state = 'running')::int as running,
            count(*) filter (where o.state = 'staged')::int as staged, count(*) filter (where o.state = 'done')::int as done,
            count(*) filter (where o.state = 'failed')::int as failed, count(*) filter (where o.state = 'skipped')::int as skipped,
            max(o.updated_at) as updated_at
       from operations o join plans p on p.id = o.plan_id
      where o.plan_id in (select distinct plan_id from operations where state in ('queued', 'running', 'staged') or updated_at > now() - interval '10 minutes')
      group by o.plan_id, p.status, p.requested_by order by max(o.updated_at) desc limit $1`,
    [options.limit],
  );
  const failures = await db.query<Parameters<typeof toView>[0]>("select * from operations where state = 'failed' order by updated_at desc limit $1", [options.limit]);
  const deferred = await db.query<Parameters<typeof toView>[0]>("select * from operations where state in ('queued', 'staged') and not_before > now() order by not_before limit $1", [options.limit]);
  return {
    inFlight: progress.map((r) => ({ planId: r.plan_id, planStatus: r.status, requestedBy: r.requested_by, total: r.total, queued: r.queued, running: r.running, staged: r.staged, done: r.done, failed: r.failed, skipped: r.skipped, updatedAt: r.updated_at.toISOString() })),
    failures: failures.map(toView),
    deferred: deferred.map(toView),
  };
}
