import { createHash } from 'node:crypto';
import { canonical } from '../core/canonical.ts';
import type { PlanBody } from '../core/plan.ts';
import type { Queryable } from './database.ts';

export interface PlanBasis {
  /** A digest of every person's id and last update (of just `peopleScope`, when the plan is narrowed to them). */
  people: string;
  /** The people (ids or userNames) a narrowed plan is for: only their changes make it stale. */
  peopleScope?: string[] | undefined;
  /** Per app: the sync its accounts came from, and a digest of its policy. */
  apps: Record<string, { syncId: number | null; policy: string }>;
  /** The rejected plan this one replaces when nothing else changed (so it gets an id of its own). */
  replaces?: string | undefined;
  /**
   * The agent that drafted it: an agent's plan is its own (a person's plan of the same state has
   * another id), so an agent never becomes the requester of a person's plan, nor the reverse.
   */
  agent?: string | undefined;
}

export type PlanStatus = 'planned' | 'applying' | 'applied' | 'rejected';

export interface StoredPlan extends PlanBody {
  id: string;
  createdAt: Date;
  requestedBy: string;
  basis: PlanBasis;
  status: PlanStatus;
  /** The policy in force per app when the plan was made, whole. */
  policy: Record<string, unknown>;
  /** sha256 over id, requester, basis, body and policy: apply refuses a plan that does not match it. */
  digest: string;
}

export interface Approval {
  id: number;
  planId: string;
  /** The digest of the plan as it was approved. */
  planDigest: string | null;
  changeId: string | null;
  decision: 'approved' | 'rejected';
  decidedBy: string;
  decidedAt: Date;
  note: string | null;
}

/** Saves a plan; the same plan (same id) saved again is kept as first saved. Returns the stored one. */
export async function savePlan(db: Queryable, plan: Omit<StoredPlan, 'createdAt' | 'status' | 'digest'>): Promise<StoredPlan> {
  // A plan for everyone is tens of megabytes of JSON: written once, and not read back when it is new.
  const bodyText = JSON.stringify({ changes: plan.changes, held: plan.held });
  const body = JSON.parse(bodyText) as PlanBody;
  const basis = JSON.parse(JSON.stringify(plan.basis)) as PlanBasis;
  const policy = JSON.parse(JSON.stringify(plan.policy)) as Record<string, unknown>;
  const digest = planDigest({ id: plan.id, requestedBy: plan.requestedBy, basis, changes: body.changes, held: body.held, policy });
  const [inserted] = await db.query<Pick<PlanRow, 'created_at' | 'status'>>(
    `insert into plans (id, requested_by, basis, body, policy, digest) values ($1, $2, $3::jsonb, $4::jsonb, $5::jsonb, $6) on conflict (id) do nothing returning created_at, status`,
    [plan.id, plan.requestedBy, JSON.stringify(basis), bodyText, JSON.stringify(policy), digest],
  );
  if (inserted) return { id: plan.id, createdAt: inserted.created_at, requestedBy: plan.requestedBy, basis, status: inserted.status, changes: body.changes, held: body.held, policy, digest };
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
  policy: Record<string, unknown>;
  digest: string | null;
}

const toPlan = (r: PlanRow): StoredPlan => ({
  id: r.id,
  createdAt: r.created_at,
  requestedBy: r.requested_by,
  basis: r.basis,
  status: r.status,
  changes: r.body.changes,
  held: r.body.held,
  policy: r.policy,
  digest: r.digest ?? '',
});

/** The digest a plan's content must match: over everything a decision on it rests on. */
export function planDigest(plan: Pick<StoredPlan, 'id' | 'requestedBy' | 'basis' | 'changes' | 'held' | 'policy'>): string {
  return createHash('sha256')
    .update(canonical({ id: plan.id, requestedBy: plan.requestedBy, basis: plan.basis, changes: plan.changes, held: plan.held, policy: plan.policy }))
    .digest('hex');
}

export async function getPlan(db: Queryable, id: string): Promise<StoredPlan | undefined> {
  const [row] = await db.query<PlanRow>('select * from plans where id = $1', [id]);
  return row ? toPlan(row) : undefined;
}

/** Plans whose id starts with the prefix (people type the first few characters); the prefix is text, never a pattern. */
export async function findPlans(db: Queryable, idPrefix: string): Promise<string[]> {
  const rows = await db.query<{ id: string }>('select id from plans where starts_with(id, $1) order by created_at desc limit 5', [idPrefix]);
  return rows.map((r) => r.id);
}

export async function listPlans(db: Queryable, limit = 20): Promise<Pick<StoredPlan, 'id' | 'createdAt' | 'requestedBy' | 'status'>[]> {
  const rows = await db.query<PlanRow>('select id, created_at, requested_by, status from plans order by created_at desc limit $1', [limit]);
  return rows.map((r) => ({ id: r.id, createdAt: r.created_at, requestedBy: r.requested_by, status: r.status }));
}

/** Just a plan's status and digest: what is read again before each of its changes. */
export async function planSeal(db: Queryable, id: string): Promise<{ status: PlanStatus; digest: string | null } | undefined> {
  const [row] = await db.query<{ status: PlanStatus; digest: string | null }>('select status, digest from plans where id = $1', [id]);
  return row;
}

export async function setPlanStatus(db: Queryable, id: string, status: PlanStatus): Promise<void> {
  await db.query('update plans set status = $2 where id = $1', [id, status]);
}

export async function recordApproval(db: Queryable, approval: Omit<Approval, 'decidedAt' | 'id'>): Promise<number> {
  const [row] = await db.query<{ id: number }>('insert into approvals (plan_id, change_id, decision, decided_by, note, plan_digest) values ($1, $2, $3, $4, $5, $6) returning id', [
    approval.planId,
    approval.changeId,
    approval.decision,
    approval.decidedBy,
    approval.note,
    approval.planDigest,
  ]);
  return Number(row?.id);
}

export async function approvalsFor(db: Queryable, planId: string): Promise<Approval[]> {
  const rows = await db.query<{ id: number; plan_id: string; change_id: string | null; decision: Approval['decision']; decided_by: string; decided_at: Date; note: string | null; plan_digest: string | null }>(
    'select * from approvals where plan_id = $1 order by id',
    [planId],
  );
  return rows.map((r) => ({ id: Number(r.id), planId: r.plan_id, planDigest: r.plan_digest, changeId: r.change_id, decision: r.decision, decidedBy: r.decided_by, decidedAt: r.decided_at, note: r.note }));
}

/** The digest of every person's id and last update (or just these people's, by id or userName), for plan staleness. */
export async function peopleDigest(db: Queryable, scope?: readonly string[]): Promise<string> {
  const [row] = await db.query<{ digest: string | null }>(
    `select md5(coalesce(string_agg(id || ':' || (extract(epoch from updated_at) * 1000000)::bigint::text, ',' order by id), '')) as digest from people
      where $1::text[] is null or id = any($1::text[]) or lower(user_name) = any($2::text[])`,
    [scope ? [...scope] : null, scope ? scope.map((s) => s.toLowerCase()) : null],
  );
  return row?.digest ?? '';
}
