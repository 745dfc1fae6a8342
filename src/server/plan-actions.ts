// What the API and the dashboard do to plans, through the engine (the same paths as the CLI).
import type { Identity } from '../auth/identity.ts';
import { createConnector } from '../connectors/modules.ts';
import { applyPlan } from '../engine/apply.ts';
import { decide, resolvePlan } from '../engine/approvals.ts';
import { RosterError } from '../errors.ts';
import { recordAudit } from '../audit/trail.ts';
import { sameActor } from '../auth/usernames.ts';
import { makePlan } from '../engine/planning.ts';
import type { StoredPlan } from '../store/plans.ts';
import type { SurfaceOptions } from './surface-options.ts';

export async function draftPlan(options: SurfaceOptions, identity: Identity, scope: { apps?: string[] | undefined; people?: string[] | undefined }): Promise<StoredPlan> {
  return makePlan(options.db, options.apps, { actor: identity.actor, apps: scope.apps, people: scope.people });
}

/**
 * Four eyes, whatever the spelling: a plan requested as "operator: OLGA" (say, from the CLI with
 * ROSTER_ACTOR) is still Olga's, so she is refused here before the engine's own check.
 */
export async function decidePlan(options: SurfaceOptions, identity: Identity, planId: string, decision: 'approved' | 'rejected', input: { changes?: string[] | undefined; note?: string | undefined }): Promise<StoredPlan> {
  const plan = await resolvePlan(options.db, planId);
  const verb = decision === 'approved' ? 'approve' : 'reject';
  if (sameActor(plan.requestedBy, identity.actor)) {
    await recordAudit(options.db, { actor: identity.actor, action: `plan.${verb}_refused`, target: plan.id, outcome: 'failed', detail: { reason: 'requester cannot decide on their own plan', requestedBy: plan.requestedBy } });
    throw new RosterError('forbidden', `${identity.actor} requested plan ${plan.id} (as ${plan.requestedBy}) and cannot ${verb} it; another person must (four-eyes rule)`);
  }
  return decide(options.db, planId, decision, { actor: identity.actor, changeIds: input.changes, note: input.note });
}

/** Queues what the plan allows for the worker (roster serve's, or roster worker); answers at once. */
export async function queuePlan(options: SurfaceOptions, identity: Identity, planId: string) {
  const report = await applyPlan(options.db, options.apps, planId, { actor: identity.actor, connectorFor: options.connectorFor ?? createConnector, wait: false, queue: options.queue });
  return {
    planId: report.plan.id,
    queued: report.operations.filter((o) => o.state === 'queued' || o.state === 'running' || o.state === 'staged').length,
    waiting: report.gate.waiting.length,
    rejected: report.gate.rejected.length,
    alreadyApplied: report.alreadyApplied,
  };
}
