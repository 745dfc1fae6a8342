import type { PgBoss } from 'pg-boss';
import { recordAudit } from '../audit/trail.ts';
import type { ResolvedApp } from '../config/load.ts';
import type { Connector } from '../connectors/connector.ts';
import type { Change } from '../core/plan.ts';
import { RosterError } from '../errors.ts';
import { activeQuarantines } from '../store/accounts.ts';
import type { Database } from '../store/database.ts';
import { ensureOperations, planOperations, type Operation } from '../store/operations.ts';
import { setPlanStatus, type StoredPlan } from '../store/plans.ts';
import { planGate, resolvePlan, verifyPlan, type Gate } from './approvals.ts';
import { Executor, priorityOf, type ExecutorOptions } from './executor.ts';
import { defaultAttemptPolicy } from './outcome.ts';
import { currentBasis, staleness } from './planning.ts';
import { enqueue, startQueue } from './queue.ts';

/** How often a failing change is tried again before it is escalated, and the first delay (doubling). */
export interface RetryPolicy {
  limit: number;
  delaySeconds: number;
}

export interface ApplyOptions {
  actor: string;
  connectorFor: (app: ResolvedApp) => Connector;
  /** Carry the work out here and wait for it (the default); false: leave it to `roster worker`. */
  wait?: boolean;
  onProgress?: (progress: { finished: number; total: number; done: number; failed: number; skipped: number }) => void;
  /** Retries before a failing change is escalated; default 5, backing off from 1 s. */
  retry?: RetryPolicy | undefined;
  /** When an app counts as mostly failing (see Executor); default 5 failures and 80%, for 5 minutes. */
  quarantine?: ExecutorOptions['quarantine'];
  leaseMs?: number | undefined;
  /** A queue already started (roster serve keeps one); default: start one for this apply and stop it after. */
  queue?: PgBoss | undefined;
  /** Shutting down: stop taking work; what was taken but not started goes back to the queue (see Executor). */
  signal?: AbortSignal | undefined;
}

export interface ApplyReport {
  plan: StoredPlan;
  gate: Gate;
  operations: Operation[];
  /** Operations left for later: their app is quarantined, or it asked for a long wait. */
  deferred: { op: Operation; until: Date; why: string }[];
  /** Leavers (deactivations and deletes) that did not happen: never a success. */
  leaversNotDone: Operation[];
  /** The plan was applied already: nothing was done now. */
  alreadyApplied: boolean;
}

/** How long apply keeps waiting in place for rescheduled work before leaving it to a worker. */
const waitInPlaceMs = 60_000;

/**
 * Applies a saved plan: refuses a tampered, stale or rejected one, queues every change the
 * approvals allow (each an idempotent operation), then — unless told not to wait — works the
 * queue until each is done, failed or skipped. Running it again resumes: finished operations are
 * never done twice. Every change is checked again just before it runs (see Executor).
 */
export async function applyPlan(db: Database, configured: readonly ResolvedApp[], planId: string, options: ApplyOptions): Promise<ApplyReport> {
  const plan = await resolvePlan(db, planId);
  await verifyPlan(db, plan).catch(async (error: Error) => {
    await recordAudit(db, { actor: options.actor, action: 'plan.apply_refused', target: plan.id, outcome: 'failed', detail: { reason: error.message } });
    throw error;
  });
  if (plan.status === 'rejected') throw new RosterError('input_invalid', `plan ${plan.id} was rejected; make a new one with roster plan`);
  const gate = holdDependents(await planGate(db, plan));
  if (plan.status === 'applied') {
    const operations = await planOperations(db, plan.id);
    return { plan, gate, operations, deferred: [], leaversNotDone: leaversNotDone(operations), alreadyApplied: true };
  }
  const apps = configured.filter((a) => a.name in plan.basis.apps);
  const stale = staleness(plan, await currentBasis(db, apps, plan.basis.peopleScope));
  if (stale && plan.status === 'planned') {
    await recordAudit(db, { actor: options.actor, action: 'plan.apply_refused', target: plan.id, outcome: 'failed', detail: { reason: `stale: ${stale}` } });
    throw new RosterError('input_invalid', `plan ${plan.id} is stale (${stale}); run roster plan again`);
  }
  const pending = await ensureOperations(db, plan.id, gate.ready);
  await setPlanStatus(db, plan.id, 'applying');
  await recordAudit(db, { actor: options.actor, action: 'plan.apply_started', target: plan.id, detail: { ready: gate.ready.length, waitingApproval: gate.waiting.length, rejected: gate.rejected.length, resuming: pending.length < gate.ready.length } });

  const boss = options.queue ?? (await startQueue(db));
  const byName = new Map(apps.map((a) => [a.name, a]));
  const executor = new Executor({
    db,
    boss,
    actor: options.actor,
    appFor: (name) => byName.get(name),
    ...(options.quarantine ? { quarantine: options.quarantine } : {}),
    ...(options.leaseMs ? { leaseMs: options.leaseMs } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    attempts: options.retry ? { ...defaultAttemptPolicy, maxAttempts: options.retry.limit + 1, baseDelayMs: options.retry.delaySeconds * 1000 } : defaultAttemptPolicy,
    connectorFor: (name) => {
      const app = byName.get(name);
      if (!app) throw new RosterError('config_invalid', `plan ${plan.id} changes ${name}, which is no longer configured`);
      return options.connectorFor(app);
    },
  });
  try {
    const seq = new Map(plan.changes.map((c, i) => [c.id, i]));
    for (const op of pending) await enqueue(boss, { key: op.key, planId: plan.id, changeId: op.changeId, appName: op.appName, seq: seq.get(op.changeId) }, undefined, priorityOf(op.kind));
    if (options.wait !== false) {
      const total = gate.ready.length;
      await executor.runUntil(async () => {
        const ops = await planOperations(db, plan.id);
        const count = (state: Operation['state']) => ops.filter((o) => o.state === state).length;
        const finished = count('done') + count('failed') + count('skipped');
        options.onProgress?.({ finished, total, done: count('done'), failed: count('failed'), skipped: count('skipped') });
        if (finished === ops.length) return true;
        // Stop waiting in place when all that is left is deferred: a worker or a later apply carries it on.
        return (await deferredOperations(db, ops)).length === ops.length - finished;
      });
      const ops = await planOperations(db, plan.id);
      const allFinished = ops.every((o) => o.state === 'done' || o.state === 'failed' || o.state === 'skipped');
      if (gate.waiting.length === 0 && allFinished) await setPlanStatus(db, plan.id, 'applied');
      const count = (state: Operation['state']) => ops.filter((o) => o.state === state).length;
      await recordAudit(db, {
        actor: options.actor,
        action: 'plan.apply_finished',
        target: plan.id,
        outcome: count('failed') > 0 || leaversNotDone(ops).length > 0 ? 'failed' : 'ok',
        detail: { done: count('done'), failed: count('failed'), skipped: count('skipped'), notLive: count('staged'), left: ops.length - (count('done') + count('failed') + count('skipped')), waitingApproval: gate.waiting.length },
      });
    }
  } finally {
    await executor.close();
    if (!options.queue) await boss.stop({ graceful: true, close: false, timeout: 5000 });
  }
  const operations = await planOperations(db, plan.id);
  return { plan, gate, operations, deferred: await deferredOperations(db, operations), leaversNotDone: leaversNotDone(operations), alreadyApplied: false };
}

/** A change that needs its person's account waits (or is rejected) with that account's create. */
export function holdDependents(gate: Gate): Gate {
  const blocked = new Map<string, string>();
  for (const w of gate.waiting) if (w.change.kind === 'create' && w.change.personId) blocked.set(`${w.change.app}/${w.change.personId}`, `waits for ${w.change.id}, which needs approval`);
  const rejected = new Set(gate.rejected.filter((c) => c.kind === 'create' && c.personId).map((c) => `${c.app}/${c.personId}`));
  const result: Gate = { ready: [], waiting: [...gate.waiting], rejected: [...gate.rejected], decided: gate.decided };
  for (const change of gate.ready) {
    const key = dependencyKey(change);
    if (key && rejected.has(key)) result.rejected.push(change);
    else if (key && blocked.has(key)) result.waiting.push({ change, why: [blocked.get(key) ?? ''] });
    else result.ready.push(change);
  }
  return result;
}

function dependencyKey(change: Change): string | undefined {
  return change.kind !== 'create' && !change.remoteId && change.personId ? `${change.app}/${change.personId}` : undefined;
}

const leaverKinds = new Set(['delete', 'deactivate']);

function leaversNotDone(ops: readonly Operation[]): Operation[] {
  return ops.filter((o) => leaverKinds.has(o.kind) && o.state !== 'done' && o.state !== 'skipped');
}

async function deferredOperations(db: Database, ops: readonly Operation[]): Promise<ApplyReport['deferred']> {
  const quarantines = await activeQuarantines(db);
  const deferred: ApplyReport['deferred'] = [];
  const later = Date.now() + waitInPlaceMs;
  for (const op of ops) {
    if (op.state !== 'queued' && op.state !== 'staged') continue;
    const quarantine = quarantines.get(op.appName);
    if (quarantine) deferred.push({ op, until: quarantine.until, why: `${op.appName} is quarantined: ${quarantine.reason}` });
    else if (op.notBefore && op.notBefore.getTime() > later) deferred.push({ op, until: op.notBefore, why: op.lastError ?? 'rescheduled' });
  }
  return deferred;
}
