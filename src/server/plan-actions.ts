// What the API and the dashboard do to plans, through the engine (the same paths as the CLI).
import type { Identity } from '../auth/identity.ts';
import { createConnector } from '../connectors/modules.ts';
import { applyPlan } from '../engine/apply.ts';
import { decide } from '../engine/approvals.ts';
import { makePlan } from '../engine/planning.ts';
import type { StoredPlan } from '../store/plans.ts';
import type { SurfaceOptions } from './surface-options.ts';

export async function draftPlan(options: SurfaceOptions, identity: Identity, scope: { apps?: string[] | undefined; people?: string[] | undefined }): Promise<StoredPlan> {
  return makePlan(options.db, options.apps, { actor: identity.actor, apps: scope.apps, people: scope.people });
}

/** Four eyes is the engine's: it refuses the requester under any spelling, and a token acting for its owner. */
export async function decidePlan(options: SurfaceOptions, identity: Identity, planId: string, decision: 'approved' | 'rejected', input: { changes?: string[] | undefined; note?: string | undefined }): Promise<StoredPlan> {
  return decide(options.db, planId, decision, { actor: identity.actor, onBehalfOf: identity.owner, changeIds: input.changes, note: input.note });
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
