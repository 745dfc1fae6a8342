import { createHash } from 'node:crypto';
import { canonical } from '../core/canonical.ts';
import type { Change, HeldApp, PlanBody } from '../core/plan.ts';
import type { Database, Queryable } from './database.ts';
import { readByKey } from './keyset.ts';

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

/** Changes per statement when a plan is written (each slice well under a megabyte of JSON). */
const changesPerSlice = 1000;

/**
 * Saves a plan in one transaction: the plan's row, then its changes a slice at a time (a plan for
 * everyone is tens of megabytes of JSON; see migration 016). The same plan (same id) saved again is
 * kept as first saved. Returns the stored one, as getPlan would read it back.
 */
export async function savePlan(db: Database, plan: Omit<StoredPlan, 'createdAt' | 'status' | 'digest'>): Promise<StoredPlan> {
  // Stored as JSON and read back as JSON: what is returned and digested is what getPlan will give.
  const changes: Change[] = [];
  const slices: string[] = [];
  for (let from = 0; from < plan.changes.length; from += changesPerSlice) {
    const text = JSON.stringify(plan.changes.slice(from, from + changesPerSlice));
    slices.push(text);
    for (const change of JSON.parse(text) as Change[]) changes.push(change);
  }
  const held = JSON.parse(JSON.stringify(plan.held)) as HeldApp[];
  const basis = JSON.parse(JSON.stringify(plan.basis)) as PlanBasis;
  const policy = JSON.parse(JSON.stringify(plan.policy)) as Record<string, unknown>;
  const digest = planDigest({ id: plan.id, requestedBy: plan.requestedBy, basis, changes, held, policy });
  const inserted = await db.transaction(async (tx) => {
    const [row] = await tx.query<Pick<PlanRow, 'created_at' | 'status'>>(
      `insert into plans (id, requested_by, basis, body, policy, digest, change_count) values ($1, $2, $3::jsonb, $4::jsonb, $5::jsonb, $6, $7)
       on conflict (id) do nothing returning created_at, status`,
      [plan.id, plan.requestedBy, JSON.stringify(basis), JSON.stringify({ held }), JSON.stringify(policy), digest, changes.length],
    );
    if (!row) return undefined;
    for (const [index, text] of slices.entries()) {
      await tx.query(
        `insert into plan_changes (plan_id, seq, change_id, app, person_id, remote_id, needs_approval, change)
         select $1, $2 + c.n - 1, c.value->>'id', c.value->>'app', c.value->>'personId', c.value->>'remoteId', jsonb_array_length(c.value->'approval') > 0, c.value
           from jsonb_array_elements($3::jsonb) with ordinality as c(value, n)`,
        [plan.id, index * changesPerSlice, text],
      );
    }
    return row;
  });
  if (inserted) return { id: plan.id, createdAt: inserted.created_at, requestedBy: plan.requestedBy, basis, status: inserted.status, changes, held, policy, digest };
  const stored = await getPlan(db, plan.id);
  if (!stored) throw new Error(`plan ${plan.id} not saved`);
  return stored;
}

interface PlanRow {
  id: string;
  created_at: Date;
  requested_by: string;
  basis: PlanBasis;
  body: { held?: HeldApp[] };
  status: PlanStatus;
  policy: Record<string, unknown>;
  digest: string | null;
}

/**
 * The digest a plan's content must match: over everything a decision on it rests on. The canonical
 * JSON of the whole plan is hashed a change at a time, so no one string holds a plan for everyone.
 */
export function planDigest(plan: Pick<StoredPlan, 'id' | 'requestedBy' | 'basis' | 'changes' | 'held' | 'policy'>): string {
  const hash = createHash('sha256');
  const fields: [string, unknown][] = [
    ['basis', plan.basis],
    ['changes', plan.changes],
    ['held', plan.held],
    ['id', plan.id],
    ['policy', plan.policy],
    ['requestedBy', plan.requestedBy],
  ];
  hash.update('{');
  let first = true;
  for (const [key, value] of fields) {
    if (value === undefined) continue;
    hash.update(`${first ? '' : ','}${JSON.stringify(key)}:`);
    first = false;
    if (key !== 'changes') {
      hash.update(canonical(value));
      continue;
    }
    hash.update('[');
    plan.changes.forEach((change, index) => hash.update(`${index > 0 ? ',' : ''}${canonical(change)}`));
    hash.update(']');
  }
  return hash.update('}').digest('hex');
}

export async function getPlan(db: Queryable, id: string): Promise<StoredPlan | undefined> {
  const [row] = await db.query<PlanRow>('select id, created_at, requested_by, basis, body, status, policy, digest from plans where id = $1', [id]);
  if (!row) return undefined;
  const changes = await readByKey<{ seq: number; change: Change }>(db, 'select seq, change from plan_changes where plan_id = $3 and ($1::int is null or seq > $1::int) order by seq limit $2', [id], 'seq');
  return {
    id: row.id,
    createdAt: row.created_at,
    requestedBy: row.requested_by,
    basis: row.basis,
    status: row.status,
    changes: changes.map((c) => c.change),
    held: row.body.held ?? [],
    policy: row.policy,
    digest: row.digest ?? '',
  };
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
  const digest = "md5(coalesce(string_agg(id || ':' || (extract(epoch from updated_at) * 1000000)::bigint::text, ',' order by id), '')) as digest from people";
  // Two statements, not one with "$1 is null or": a prepared statement's generic plan would read every person for a scope of one.
  const [row] = scope
    ? await db.query<{ digest: string | null }>(`select ${digest} where id = any($1::text[]) or lower(user_name) = any($2::text[])`, [[...scope], scope.map((s) => s.toLowerCase())])
    : await db.query<{ digest: string | null }>(`select ${digest}`);
  return row?.digest ?? '';
}
