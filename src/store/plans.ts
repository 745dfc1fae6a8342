import type { PlanBody } from '../core/plan.ts';
import type { Queryable } from './database.ts';

export interface PlanBasis {
  /** A digest of every person's id and last update. */
  people: string;
  /** Per app: the sync its accounts came from, and a digest of its policy. */
  apps: Record<string, { syncId: number | null; policy: string }>;
}

export type PlanStatus = 'planned' | 'applying' | 'applied' | 'rejected';

export interface StoredPlan extends PlanBody {
  id: string;
  createdAt: Date;
  requestedBy: string;
  basis: PlanBasis;
  status: PlanStatus;
}

export interface Approval {
  planId: string;
  changeId: string | null;
  decision: 'approved' | 'rejected';
  decidedBy: string;
  decidedAt: Date;
  note: string | null;
}

/** Saves a plan; the same plan (same id) saved again is kept as first saved. Returns the stored one. */
export async function savePlan(db: Queryable, plan: Omit<StoredPlan, 'createdAt' | 'status'>): Promise<StoredPlan> {
  await db.query(
    `insert into plans (id, requested_by, basis, body) values ($1, $2, $3::jsonb, $4::jsonb) on conflict (id) do nothing`,
    [plan.id, plan.requestedBy, JSON.stringify(plan.basis), JSON.stringify({ changes: plan.changes, held: plan.held })],
  );
  const stored = await getPlan(db, plan.id);
  if (!stored) throw new Error(`plan ${plan.id} not saved`);
  return stored;
}

interface PlanRow {
  id: string;
  created_at: Date;
  requested_by: string;
  basis: PlanBasis;
  body: PlanBody;
  status: PlanStatus;
}

const toPlan = (r: PlanRow): StoredPlan => ({ id: r.id, createdAt: r.created_at, requestedBy: r.requested_by, basis: r.basis, status: r.status, changes: r.body.changes, held: r.body.held });

export async function getPlan(db: Queryable, id: string): Promise<StoredPlan | undefined> {
  const [row] = await db.query<PlanRow>('select * from plans where id = $1', [id]);
  return row ? toPlan(row) : undefined;
}

/** Plans whose id starts with the prefix (people type the first few characters). */
export async function findPlans(db: Queryable, idPrefix: string): Promise<string[]> {
  const rows = await db.query<{ id: string }>("select id from plans where id like $1 || '%' order by created_at desc limit 5", [idPrefix]);
  return rows.map((r) => r.id);
}

export async function listPlans(db: Queryable, limit = 20): Promise<Omit<StoredPlan, 'changes' | 'held' | 'basis'>[]> {
  const rows = await db.query<PlanRow>('select id, created_at, requested_by, status from plans order by created_at desc limit $1', [limit]);
  return rows.map((r) => ({ id: r.id, createdAt: r.created_at, requestedBy: r.requested_by, status: r.status }));
}

export async function setPlanStatus(db: Queryable, id: string, status: PlanStatus): Promise<void> {
  await db.query('update plans set status = $2 where id = $1', [id, status]);
}

export async function recordApproval(db: Queryable, approval: Omit<Approval, 'decidedAt'>): Promise<void> {
  await db.query('insert into approvals (plan_id, change_id, decision, decided_by, note) values ($1, $2, $3, $4, $5)', [
    approval.planId,
    approval.changeId,
    approval.decision,
    approval.decidedBy,
    approval.note,
  ]);
}

export async function approvalsFor(db: Queryable, planId: string): Promise<Approval[]> {
  const rows = await db.query<{ plan_id: string; change_id: string | null; decision: Approval['decision']; decided_by: string; decided_at: Date; note: string | null }>(
    'select * from approvals where plan_id = $1 order by id',
    [planId],
  );
  return rows.map((r) => ({ planId: r.plan_id, changeId: r.change_id, decision: r.decision, decidedBy: r.decided_by, decidedAt: r.decided_at, note: r.note }));
}

/** The digest of every person's id and last update, for plan staleness. */
export async function peopleDigest(db: Queryable): Promise<string> {
  const [row] = await db.query<{ digest: string | null }>(
    "select md5(coalesce(string_agg(id || ':' || (extract(epoch from updated_at) * 1000000)::bigint::text, ',' order by id), '')) as digest from people",
  );
  return row?.digest ?? '';
}
