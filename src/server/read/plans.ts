// Plans as the surfaces show them: each change with its requests, where approvals leave it and how
// its operation went, and what the caller may do with the plan.
import { can, type Identity } from '../../auth/identity.ts';
import { sameActor } from '../../auth/usernames.ts';
import type { ResolvedApp } from '../../config/load.ts';
import { decisionFor, resolvePlan, trustedApprovals } from '../../engine/approvals.ts';
import { holdDependents } from '../../engine/apply.ts';
import { gate } from '../../engine/approvals.ts';
import { currentBasis, staleness } from '../../engine/planning.ts';
import type { Queryable } from '../../store/database.ts';
import { approvalsFor } from '../../store/plans.ts';
import { planOperations } from '../../store/operations.ts';
import type { PlanStatus } from '../../store/plans.ts';
import { safeText } from './safe-text.ts';

export interface PlanSummary {
  id: string;
  createdAt: string;
  requestedBy: string;
  status: PlanStatus;
  changes: number;
  held: number;
  apps: string[];
}

export async function listPlanSummaries(db: Queryable, options: { status?: PlanStatus | undefined; limit: number; offset: number }): Promise<PlanSummary[]> {
  const rows = await db.query<{ id: string; created_at: Date; requested_by: string; status: PlanStatus; changes: number; held: number; apps: string[] | null }>(
    `select id, created_at, requested_by, status, change_count as changes,
            (select count(*)::int from plan_changes c where c.plan_id = plans.id and c.needs_approval) as held,
            (select array_agg(k order by k) from jsonb_object_keys(basis->'apps') k) as apps
       from plans where ($1::text is null or status = $1) order by created_at desc, id limit $2 offset $3`,
    [options.status ?? null, options.limit, options.offset],
  );
  return rows.map((r) => ({ id: r.id, createdAt: r.created_at.toISOString(), requestedBy: r.requested_by, status: r.status, changes: r.changes, held: r.held, apps: r.apps ?? [] }));
}


export async function planView(db: Queryable, apps: readonly ResolvedApp[], idOrPrefix: string, identity: Identity | undefined) {
  const plan = await resolvePlan(db, idOrPrefix);
  const trusted = await trustedApprovals(db, plan);
  const planGate = holdDependents(gate(plan, trusted));
  const waiting = new Set(planGate.waiting.map((w) => w.change.id));
  const operations = new Map((await planOperations(db, plan.id)).map((o) => [o.changeId, o]));
  const configured = apps.filter((a) => a.name in plan.basis.apps);
  const stale = plan.status === 'planned' && configured.length === Object.keys(plan.basis.apps).length ? (staleness(plan, await currentBasis(db, configured, plan.basis.peopleScope)) ?? null) : null;
  const open = plan.status === 'planned' || plan.status === 'applying';
  const own = identity !== undefined && [identity.actor, identity.owner].some((who) => who !== undefined && sameActor(who, plan.requestedBy));
  const whyNot = !identity ? 'sign in first' : !open ? `the plan is ${plan.status}` : own ? 'you requested this plan: another person must approve it (four eyes)' : !can(identity, 'approve') ? `your role (${identity.role}) cannot approve` : null;
  return {
    id: plan.id,
    createdAt: plan.createdAt.toISOString(),
    requestedBy: plan.requestedBy,
    status: plan.status,
    digest: plan.digest,
    stale,
    changes: plan.changes.map((c) => {
      const op = operations.get(c.id);
      const decision = waiting.has(c.id) ? 'waiting' : decisionFor(plan, trusted, c) === 'rejected' ? 'rejected' : planGate.rejected.some((r) => r.id === c.id) ? 'rejected' : 'ready';
      return {
        id: c.id,
        app: c.app,
        kind: c.kind,
        personId: c.personId ?? null,
        subject: c.subject,
        remoteId: c.remoteId ?? null,
        group: c.group ?? null,
        attributes: (c.attributes as Record<string, unknown> | undefined) ?? null,
        reason: c.reason,
        risk: c.risk,
        approval: c.approval,
        decision: decision as 'ready' | 'waiting' | 'rejected',
        operation: op ? { state: op.state, attempts: op.attempts, reason: op.lastError === null ? null : safeText(op.lastError) } : null,
        requests: c.requests,
      };
    }),
    held: plan.held,
    approvals: (await approvalsFor(db, plan.id)).map((a) => ({ changeId: a.changeId, decision: a.decision, decidedBy: a.decidedBy, decidedAt: a.decidedAt.toISOString(), note: a.note })),
    gate: { ready: planGate.ready.length, waiting: planGate.waiting.length, rejected: planGate.rejected.length },
    you: {
      mayApprove: whyNot === null && planGate.waiting.length > 0,
      mayApply: identity !== undefined && can(identity, 'apply') && open && stale === null,
      why: whyNot ?? (planGate.waiting.length === 0 ? 'nothing waits for approval' : null),
    },
  };
}

export type PlanView = Awaited<ReturnType<typeof planView>>;
