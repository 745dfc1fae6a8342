import { recordAudit } from '../audit/trail.ts';
import type { Change } from '../core/plan.ts';
import { RosterError } from '../errors.ts';
import type { Database } from '../store/database.ts';
import { approvalsFor, findPlans, getPlan, recordApproval, setPlanStatus, type Approval, type StoredPlan } from '../store/plans.ts';

/** A plan by its id or an unambiguous prefix of it. */
export async function resolvePlan(db: Database, idOrPrefix: string): Promise<StoredPlan> {
  const exact = await getPlan(db, idOrPrefix);
  if (exact) return exact;
  const matches = idOrPrefix.length >= 4 ? await findPlans(db, idOrPrefix) : [];
  if (matches.length === 1 && matches[0]) {
    const plan = await getPlan(db, matches[0]);
    if (plan) return plan;
  }
  if (matches.length > 1) throw new RosterError('input_invalid', `plan id ${idOrPrefix} is ambiguous (${matches.join(', ')}); give more of it`);
  throw new RosterError('not_found', `no plan ${idOrPrefix}; roster plan makes one`);
}

export interface Decision {
  actor: string;
  /** Change ids; absent: the whole plan. */
  changeIds?: readonly string[] | undefined;
  note?: string | undefined;
}

/**
 * Records an approval or a rejection. Four eyes: the person who requested the plan cannot decide
 * on it. Deciding on changes the plan does not hold is refused, so a typo never approves nothing.
 */
export async function decide(db: Database, planId: string, decision: 'approved' | 'rejected', by: Decision): Promise<StoredPlan> {
  const plan = await resolvePlan(db, planId);
  if (plan.requestedBy === by.actor) {
    await recordAudit(db, { actor: by.actor, action: `plan.${decision === 'approved' ? 'approve' : 'reject'}_refused`, target: plan.id, outcome: 'failed', detail: { reason: 'requester cannot decide on their own plan' } });
    throw new RosterError('forbidden', `${by.actor} requested plan ${plan.id} and cannot ${decision === 'approved' ? 'approve' : 'reject'} it; another person must (four-eyes rule)`);
  }
  if (plan.status === 'applied' || plan.status === 'rejected') throw new RosterError('input_invalid', `plan ${plan.id} is already ${plan.status}`);
  const ids = by.changeIds ?? [];
  const unknown = ids.filter((id) => !plan.changes.some((c) => c.id === id));
  if (unknown.length > 0) throw new RosterError('input_invalid', `plan ${plan.id} has no change ${unknown.join(', ')}`);
  await db.transaction(async (tx) => {
    if (ids.length === 0) await recordApproval(tx, { planId: plan.id, changeId: null, decision, decidedBy: by.actor, note: by.note ?? null });
    for (const id of ids) await recordApproval(tx, { planId: plan.id, changeId: id, decision, decidedBy: by.actor, note: by.note ?? null });
    if (decision === 'rejected' && ids.length === 0) await setPlanStatus(tx, plan.id, 'rejected');
    await recordAudit(tx, { actor: by.actor, action: `plan.${decision}`, target: plan.id, detail: { changes: ids.length > 0 ? ids : 'all', note: by.note ?? null } });
  });
  return resolvePlan(db, plan.id);
}

export interface Gate {
  /** Changes that may run now. */
  ready: Change[];
  /** Changes waiting for a second person, with why. */
  waiting: { change: Change; why: string[] }[];
  rejected: Change[];
}

/** Sorts a plan's changes by what the approvals allow. */
export function gate(plan: StoredPlan, approvals: readonly Approval[]): Gate {
  const wholePlan = approvals.filter((a) => a.changeId === null).at(-1)?.decision;
  const perChange = new Map<string, Approval['decision']>();
  for (const a of approvals) if (a.changeId) perChange.set(a.changeId, a.decision);
  const result: Gate = { ready: [], waiting: [], rejected: [] };
  for (const change of plan.changes) {
    const decision = perChange.get(change.id) ?? wholePlan;
    if (decision === 'rejected') result.rejected.push(change);
    else if (change.approval.length === 0 || decision === 'approved') result.ready.push(change);
    else result.waiting.push({ change, why: change.approval });
  }
  return result;
}

export async function planGate(db: Database, plan: StoredPlan): Promise<Gate> {
  return gate(plan, await approvalsFor(db, plan.id));
}
