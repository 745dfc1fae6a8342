// The two things an agent may set in motion: drafting a plan and requesting it. Both leave every
// app untouched; a requested plan waits for a person's approval (the engine's rule, not this file's).
import { queryAudit, recordAudit } from '../audit/trail.ts';
import type { Identity } from '../auth/identity.ts';
import type { ResolvedApp } from '../config/load.ts';
import { planGate, resolvePlan, verifyPlan } from '../engine/approvals.ts';
import { currentBasis, makePlan, staleness } from '../engine/planning.ts';
import { RosterError } from '../errors.ts';
import type { Database, Queryable } from '../store/database.ts';
import type { StoredPlan } from '../store/plans.ts';
import { clip } from './paging.ts';
import { configuredApp, planView, resolvePerson, type PlanView } from './read-model.ts';
import { findingKinds } from './read-model.ts';

/** A plan by id or prefix; anything that is not a plan id is refused with a clear message. */
export async function planFor(db: Queryable, id: string): Promise<StoredPlan> {
  return resolvePlan(db, id.trim());
}

/** The scope a finding id names: its app, and its person (an orphan has none: its app's plan fixes it). */
async function findingScope(db: Queryable, apps: readonly ResolvedApp[], finding: string): Promise<{ app: string; person?: string }> {
  const [app, kind, ...rest] = finding.split(':');
  const key = rest.join(':');
  if (!app || !kind || !key || !(findingKinds as readonly string[]).includes(kind)) throw new RosterError('input_invalid', `${JSON.stringify(clip(finding))} is not a finding id; list_findings gives them (app:kind:key)`);
  const configured = configuredApp(apps, app).name;
  if (kind === 'orphan') return { app: configured };
  return { app: configured, person: (await resolvePerson(db, key)).id };
}

export async function draftPlan(db: Database, apps: readonly ResolvedApp[], identity: Identity, args: { person?: string | undefined; app?: string | undefined; finding?: string | undefined }): Promise<PlanView & { note: string }> {
  if (!args.person && !args.app && !args.finding) throw new RosterError('input_invalid', 'name a person, an app or a finding to draft a plan for');
  let person = args.person ? (await resolvePerson(db, args.person)).id : undefined;
  let app = args.app ? configuredApp(apps, args.app).name : undefined;
  if (args.finding) {
    const scope = await findingScope(db, apps, args.finding);
    if ((app && app !== scope.app) || (person && scope.person && person !== scope.person)) throw new RosterError('input_invalid', 'the finding names another app or person than the ones given; give the finding alone');
    app = scope.app;
    person = scope.person ?? person;
  }
  const plan = await makePlan(db, apps, { actor: identity.actor, apps: app ? [app] : undefined, people: person ? [person] : undefined });
  const view = await planView(db, plan, { limit: 25 });
  const note =
    plan.changes.length === 0
      ? 'Nothing to change: the apps already match the policy for this scope.'
      : `Drafted, not requested. request_plan with planId ${plan.id} asks for it; then every change waits until a person other than ${identity.actor} approves it (roster approve ${plan.id}).`;
  return { ...view, note };
}

export interface RequestAnswer {
  planId: string;
  status: 'held_for_approval';
  alreadyRequested: boolean;
  waitingApproval: number;
  message: string;
}

/** Records that the agent asks for its plan to be carried out; refuses plans it did not draft, and tampered, stale or decided ones. */
export async function requestPlan(db: Database, apps: readonly ResolvedApp[], identity: Identity, id: string): Promise<RequestAnswer> {
  const plan = await planFor(db, id);
  if (plan.requestedBy.toLowerCase() !== identity.actor.toLowerCase()) {
    await recordAudit(db, { actor: identity.actor, action: 'plan.request_refused', target: plan.id, outcome: 'failed', detail: { reason: 'not drafted by this agent', requestedBy: plan.requestedBy } });
    throw new RosterError('forbidden', `plan ${plan.id} was drafted by ${plan.requestedBy}; an agent can request only plans it drafted itself (draft_plan)`);
  }
  await verifyPlan(db, plan);
  if (plan.status === 'rejected' || plan.status === 'applied') throw new RosterError('input_invalid', `plan ${plan.id} is already ${plan.status}; draft a new one`);
  const stale = staleness(plan, await currentBasis(db, apps.filter((a) => a.name in plan.basis.apps), plan.basis.peopleScope));
  if (stale) throw new RosterError('input_invalid', `plan ${plan.id} is stale (${stale}); draft it again`);
  if (plan.changes.length === 0) throw new RosterError('input_invalid', `plan ${plan.id} changes nothing; there is nothing to request`);
  const gate = await planGate(db, plan);
  const already = (await queryAudit(db, { action: 'plan.requested', target: plan.id, actor: identity.actor, limit: 1 })).length > 0;
  if (!already) await recordAudit(db, { actor: identity.actor, action: 'plan.requested', target: plan.id, detail: { digest: plan.digest, changes: plan.changes.length, waitingApproval: gate.waiting.length } });
  return {
    planId: plan.id,
    status: 'held_for_approval',
    alreadyRequested: already,
    waitingApproval: gate.waiting.length,
    message: `Requested. Nothing runs until a person other than ${identity.actor} approves it: roster approve ${plan.id}, then roster apply ${plan.id} (or the worker). request_status shows where it stands.`,
  };
}
