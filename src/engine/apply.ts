import { recordAudit } from '../audit/trail.ts';
import type { ResolvedApp } from '../config/load.ts';
import type { Connector } from '../connectors/connector.ts';
import { RosterError } from '../errors.ts';
import type { Database } from '../store/database.ts';
import { ensureOperations, planOperations, type Operation } from '../store/operations.ts';
import { setPlanStatus, type StoredPlan } from '../store/plans.ts';
import { planGate, resolvePlan, type Gate } from './approvals.ts';
import { activeQuarantines } from '../store/accounts.ts';
import { Executor, type ExecutorOptions } from './executor.ts';
import { currentBasis, staleness } from './planning.ts';
import { enqueue, startQueue, type RetryPolicy } from './queue.ts';

export interface ApplyOptions {
  actor: string;
  connectorFor: (app: ResolvedApp) => Connector;
  /** Carry the work out here and wait for it (the default); false: leave it to `roster worker`. */
  wait?: boolean;
  onProgress?: (done: number, total: number) => void;
  /** Retries before a failing change is escalated; default the queue's (5, backing off from 1 s). */
  retry?: RetryPolicy | undefined;
  /** When an app counts as mostly failing (see Executor); default 5 failures and 80%, for 5 minutes. */
  quarantine?: ExecutorOptions['quarantine'];
}

export interface ApplyReport {
  plan: StoredPlan;
  gate: Gate;
  operations: Operation[];
  /** Operations left queued for later: their app is quarantined, or it asked for a long wait. */
  deferred: { op: Operation; until: Date; why: string }[];
}

/** How long apply keeps waiting in place for rescheduled work before leaving it to a worker. */
const waitInPlaceMs = 60_000;

/**
 * Applies a saved plan: refuses a stale or rejected one, queues every change the approvals allow
 * (each an idempotent operation), then — unless told not to wait — works the queue until each is
 * done or failed. Running it again resumes: finished operations are never done twice.
 */
export async function applyPlan(db: Database, configured: readonly ResolvedApp[], planId: string, options: ApplyOptions): Promise<ApplyReport> {
  const plan = await resolvePlan(db, planId);
  if (plan.status === 'rejected') throw new RosterError('input_invalid', `plan ${plan.id} was rejected; make a new one with roster plan`);
  const apps = configured.filter((a) => a.name in plan.basis.apps);
  const stale = staleness(plan, await currentBasis(db, apps));
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
    ...(options.quarantine ? { quarantine: options.quarantine } : {}),
    connectorFor: (name) => {
      const app = byName.get(name);
      if (!app) throw new RosterError('config_invalid', `plan ${plan.id} changes ${name}, which is no longer configured`);
      return options.connectorFor(app);
    },
  });
  try {
    await executor.recoverDeadClaims();
    for (const op of pending) await enqueue(boss, { key: op.key, planId: plan.id, changeId: op.changeId, appName: op.appName }, undefined, options.retry);
    if (options.wait !== false) {
      const total = gate.ready.length;
      await executor.runUntil(async () => {
        const ops = await planOperations(db, plan.id);
        const finished = ops.filter((o) => o.state === 'done' || o.state === 'failed').length;
        options.onProgress?.(finished, total);
        if (finished === ops.length) return true;
        // Stop waiting in place when all that is left is deferred: a worker or a later apply carries it on.
        return (await deferredOperations(db, ops)).length === ops.length - finished;
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
  const operations = await planOperations(db, plan.id);
  return { plan, gate, operations, deferred: await deferredOperations(db, operations) };
}

async function deferredOperations(db: Database, ops: readonly Operation[]): Promise<ApplyReport['deferred']> {
  const quarantines = await activeQuarantines(db);
  const deferred: ApplyReport['deferred'] = [];
  const later = Date.now() + waitInPlaceMs;
  for (const op of ops) {
    if (op.state !== 'queued') continue;
    const quarantine = quarantines.get(op.appName);
    if (quarantine) deferred.push({ op, until: quarantine.until, why: `${op.appName} is quarantined: ${quarantine.reason}` });
    else if (op.notBefore && op.notBefore.getTime() > later) deferred.push({ op, until: op.notBefore, why: op.lastError ?? 'rescheduled' });
  }
  return deferred;
}
