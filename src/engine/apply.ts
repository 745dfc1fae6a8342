import { recordAudit } from '../audit/trail.ts';
import type { ResolvedApp } from '../config/load.ts';
import type { Connector } from '../connectors/connector.ts';
import { RosterError } from '../errors.ts';
import type { Database } from '../store/database.ts';
import { ensureOperations, planOperations, type Operation } from '../store/operations.ts';
import { setPlanStatus, type StoredPlan } from '../store/plans.ts';
import { planGate, resolvePlan, type Gate } from './approvals.ts';
import { Executor } from './executor.ts';
import { currentBasis, staleness } from './planning.ts';
import { enqueue, startQueue } from './queue.ts';

export interface ApplyOptions {
  actor: string;
  connectorFor: (app: ResolvedApp) => Connector;
  /** Carry the work out here and wait for it (the default); false: leave it to `roster worker`. */
  wait?: boolean;
  onProgress?: (done: number, total: number) => void;
}

export interface ApplyReport {
  plan: StoredPlan;
  gate: Gate;
  operations: Operation[];
}

/**
 * Applies a saved plan: refuses a stale or rejected one, queues every change the approvals allow
 * (each an idempotent operation), then — unless told not to wait — works the queue until each is
 * done or failed. Running it again resumes: finished operations are never done twice.
 */
export async function applyPlan(db: Database, configured: readonly ResolvedApp[], planId: string, options: ApplyOptions): Promise<ApplyReport> {
  const plan = await resolvePlan(db, planId);
  if (plan.status === 'rejected') throw new RosterError('input_invalid', `plan ${plan.id} was rejected; make a new one with roster plan`);
  const apps = configured.filter((a) => a.name in plan.basis.apps);
  const stale = staleness(plan, await currentBasis(db, configured.filter((a) => a.name in plan.basis.apps)));
  if (stale && plan.status === 'planned') {
    await recordAudit(db, { actor: options.actor, action: 'plan.apply_refused', target: plan.id, outcome: 'failed', detail: { reason: `stale: ${stale}` } });
    throw new RosterError('input_invalid', `plan ${plan.id} is stale (${stale}); run roster plan again`);
  }
  const gate = await planGate(db, plan);
  const pending = await ensureOperations(db, plan.id, gate.ready);
  await setPlanStatus(db, plan.id, 'applying');
  await recordAudit(db, { actor: options.actor, action: 'plan.apply_started', target: plan.id, detail: { ready: gate.ready.length, waitingApproval: gate.waiting.length, rejected: gate.rejected.length, resuming: pending.length < gate.ready.length } });

  const boss = await startQueue(db);
  const byName = new Map(apps.map((a) => [a.name, a]));
  const executor = new Executor({
    db,
    boss,
    actor: options.actor,
    connectorFor: (name) => {
      const app = byName.get(name);
      if (!app) throw new RosterError('config_invalid', `plan ${plan.id} changes ${name}, which is no longer configured`);
      return options.connectorFor(app);
    },
  });
  try {
    await executor.recoverDeadClaims();
    for (const op of pending) await enqueue(boss, { key: op.key, planId: plan.id, changeId: op.changeId, appName: op.appName });
    if (options.wait !== false) {
      const total = gate.ready.length;
      await executor.runUntil(async () => {
        const ops = await planOperations(db, plan.id);
        const finished = ops.filter((o) => o.state === 'done' || o.state === 'failed').length;
        options.onProgress?.(finished, total);
        return finished === ops.length;
      });
      const waiting = gate.waiting.length > 0;
      if (!waiting) await setPlanStatus(db, plan.id, 'applied');
      const ops = await planOperations(db, plan.id);
      await recordAudit(db, {
        actor: options.actor,
        action: 'plan.apply_finished',
        target: plan.id,
        outcome: ops.some((o) => o.state === 'failed') ? 'failed' : 'ok',
        detail: { done: ops.filter((o) => o.state === 'done').length, failed: ops.filter((o) => o.state === 'failed').length, waitingApproval: gate.waiting.length },
      });
    }
  } finally {
    await executor.close();
    await boss.stop({ graceful: true, close: false, timeout: 5000 });
  }
  return { plan, gate, operations: await planOperations(db, plan.id) };
}
