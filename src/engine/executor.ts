import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PgBoss, JobWithMetadata } from 'pg-boss';
import { exchangeEvent } from '../audit/exchange.ts';
import { recordAudit, type AuditInput } from '../audit/trail.ts';
import type { Connector } from '../connectors/connector.ts';
import type { RemoteAccount } from '../core/account.ts';
import type { Change } from '../core/plan.ts';
import { isRosterError, type ErrorCode } from '../errors.ts';
import { log } from '../log.ts';
import { quarantineApp, quarantinedUntil, recordAccountChange } from '../store/accounts.ts';
import type { Database } from '../store/database.ts';
import { linkCreatedAccount, linkedRemoteId } from '../store/links.ts';
import { claimOperation, claimsOnHost, failOperation, finishOperation, recentOutcomes, requeueOperation, type Operation } from '../store/operations.ts';
import { getPlan, type StoredPlan } from '../store/plans.ts';
import { isProcessAlive } from '../store/folder-lock.ts';
import { saveSnapshot } from '../store/snapshots.ts';
import { NotReadyError, runChange, type ChangeOutcome } from './change-runner.ts';
import { enqueue, operationsQueue, type OperationJob } from './queue.ts';

/** Failures that another attempt cannot mend: reported at once, with their reason. */
const permanent: ReadonlySet<ErrorCode> = new Set(['bad_request', 'not_found', 'conflict', 'forbidden', 'auth_failed', 'unsupported', 'input_invalid', 'config_invalid', 'precondition_failed']);

export interface ExecutorOptions {
  db: Database;
  boss: PgBoss;
  /** The connector for an app, made once per executor and closed by it. */
  connectorFor: (appName: string) => Connector;
  actor: string;
  batchSize?: number;
  /** Quarantine an app when at least this many of its recent operations failed, and most did. */
  quarantine?: { minFailures: number; share: number; forMs: number };
}

/** This process, as it signs the operations it claims. */
export const workerId = `${hostname()}:${process.pid}`;

/**
 * Takes operations off the queue and carries them out: a batch at a time, grouped by app, with one
 * flush per app per batch (ZIA's single activation), bulk deletes where the app has them, every
 * step in the audit trail. Waits are rescheduled jobs, not sleeps; failures retry with backoff
 * and, when they keep failing, are escalated with their reason.
 */
export class Executor {
  readonly #o: Required<ExecutorOptions>;
  readonly #connectors = new Map<string, Connector>();
  readonly #plans = new Map<string, StoredPlan>();
  #staleClaims: string[] = [];
  /** Requests made to apps, written to the audit trail after each app's batch. */
  readonly #requests: AuditInput[] = [];

  constructor(options: ExecutorOptions) {
    this.#o = { batchSize: 25, quarantine: { minFailures: 5, share: 0.8, forMs: 5 * 60_000 }, ...options };
  }

  /** Claims of this host's workers that died (a crash, a SIGKILL) may be taken over. */
  async recoverDeadClaims(): Promise<string[]> {
    const host = hostname();
    const claims = await claimsOnHost(this.#o.db, host);
    this.#staleClaims = claims.filter((claim) => claim !== workerId && !isProcessAlive(Number(claim.split(':').at(-1))));
    return this.#staleClaims;
  }

  /** Processes one batch; answers how many jobs it took. */
  async runOnce(): Promise<number> {
    const jobs = await this.#o.boss.fetch<OperationJob>(operationsQueue, { batchSize: this.#o.batchSize, includeMetadata: true });
    if (jobs.length === 0) return 0;
    const byApp = new Map<string, JobWithMetadata<OperationJob>[]>();
    for (const job of jobs) byApp.set(job.data.appName, [...(byApp.get(job.data.appName) ?? []), job]);
    for (const [appName, appJobs] of byApp) await this.#runApp(appName, appJobs);
    return jobs.length;
  }

  /** Runs until `done()` says so, polling when the queue is empty. */
  async runUntil(done: () => Promise<boolean>, pollMs = 250): Promise<void> {
    for (;;) {
      const taken = await this.runOnce();
      if (taken === 0) {
        if (await done()) return;
        await sleep(pollMs);
      }
    }
  }

  async close(): Promise<void> {
    for (const [appName, connector] of this.#connectors) {
      await connector.close().catch((error: Error) => log.error({ app: appName, err: error.message }, 'closing connector failed'));
    }
    this.#connectors.clear();
    await recordAudit(this.#o.db, this.#requests.splice(0));
  }

  #connector(appName: string): Connector {
    let connector = this.#connectors.get(appName);
    if (!connector) {
      connector = this.#o.connectorFor(appName);
      connector.observe((exchange) => this.#requests.push(exchangeEvent(this.#o.actor, appName, 'app.request', exchange)));
      this.#connectors.set(appName, connector);
    }
    return connector;
  }

  async #plan(planId: string): Promise<StoredPlan | undefined> {
    let plan = this.#plans.get(planId);
    if (!plan) {
      plan = await getPlan(this.#o.db, planId);
      if (plan) this.#plans.set(planId, plan);
    }
    return plan;
  }

  async #runApp(appName: string, jobs: JobWithMetadata<OperationJob>[]): Promise<void> {
    const { db, boss } = this.#o;
    const until = await quarantinedUntil(db, appName);
    if (until) {
      // A quarantined app is checked less often: its work waits, without spending attempts.
      for (const job of jobs) {
        await boss.complete(operationsQueue, job.id);
        await enqueue(boss, job.data, Math.ceil((until.getTime() - Date.now()) / 1000));
      }
      return;
    }
    const connector = this.#connector(appName);
    const claimed: { job: JobWithMetadata<OperationJob>; op: Operation; change: Change }[] = [];
    for (const job of jobs) {
      const op = await claimOperation(db, job.data.key, workerId, this.#staleClaims);
      const plan = op ? await this.#plan(op.planId) : undefined;
      const change = plan?.changes.find((c) => c.id === job.data.changeId);
      if (!op || !change) {
        // Done already, or held by a live worker: this job is a duplicate.
        await boss.complete(operationsQueue, job.id);
        continue;
      }
      claimed.push({ job, op, change });
    }
    const deletes = claimed.filter((c) => c.change.kind === 'delete' && c.change.remoteId);
    const bulk = connector.deleteAccounts && deletes.length > 1 ? deletes : [];
    if (bulk.length > 0) await this.#bulkDelete(connector, bulk);
    for (const item of claimed) if (!bulk.includes(item)) await this.#runOne(connector, item.job, item.op, item.change);
    if (claimed.length > 0) {
      await connector.flush().catch(async (error: Error) => {
        await recordAudit(db, { actor: this.#o.actor, action: 'app.flush_failed', appName, outcome: 'failed', detail: { error: error.message } });
      });
    }
    await recordAudit(db, this.#requests.splice(0));
  }

  async #runOne(connector: Connector, job: JobWithMetadata<OperationJob>, op: Operation, change: Change): Promise<void> {
    const { db } = this.#o;
    const context = {
      connector,
      linkedRemoteId: (personId: string) => linkedRemoteId(db, change.app, personId),
      snapshot: async (account: RemoteAccount) => {
        const id = await saveSnapshot(db, { appName: change.app, remoteId: account.remoteId, personId: change.personId ?? null, operationKey: op.key, reason: `before ${change.kind}: ${change.reason}`, account });
        await recordAudit(db, { actor: this.#o.actor, action: 'snapshot.taken', appName: change.app, target: account.remoteId, detail: { snapshotId: id, change: change.id } });
      },
    };
    try {
      await recordAudit(db, { actor: this.#o.actor, action: 'change.started', appName: change.app, target: change.id, detail: { plan: op.planId, attempt: op.attempts, worker: workerId } });
      const outcome = await runChange(context, change);
      await this.#finish(job, op, change, outcome);
    } catch (error) {
      await this.#failed(job, op, change, error);
    }
  }

  async #bulkDelete(connector: Connector, items: { job: JobWithMetadata<OperationJob>; op: Operation; change: Change }[]): Promise<void> {
    const { db } = this.#o;
    const byRemote = new Map(items.map((item) => [item.change.remoteId ?? '', item]));
    await recordAudit(db, items.map(({ op, change }) => ({ actor: this.#o.actor, action: 'change.started', appName: change.app, target: change.id, detail: { plan: op.planId, attempt: op.attempts, batch: items.length, worker: workerId } })));
    try {
      const result = await connector.deleteAccounts!([...byRemote.keys()]);
      for (const before of result.deleted) {
        const item = byRemote.get(before.remoteId);
        if (!item) continue;
        const id = await saveSnapshot(db, { appName: item.change.app, remoteId: before.remoteId, personId: item.change.personId ?? null, operationKey: item.op.key, reason: `before delete: ${item.change.reason}`, account: before });
        await recordAudit(db, { actor: this.#o.actor, action: 'snapshot.taken', appName: item.change.app, target: before.remoteId, detail: { snapshotId: id, change: item.change.id } });
        await this.#finish(item.job, item.op, item.change, { alreadyDone: false, remoteId: before.remoteId, account: undefined, before });
      }
      for (const remoteId of result.notFound) {
        const item = byRemote.get(remoteId);
        if (item) await this.#finish(item.job, item.op, item.change, { alreadyDone: true, remoteId, account: undefined });
      }
    } catch (error) {
      for (const item of items) await this.#failed(item.job, item.op, item.change, error);
    }
  }

  async #finish(job: JobWithMetadata<OperationJob>, op: Operation, change: Change, outcome: ChangeOutcome): Promise<void> {
    const { db, boss } = this.#o;
    await db.transaction(async (tx) => {
      if (outcome.remoteId && change.kind === 'create' && change.personId) {
        await linkCreatedAccount(tx, change.app, outcome.remoteId, change.personId, outcome.alreadyDone ? `found by userName when plan ${op.planId} came to create it` : `created by roster (plan ${op.planId})`);
      }
      if (change.kind === 'delete' && outcome.remoteId) await recordAccountChange(tx, change.app, { deleted: outcome.remoteId });
      else if (outcome.account) await recordAccountChange(tx, change.app, { account: outcome.account });
      await finishOperation(tx, op.key, { remoteId: outcome.remoteId ?? null, alreadyDone: outcome.alreadyDone });
      const events: AuditInput[] = [
        { actor: this.#o.actor, action: 'change.applied', appName: change.app, target: change.id, detail: { plan: op.planId, kind: change.kind, remoteId: outcome.remoteId ?? null, alreadyDone: outcome.alreadyDone, attempt: op.attempts } },
        { actor: this.#o.actor, action: 'change.verified', appName: change.app, target: change.id, detail: { plan: op.planId, readBack: change.kind === 'delete' ? 'gone' : 'matches' } },
      ];
      await recordAudit(tx, events);
    });
    await boss.complete(operationsQueue, job.id);
  }

  async #failed(job: JobWithMetadata<OperationJob>, op: Operation, change: Change, error: unknown): Promise<void> {
    const { db, boss } = this.#o;
    const message = error instanceof Error ? error.message : String(error);
    const base = { actor: this.#o.actor, appName: change.app, target: change.id };
    if (error instanceof NotReadyError) {
      await requeueOperation(db, op.key, message);
      await boss.complete(operationsQueue, job.id);
      await enqueue(boss, job.data, 1);
      return;
    }
    if (isRosterError(error, 'rate_limited') && typeof error.facts.retryAfterMs === 'number') {
      const seconds = Math.ceil(error.facts.retryAfterMs / 1000);
      await requeueOperation(db, op.key, message, new Date(Date.now() + seconds * 1000));
      await recordAudit(db, { ...base, action: 'change.rescheduled', outcome: 'retried', detail: { plan: op.planId, waitSeconds: seconds, reason: message } });
      await boss.complete(operationsQueue, job.id);
      await enqueue(boss, job.data, seconds);
      return;
    }
    const lastTry = job.retryCount >= job.retryLimit;
    if ((isRosterError(error) && permanent.has(error.code)) || lastTry) {
      await failOperation(db, op.key, message);
      await recordAudit(db, { ...base, action: 'change.escalated', outcome: 'failed', detail: { plan: op.planId, attempts: op.attempts, reason: message, code: isRosterError(error) ? error.code : 'unexpected' } });
      await boss.complete(operationsQueue, job.id);
    } else {
      await requeueOperation(db, op.key, message);
      await recordAudit(db, { ...base, action: 'change.retried', outcome: 'retried', detail: { plan: op.planId, attempt: op.attempts, reason: message } });
      await boss.fail(operationsQueue, job.id, { reason: message });
    }
    await this.#maybeQuarantine(change.app);
  }

  async #maybeQuarantine(appName: string): Promise<void> {
    const { minFailures, share, forMs } = this.#o.quarantine;
    const { failed, total } = await recentOutcomes(this.#o.db, appName);
    if (failed < minFailures || failed / total < share) return;
    const until = new Date(Date.now() + forMs);
    const reason = `${failed} of its last ${total} operations failed`;
    await quarantineApp(this.#o.db, appName, until, reason);
    await recordAudit(this.#o.db, { actor: this.#o.actor, action: 'app.quarantined', appName, outcome: 'failed', detail: { until: until.toISOString(), reason } });
  }
}
