import { queryAudit, recordAudit } from '../audit/trail.ts';
import { sameActor } from '../auth/usernames.ts';
import type { Change } from '../core/plan.ts';
import { RosterError } from '../errors.ts';
import type { Database, Queryable } from '../store/database.ts';
import { approvalsFor, findPlans, getPlan, planDigest, recordApproval, setPlanStatus, type Approval, type StoredPlan } from '../store/plans.ts';

/** A plan by its id or an unambiguous prefix of it. */
export async function resolvePlan(db: Queryable, idOrPrefix: string): Promise<StoredPlan> {
  if (!/^[0-9a-f]{4,64}$/i.test(idOrPrefix)) throw new RosterError('input_invalid', `plan ids are hexadecimal (at least 4 characters), not ${JSON.stringify(idOrPrefix.slice(0, 40))}`);
  const exact = await getPlan(db, idOrPrefix.toLowerCase());
  if (exact) return exact;
  const matches = await findPlans(db, idOrPrefix.toLowerCase());
  if (matches.length === 1 && matches[0]) {
    const plan = await getPlan(db, matches[0]);
    if (plan) return plan;
  }
  if (matches.length > 1) throw new RosterError('input_invalid', `plan id ${idOrPrefix} is ambiguous (${matches.join(', ')}); give more of it`);
  throw new RosterError('not_found', `no plan ${idOrPrefix}; roster plan makes one`);
}

/**
 * Proves a plan is the one that was made: its content matches its digest, and the trail recorded
 * that digest when the plan was created. A plan edited in the database fails here.
 */
export async function verifyPlan(db: Queryable, plan: StoredPlan): Promise<void> {
  const refuse = (why: string) => new RosterError('input_invalid', `plan ${plan.id} cannot be trusted: ${why}; nothing was done — make a new plan with roster plan`);
  if (!plan.digest) throw refuse('it was made before plans were sealed with a digest');
  if (planDigest(plan) !== plan.digest) throw refuse('its content was changed after it was made (it no longer matches its digest)');
  const created = await queryAudit(db, { action: 'plan.created', target: plan.id, limit: 1000 });
  if (!created.some((e) => e.detail.digest === plan.digest)) throw refuse('the audit trail has no record of a plan with this content being made');
}

export interface Decision {
  /** The deciding identity's actor (Identity.actor), never a name someone typed. */
  actor: string;
  /** Whom an API token acts for (Identity.owner): four eyes treats the decision as theirs too. */
  onBehalfOf?: string | undefined;
  /** Change ids; absent: the whole plan. */
  changeIds?: readonly string[] | undefined;
  note?: string | undefined;
}

/**
 * Records an approval or a rejection. Four eyes: the person who requested the plan cannot decide
 * on it. Deciding on changes the plan does not hold is refused, so a typo never approves nothing;
 * a decision already recorded is not recorded twice.
 */
export async function decide(db: Database, planId: string, decision: 'approved' | 'rejected', by: Decision): Promise<StoredPlan> {
  const plan = await resolvePlan(db, planId);
  const verb = decision === 'approved' ? 'approve' : 'reject';
  if (await isRequester(db, plan.requestedBy, by)) {
    await recordAudit(db, { actor: by.actor, action: `plan.${verb}_refused`, target: plan.id, outcome: 'failed', detail: { reason: 'requester cannot decide on their own plan' } });
    throw new RosterError('forbidden', `${by.actor} requested plan ${plan.id} and cannot ${verb} it; another person must (four-eyes rule)`);
  }
  await verifyPlan(db, plan);
  if (plan.status === 'applied' || plan.status === 'rejected') throw new RosterError('input_invalid', `plan ${plan.id} is already ${plan.status}`);
  const ids = [...new Set(by.changeIds ?? [])];
  const unknown = ids.filter((id) => !plan.changes.some((c) => c.id === id));
  if (unknown.length > 0) throw new RosterError('input_invalid', `plan ${plan.id} has no change ${unknown.join(', ')}`);
  const current = gate(plan, await trustedApprovals(db, plan));
  const already = (id: string) => (decision === 'approved' ? current.ready : current.rejected).some((c) => c.id === id) && current.decided.has(id);
  const wholeAlready = ids.length === 0 && plan.changes.length > 0 && plan.changes.every((c) => already(c.id));
  const todo = ids.filter((id) => !already(id));
  if (wholeAlready || (ids.length > 0 && todo.length === 0)) {
    throw new RosterError('input_invalid', `plan ${plan.id}${ids.length > 0 ? `: ${ids.join(', ')}` : ''} is already ${decision}; nothing recorded`);
  }
  await db.transaction(async (tx) => {
    const recorded: number[] = [];
    const record = (changeId: string | null) => recordApproval(tx, { planId: plan.id, planDigest: plan.digest, changeId, decision, decidedBy: by.actor, note: by.note ?? null });
    if (ids.length === 0) recorded.push(await record(null));
    for (const id of todo) recorded.push(await record(id));
    if (decision === 'rejected' && ids.length === 0) await setPlanStatus(tx, plan.id, 'rejected');
    await recordAudit(tx, { actor: by.actor, action: `plan.${decision}`, target: plan.id, detail: { changes: ids.length > 0 ? todo : 'all', approvals: recorded, digest: plan.digest, note: by.note ?? null } });
  });
  return resolvePlan(db, plan.id);
}

/**
 * Whether the decider is the plan's requester: the same actor under any spelling, an API token
 * acting for the requester, or the person whose API token requested the plan.
 */
async function isRequester(db: Queryable, requestedBy: string, by: Decision): Promise<boolean> {
  const deciders = [by.actor, ...(by.onBehalfOf ? [by.onBehalfOf] : [])];
  if (deciders.some((d) => sameActor(d, requestedBy))) return true;
  const token = /^token:(.+)$/.exec(requestedBy.trim());
  if (!token?.[1]) return false;
  const owners = await db.query<{ created_by: string }>("select created_by from scim_tokens where kind = 'api' and lower(name) = lower($1)", [token[1]]);
  return owners.some((o) => deciders.some((d) => sameActor(d, o.created_by)));
}

export interface Gate {
  /** Changes that may run now. */
  ready: Change[];
  /** Changes waiting for a second person, with why. */
  waiting: { change: Change; why: string[] }[];
  rejected: Change[];
  /** Changes a decision was recorded on (directly or through the whole plan). */
  decided: Set<string>;
}

/** What the approvals say of one change: run it, it waits for a second person, or it was rejected. */
export function decisionFor(plan: Pick<StoredPlan, 'status'>, approvals: readonly Approval[], change: Change): 'ready' | 'waiting' | 'rejected' {
  if (plan.status === 'rejected') return 'rejected';
  let decision: Approval['decision'] | undefined;
  let wholePlan: Approval['decision'] | undefined;
  for (const a of approvals) {
    if (a.changeId === change.id) decision = a.decision;
    else if (a.changeId === null) wholePlan = a.decision;
  }
  const final = decision ?? wholePlan;
  if (final === 'rejected') return 'rejected';
  return change.approval.length === 0 || final === 'approved' ? 'ready' : 'waiting';
}

/** Sorts a plan's changes by what the approvals allow. A rejected plan lets nothing run. */
export function gate(plan: Pick<StoredPlan, 'changes' | 'status'>, approvals: readonly Approval[]): Gate {
  const result: Gate = { ready: [], waiting: [], rejected: [], decided: new Set() };
  const decided = new Set(approvals.map((a) => a.changeId));
  for (const change of plan.changes) {
    if (plan.status === 'rejected' || decided.has(change.id) || decided.has(null)) result.decided.add(change.id);
    const decision = decisionFor(plan, approvals, change);
    if (decision === 'rejected') result.rejected.push(change);
    else if (decision === 'ready') result.ready.push(change);
    else result.waiting.push({ change, why: change.approval });
  }
  return result;
}

/**
 * The approvals that count: a rejection always does; an approval only when it names this plan's
 * digest, was made by someone other than the requester, and the trail recorded it being made.
 * A row written into the approvals table by hand approves nothing.
 */
export async function trustedApprovals(db: Queryable, plan: StoredPlan, recordedCache: Set<number> = new Set()): Promise<Approval[]> {
  const approvals = await approvalsFor(db, plan.id);
  const needsEvidence = approvals.some((a) => a.decision === 'approved' && !recordedCache.has(a.id));
  if (needsEvidence) {
    for (const event of await queryAudit(db, { action: 'plan.approved', target: plan.id, limit: 10_000 })) {
      const ids = event.detail.approvals;
      if (Array.isArray(ids) && event.detail.digest === plan.digest) for (const id of ids) recordedCache.add(Number(id));
    }
  }
  return approvals.filter(
    (a) => a.decision === 'rejected' || (a.planDigest === plan.digest && !sameActor(a.decidedBy, plan.requestedBy) && recordedCache.has(a.id)),
  );
}

export async function planGate(db: Queryable, plan: StoredPlan): Promise<Gate> {
  return gate(plan, await trustedApprovals(db, plan));
}
