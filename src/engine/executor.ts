import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PgBoss } from 'pg-boss';
import { exchangeEvent } from '../audit/exchange.ts';
import { recordAudit, type AuditInput } from '../audit/trail.ts';
import type { ResolvedApp } from '../config/load.ts';
import type { Connector } from '../connectors/connector.ts';
import { priorities } from '../connectors/http/rate-budget.ts';
import { withRequestPriority } from '../connectors/http/request-priority.ts';
import type { RemoteAccount } from '../core/account.ts';
import type { Change } from '../core/plan.ts';
import { isRosterError, RosterError } from '../errors.ts';
import { log } from '../log.ts';
import { recordVendorRequest } from '../metrics.ts';
import { currentAccounts, liftQuarantine, quarantineApp, quarantinedUntil, recordAccountChange, recordMembership } from '../store/accounts.ts';
import { isDatabaseUnavailable, type Database } from '../store/database.ts';
import { linkCreatedAccount, linkedRemoteId } from '../store/links.ts';
import {
  claimOperation,
  extendLeases,
  failOperation,
  finishOperation,
  getOperation,
  operationKey,
  recentOutcomes,
  releaseAbandoned,
  releaseDeferred,
  releaseOperations,
  requeueOperation,
  skipOperation,
  stageOperation,
  type Operation,
} from '../store/operations.ts';
import { getPlan, planSeal, type StoredPlan } from '../store/plans.ts';
import { saveSnapshot } from '../store/snapshots.ts';
import { decisionFor, trustedApprovals, verifyPlan, waitingReasons } from './approvals.ts';
import { NotReadyError, runChange, type ChangeOutcome } from './change-runner.ts';
import { decideFailure, defaultAttemptPolicy, type AttemptPolicy, type Failure } from './outcome.ts';
import { enqueue, operationsQueue, type OperationJob } from './queue.ts';
import { recheckChanges } from './recheck.ts';

export interface ExecutorOptions {
  db: Database;
  boss: PgBoss;
  /** The connector for an app, made once per executor and closed by it. */
  connectorFor: (appName: string) => Connector;
  /** The app as configured now: its policy is what every change is re-checked against. */
  appFor: (appName: string) => ResolvedApp | undefined;
  actor: string;
  batchSize?: number;
  /** Quarantine an app when at least this many of its recent operations failed, and most did. */
  quarantine?: { minFailures: number; share: number; forMs: number };
  attempts?: AttemptPolicy;
  /** How long a claim holds without a heartbeat; a worker that stops beating loses its claims. */
  leaseMs?: number;
  /** While an app is quarantined, one operation is let through this often to learn whether it is back. */
  probeEveryMs?: number;
  /** How long runUntil waits for a database that went away before it gives up. */
  databasePatienceMs?: number;
  /**
   * Shutting down: once aborted, no new work is taken, the change running now finishes, and work
   * fetched or claimed but not started is handed back to the queue for another worker at once.
   */
  signal?: AbortSignal;
}

/** This process's worker identity: host, pid and a random part, so a reused pid is not mistaken for it. */
export const workerId = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;

interface Claimed {
  op: Operation;
  change: Change;
  plan: StoredPlan;
}

/**
 * Takes operations off the queue and carries them out, a batch at a time, grouped by app. Before
 * each change it checks that the plan is untampered, not rejected, the change approved where it
 * must be, and the change still true of its person and account now; what no longer holds is
 * skipped with its reason. Claims are leases kept alive by a heartbeat; a worker that dies loses
 * them and another takes the work over. Writes to apps that stage them (ZIA) are done only once
 * live. Failures go through one rule (outcome.ts): retry, wait, or escalate — always bounded.
 */
export class Executor {
  readonly #o: Required<Omit<ExecutorOptions, 'signal'>>;
  readonly #signal: AbortSignal | undefined;
  readonly #connectors = new Map<string, Connector>();
  readonly #verified = new Map<string, StoredPlan>();
  /** Per plan: approvals the trail has been seen to record. */
  readonly #recordedApprovals = new Map<string, Set<number>>();
  /** Request records, written to the trail as they happen (awaited before an operation is settled). */
  #requestLog: Promise<void> = Promise.resolve();
  readonly #requestBuffer: AuditInput[] = [];
  #requestWriting = false;
  #lastSweep = 0;
  readonly #lastProbe = new Map<string, number>();

  constructor(options: ExecutorOptions) {
    this.#o = {
      batchSize: 100,
      quarantine: { minFailures: 5, share: 0.8, forMs: 5 * 60_000 },
      attempts: defaultAttemptPolicy,
      leaseMs: 30_000,
      probeEveryMs: 30_000,
      databasePatienceMs: 120_000,
      ...options,
    };
    this.#signal = options.signal;
  }

  get #stopping(): boolean {
    return this.#signal?.aborted ?? false;
  }

  /** Releases work whose worker stopped beating and queues it again; answers how many. */
  async sweep(): Promise<number> {
    const first = this.#lastSweep === 0;
    this.#lastSweep = Date.now();
    // The embedded database is open in one process only (its folder lock): any other claim is a dead one's.
    const abandoned = await releaseAbandoned(this.#o.db, 10 * this.#o.leaseMs, first && this.#o.db.kind === 'pglite');
    for (const op of abandoned) {
      await enqueue(this.#o.boss, { key: op.key, planId: op.planId, changeId: op.changeId, appName: op.appName }, undefined, priorityOf(op.kind));
    }
    if (abandoned.length > 0) await recordAudit(this.#o.db, { actor: this.#o.actor, action: 'operations.recovered', detail: { count: abandoned.length, keys: abandoned.slice(0, 20).map((o) => o.key) } });
    return abandoned.length;
  }

  /** Processes one batch; answers how many jobs it took. */
  async runOnce(): Promise<number> {
    if (this.#stopping) return 0;
    if (Date.now() - this.#lastSweep > Math.min(this.#o.leaseMs / 2, 5000)) await this.sweep();
    const fetched = await this.#o.boss.fetch<OperationJob>(operationsQueue, { batchSize: this.#o.batchSize, includeMetadata: true });
    if (fetched.length === 0) return 0;
    // The queue picks by priority but answers in no particular order: leavers first, then plan order.
    const jobs = [...fetched].sort((a, b) => b.priority - a.priority || (a.data.seq ?? 0) - (b.data.seq ?? 0) || a.createdOn.getTime() - b.createdOn.getTime());
    // A job is only a wake-up call: the operation's row is the truth, claimed under a lease.
    await this.#o.boss.complete(operationsQueue, jobs.map((j) => j.id));
    const byApp = new Map<string, OperationJob[]>();
    for (const job of jobs) byApp.set(job.data.appName, [...(byApp.get(job.data.appName) ?? []), job.data]);
    // Apps are independent (their own connector, budget and quarantine): they are worked side by
    // side, so one app's backlog never holds another's leavers.
    // Every app's work settles before an error is passed on, so no app is still running when the caller tries again.
    const results = await Promise.allSettled([...byApp].map(([appName, appJobs]) => (this.#stopping ? this.#requeueJobs(appJobs) : this.#runApp(appName, appJobs))));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    return jobs.length;
  }

  /**
   * Runs until `done()` says so, polling when the queue is empty. A database that goes away (a
   * restart, a failover) is waited for, up to databasePatienceMs: work cut off part way is taken
   * up again when its lease runs out, and each change checks the app before it acts again.
   */
  async runUntil(done: () => Promise<boolean>, pollMs = 250): Promise<void> {
    let unavailableSince: number | undefined;
    const wake = this.#signal ? { signal: this.#signal } : {};
    while (!this.#stopping) {
      try {
        const taken = await this.runOnce();
        unavailableSince = undefined;
        if (taken === 0) {
          if (await done()) return;
          await sleep(pollMs, undefined, wake).catch(() => undefined);
        }
      } catch (error) {
        if (!isDatabaseUnavailable(error)) throw error;
        unavailableSince ??= Date.now();
        if (Date.now() - unavailableSince > this.#o.databasePatienceMs) throw error;
        log.warn({ err: (error as Error).message }, 'the database is unavailable; carrying on once it is back');
        await sleep(1000, undefined, wake).catch(() => undefined);
      }
    }
  }

  /** Jobs fetched but not claimed, queued again as they were (the queue completed them on fetch). */
  async #requeueJobs(jobs: readonly OperationJob[]): Promise<void> {
    for (const job of jobs) {
      const op = await getOperation(this.#o.db, job.key);
      if (op && (op.state === 'queued' || op.state === 'staged')) await enqueue(this.#o.boss, job, undefined, priorityOf(op.kind));
    }
  }

  /** Claims not started, given back so another worker takes them at once. */
  async #handBack(items: readonly Claimed[]): Promise<void> {
    if (items.length === 0) return;
    const released = await releaseOperations(this.#o.db, workerId, items.map((i) => i.op.key));
    for (const op of released) await enqueue(this.#o.boss, { key: op.key, planId: op.planId, changeId: op.changeId, appName: op.appName }, undefined, priorityOf(op.kind));
    await recordAudit(this.#o.db, { actor: this.#o.actor, action: 'operations.handed_back', detail: { count: released.length, worker: workerId, keys: released.slice(0, 20).map((o) => o.key) } });
  }

  async close(): Promise<void> {
    for (const [appName, connector] of this.#connectors) {
      await connector.close().catch((error: Error) => log.error({ app: appName, err: error.message }, 'closing connector failed'));
    }
    this.#connectors.clear();
    await this.#requestLog;
  }

  #connector(appName: string): Connector {
    let connector = this.#connectors.get(appName);
    if (!connector) {
      connector = this.#o.connectorFor(appName);
      connector.observe((exchange) => {
        recordVendorRequest(appName, exchange);
        this.#logRequest(exchangeEvent(this.#o.actor, appName, 'app.request', exchange));
      });
      this.#connectors.set(appName, connector);
    }
    return connector;
  }

  #logRequest(event: AuditInput): void {
    this.#requestBuffer.push(event);
    if (!this.#requestWriting) this.#requestLog = this.#writeRequests();
  }

  /** Writes buffered request records in as few statements as they arrive in; settles when all are written. */
  async #writeRequests(): Promise<void> {
    this.#requestWriting = true;
    try {
      let unavailableSince: number | undefined;
      while (this.#requestBuffer.length > 0) {
        const events = this.#requestBuffer.splice(0);
        try {
          await recordAudit(this.#o.db, events);
          unavailableSince = undefined;
        } catch (error) {
          unavailableSince ??= Date.now();
          if (isDatabaseUnavailable(error) && Date.now() - unavailableSince <= this.#o.databasePatienceMs) {
            // The database is away (a restart): keep the records, in order, and write them once it is back.
            this.#requestBuffer.unshift(...events);
            await sleep(500);
            continue;
          }
          log.error({ err: (error as Error).message, lost: events.length }, 'request records not written');
        }
      }
    } finally {
      this.#requestWriting = false;
    }
  }

  /** A plan proven untampered (verified once per executor), with its status and digest read fresh. */
  async #plan(planId: string): Promise<StoredPlan | string> {
    let verified = this.#verified.get(planId);
    if (!verified) {
      const stored = await getPlan(this.#o.db, planId);
      if (!stored) return `plan ${planId} no longer exists`;
      try {
        await verifyPlan(this.#o.db, stored);
      } catch (error) {
        return (error as Error).message;
      }
      verified = stored;
      this.#verified.set(planId, stored);
    }
    const now = await planSeal(this.#o.db, planId);
    if (!now) return `plan ${planId} no longer exists`;
    if (now.digest !== verified.digest) return `plan ${planId} was changed after it was made; nothing more of it is carried out`;
    return { ...verified, status: now.status };
  }

  /** Why this change must not run now, or undefined when its plan and its approvals allow it. */
  async #decisionAgainst(plan: StoredPlan, change: Change): Promise<string | undefined> {
    let recorded = this.#recordedApprovals.get(plan.id);
    if (!recorded) this.#recordedApprovals.set(plan.id, (recorded = new Set()));
    const decision = decisionFor(plan, await trustedApprovals(this.#o.db, plan, recorded), change);
    if (decision === 'rejected') return `${change.id} was rejected; not carried out`;
    if (decision === 'waiting') return `${change.id} is not approved (${waitingReasons(plan, change).join('; ')}); not carried out`;
    return undefined;
  }

  async #runApp(appName: string, appJobs: OperationJob[]): Promise<void> {
    let jobs = appJobs;
    const { db, boss } = this.#o;
    const until = await quarantinedUntil(db, appName);
    let probe: OperationJob | undefined;
    if (until && Date.now() - (this.#lastProbe.get(appName) ?? 0) >= this.#o.probeEveryMs) {
      // Half-open: one operation goes through; if it succeeds the app is back and the quarantine lifts.
      this.#lastProbe.set(appName, Date.now());
      probe = jobs[0];
    }
    if (until) {
      // A quarantined app's work waits, without spending attempts; leavers are first when it lifts.
      for (const job of jobs) {
        if (job === probe) continue;
        const op = await getOperation(db, job.key);
        if (!op || (op.state !== 'queued' && op.state !== 'staged')) continue;
        await db.query('update operations set not_before = $2, updated_at = now() where key = $1', [op.key, until]);
        await enqueue(boss, job, Math.ceil((until.getTime() - Date.now()) / 1000), priorityOf(op.kind));
      }
      if (!probe) return;
      jobs = [probe];
    }
    const claimed: Claimed[] = [];
    for (const [index, job] of jobs.entries()) {
      if (this.#stopping) {
        await this.#requeueJobs(jobs.slice(index));
        break;
      }
      const op = await claimOperation(db, job.key, workerId, this.#o.leaseMs);
      if (!op) continue; // finished already, or a live worker's lease holds it
      const plan = await this.#plan(op.planId);
      const change = typeof plan === 'string' ? undefined : plan.changes.find((c) => c.id === op.changeId);
      if (typeof plan === 'string' || !change) {
        await this.#skip(op, appName, typeof plan === 'string' ? plan : `plan ${op.planId} has no change ${op.changeId}`);
        continue;
      }
      claimed.push({ op, change, plan });
    }
    if (claimed.length === 0) return;
    const heartbeat = setInterval(() => {
      extendLeases(db, workerId, claimed.map((c) => c.op.key), this.#o.leaseMs).catch((error: Error) => log.warn({ err: error.message }, 'lease heartbeat failed'));
    }, Math.max(50, Math.floor(this.#o.leaseMs / 3)));
    try {
      await this.#work(appName, claimed);
    } finally {
      clearInterval(heartbeat);
    }
    if (probe && (await getOperation(db, probe.key))?.state === 'done') {
      await liftQuarantine(db, appName);
      // What waited for the quarantine is due now, leavers first.
      const due = await releaseDeferred(db, appName);
      for (const op of due) await enqueue(boss, { key: op.key, planId: op.planId, changeId: op.changeId, appName }, undefined, priorityOf(op.kind));
      await recordAudit(db, { actor: this.#o.actor, action: 'app.quarantine_lifted', appName, detail: { probe: probe.changeId, released: due.length } });
    }
  }

  async #work(appName: string, claimed: Claimed[]): Promise<void> {
    const connector = this.#connector(appName);
    const app = this.#o.appFor(appName);
    const alreadyStaged = claimed.filter((c) => c.op.state === 'staged');
    const toRun = claimed.filter((c) => c.op.state !== 'staged');
    const staged: Claimed[] = [...alreadyStaged];
    const deletes = toRun.filter((c) => c.change.kind === 'delete' && c.change.remoteId);
    const bulk = connector.capabilities.bulkDelete && connector.deleteAccounts && deletes.length > 1 ? deletes : [];
    // Every request a change makes waits in the credential's budget with the change's priority.
    if (bulk.length > 0) staged.push(...(await withRequestPriority(priorities.leaver, () => this.#bulkDelete(connector, app, bulk))));
    // First attempts at memberships go last, one request per group where the app allows it.
    const grouped = connector.capabilities.bulkMembership && connector.changeMembers ? toRun.filter((c) => (c.change.kind === 'add-member' || c.change.kind === 'remove-member') && c.op.attempts <= 1) : [];
    const notStarted: Claimed[] = [];
    for (const item of toRun) {
      if (bulk.includes(item) || grouped.includes(item)) continue;
      if (this.#stopping) notStarted.push(item);
      else if (await withRequestPriority(budgetPriorityOf(item.change.kind), () => this.#runOne(connector, app, item))) staged.push(item);
    }
    if (grouped.length > 0 && this.#stopping) notStarted.push(...grouped);
    else if (grouped.length > 0) staged.push(...(await withRequestPriority(priorities.joinerMover, () => this.#changeMembers(connector, app, grouped))));
    await this.#handBack(notStarted);
    if (staged.length > 0) await withRequestPriority(Math.min(...staged.map((c) => budgetPriorityOf(c.change.kind))), () => this.#makeLive(connector, staged));
  }

  /** Memberships of a batch, one request per group and direction; what the answer does not prove is read back one by one. */
  async #changeMembers(connector: Connector, app: ResolvedApp | undefined, items: Claimed[]): Promise<Claimed[]> {
    const { db } = this.#o;
    const staged: Claimed[] = [];
    const batches = new Map<string, { op: 'add' | 'remove'; group: string; items: { item: Claimed; remoteId: string }[] }>();
    const recheck = app ? await recheckChanges(db, app, items.map((i) => i.change)) : undefined;
    for (const item of items) {
      const refused = await this.#mayRun(app, item, recheck);
      if (refused) {
        await this.#skip(item.op, item.change.app, refused, item.change);
        continue;
      }
      const remoteId = item.change.remoteId ?? (item.change.personId ? await linkedRemoteId(db, item.change.app, item.change.personId) : undefined);
      if (!remoteId) {
        // Its account is not there yet: the one-by-one path says why (a failed or pending create).
        if (await this.#runOne(connector, app, item)) staged.push(item);
        continue;
      }
      const op = item.change.kind === 'add-member' ? 'add' : 'remove';
      const key = `${op}\u0000${item.change.group ?? ''}`;
      const batch = batches.get(key) ?? { op, group: item.change.group ?? '', items: [] };
      batch.items.push({ item, remoteId });
      batches.set(key, batch);
    }
    for (const batch of batches.values()) {
      await recordAudit(db, batch.items.map(({ item }) => ({ actor: this.#o.actor, action: 'change.started', appName: item.change.app, target: item.change.id, detail: { plan: item.op.planId, attempt: item.op.attempts, batch: batch.items.length, worker: workerId } })));
      let shown: Set<string>;
      try {
        shown = await connector.changeMembers!(batch.group, batch.op, batch.items.map((i) => i.remoteId));
      } catch (error) {
        for (const { item } of batch.items) await this.#failed(item, await this.#failure(item, error));
        continue;
      }
      const wantIn = batch.op === 'add';
      for (const { item, remoteId } of batch.items) {
        try {
          if (!shown.has(remoteId) && (await connector.isMember(remoteId, batch.group)) !== wantIn) {
            throw new RosterError('app_error', `${item.change.app}: read back after ${item.change.kind} of ${item.change.subject}: the app does not show them ${wantIn ? 'in' : 'out of'} ${batch.group}`);
          }
          if (await this.#settle(connector, item, { alreadyDone: false, remoteId, account: undefined, membership: { group: batch.group, member: wantIn } })) staged.push(item);
        } catch (error) {
          await this.#failed(item, await this.#failure(item, error));
        }
      }
    }
    return staged;
  }

  /** The checks every change passes just before it runs; answers why not, or undefined. */
  async #mayRun(app: ResolvedApp | undefined, item: Claimed, recheck?: Awaited<ReturnType<typeof recheckChanges>>): Promise<string | undefined> {
    const plan = await this.#plan(item.plan.id);
    if (typeof plan === 'string') return plan;
    const refused = await this.#decisionAgainst(plan, item.change);
    if (refused) return refused;
    if (!app) return `${item.change.app} is no longer configured`;
    const result = (recheck ?? (await recheckChanges(this.#o.db, app, [item.change]))).get(item.change.id);
    return result && !result.holds ? `skipped: ${result.reason}` : undefined;
  }

  /** Runs one change; answers true when it was written to an app that stages writes (not live yet). */
  async #runOne(connector: Connector, app: ResolvedApp | undefined, item: Claimed): Promise<boolean> {
    const { op, change } = item;
    const refused = await this.#mayRun(app, item);
    if (refused) {
      await this.#skip(op, change.app, refused, change);
      return false;
    }
    const context = {
      connector,
      linkedRemoteId: (personId: string) => linkedRemoteId(this.#o.db, change.app, personId),
      snapshot: (account: RemoteAccount) => this.#snapshot(op, change, account),
      storedAccount: async (remoteId: string) => (await currentAccounts(this.#o.db, change.app, { remoteIds: [remoteId] }))[0],
    };
    try {
      await recordAudit(this.#o.db, { actor: this.#o.actor, action: 'change.started', appName: change.app, target: change.id, detail: { plan: op.planId, attempt: op.attempts, worker: workerId } });
      const outcome = await runChange(context, change, op.attempts);
      return await this.#settle(connector, item, outcome);
    } catch (error) {
      await this.#failed(item, await this.#failure(item, error));
      return false;
    }
  }

  /** One snapshot path: durable in the database before any destructive request leaves roster. */
  async #snapshot(op: Operation, change: Change, account: RemoteAccount): Promise<void> {
    const id = await saveSnapshot(this.#o.db, { appName: change.app, remoteId: account.remoteId, personId: change.personId ?? null, operationKey: op.key, reason: `before ${change.kind}: ${change.reason}`, account });
    await recordAudit(this.#o.db, { actor: this.#o.actor, action: 'snapshot.taken', appName: change.app, target: account.remoteId, detail: { snapshotId: id, change: change.id } });
  }

  async #bulkDelete(connector: Connector, app: ResolvedApp | undefined, items: Claimed[]): Promise<Claimed[]> {
    const { db } = this.#o;
    const recheck = app ? await recheckChanges(db, app, items.map((i) => i.change)) : undefined;
    const allowed: Claimed[] = [];
    for (const item of items) {
      const refused = await this.#mayRun(app, item, recheck);
      if (refused) await this.#skip(item.op, item.change.app, refused, item.change);
      else allowed.push(item);
    }
    if (allowed.length === 0) return [];
    if (allowed.length === 1 && allowed[0]) return (await this.#runOne(connector, app, allowed[0])) ? [allowed[0]] : [];
    await recordAudit(db, allowed.map(({ op, change }) => ({ actor: this.#o.actor, action: 'change.started', appName: change.app, target: change.id, detail: { plan: op.planId, attempt: op.attempts, batch: allowed.length, worker: workerId } })));
    return this.#deleteInBulk(connector, allowed);
  }

  /**
   * One bulk delete for the batch. When the app refuses it for some accounts only (ZIA: an admin,
   * an IdP-synced user) and so deletes none, those fail with the reason and the rest go again.
   */
  async #deleteInBulk(connector: Connector, items: Claimed[]): Promise<Claimed[]> {
    const byRemote = new Map(items.map((item) => [item.change.remoteId ?? '', item]));
    const staged: Claimed[] = [];
    try {
      const result = await connector.deleteAccounts!([...byRemote.keys()], async (records) => {
        for (const record of records) {
          const item = byRemote.get(record.remoteId);
          if (item) await this.#snapshot(item.op, item.change, record);
        }
      });
      for (const before of result.deleted) {
        const item = byRemote.get(before.remoteId);
        if (item && (await this.#settle(connector, item, { alreadyDone: false, remoteId: before.remoteId, account: undefined, before }))) staged.push(item);
      }
      for (const remoteId of result.notFound) {
        const item = byRemote.get(remoteId);
        if (item && (await this.#settle(connector, item, { alreadyDone: true, remoteId, account: undefined }))) staged.push(item);
      }
    } catch (error) {
      const refusedIds = isRosterError(error) && Array.isArray(error.facts.remoteIds) ? new Set(error.facts.remoteIds.map(String)) : new Set<string>();
      const refused = items.filter((item) => refusedIds.has(item.change.remoteId ?? ''));
      const rest = items.filter((item) => !refused.includes(item));
      if (refused.length === 0 || rest.length === 0) {
        for (const item of items) await this.#failed(item, await this.#failure(item, error));
        return staged;
      }
      for (const item of refused) await this.#failed(item, await this.#failure(item, error));
      staged.push(...(await this.#deleteInBulk(connector, rest)));
    }
    return staged;
  }

  /**
   * Records what a change did. Where the app stages writes it is staged (not done) until
   * #makeLive; elsewhere it is done. Answers whether it is staged.
   */
  async #settle(connector: Connector, item: Claimed, outcome: ChangeOutcome): Promise<boolean> {
    const { op, change } = item;
    await this.#requestLog;
    const result = { remoteId: outcome.remoteId ?? null, alreadyDone: outcome.alreadyDone };
    const staged = connector.capabilities.stagesWrites;
    await this.#o.db.transaction(async (tx) => {
      if (outcome.remoteId && change.kind === 'create' && change.personId) {
        await linkCreatedAccount(tx, change.app, outcome.remoteId, change.personId, outcome.alreadyDone ? `found by userName when plan ${op.planId} came to create it` : `created by roster (plan ${op.planId})`);
      }
      if (change.kind === 'delete' && outcome.remoteId) await recordAccountChange(tx, change.app, { deleted: outcome.remoteId });
      else if (outcome.account) await recordAccountChange(tx, change.app, { account: outcome.account });
      else if (outcome.membership && outcome.remoteId) await recordMembership(tx, change.app, outcome.remoteId, outcome.membership.group, outcome.membership.member);
      const applied: AuditInput = { actor: this.#o.actor, action: 'change.applied', appName: change.app, target: change.id, detail: { plan: op.planId, kind: change.kind, ...result, attempt: op.attempts, ...(staged ? { live: false } : {}) } };
      if (staged) {
        await stageOperation(tx, op.key, result);
        await recordAudit(tx, applied);
        return;
      }
      await finishOperation(tx, op.key, result);
      await recordAudit(tx, [applied, { actor: this.#o.actor, action: 'change.verified', appName: change.app, target: change.id, detail: { plan: op.planId, readBack: change.kind === 'delete' ? 'gone' : 'matches' } }]);
    });
    return staged;
  }

  /** Makes staged writes live (ZIA's activation); only then are they done. A failed activation is retried, boundedly. */
  async #makeLive(connector: Connector, staged: Claimed[]): Promise<void> {
    const appName = connector.appName;
    try {
      await connector.flush({ pending: true });
    } catch (error) {
      await this.#requestLog;
      const message = error instanceof Error ? error.message : String(error);
      await recordAudit(this.#o.db, { actor: this.#o.actor, action: 'app.flush_failed', appName, outcome: 'failed', detail: { error: message, staged: staged.length } });
      for (const item of staged) {
        const failure = await this.#failure(item, error);
        await this.#failed(item, failure.kind === 'error' ? { ...failure, message: `written to ${appName} but not live: ${failure.message}` } : failure);
      }
      return;
    }
    await this.#requestLog;
    await this.#o.db.transaction(async (tx) => {
      for (const { op, change } of staged) {
        await finishOperation(tx, op.key);
        await recordAudit(tx, { actor: this.#o.actor, action: 'change.verified', appName, target: change.id, detail: { plan: op.planId, readBack: change.kind === 'delete' ? 'gone' : 'matches', live: true } });
      }
    });
  }

  /** The failure as the outcome rule reads it; a change waiting for its create asks how that create went. */
  async #failure({ op, change }: Claimed, error: unknown): Promise<Failure> {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof NotReadyError && change.personId) {
      const prerequisite = `${change.app}/create/${change.personId}`;
      const before = await getOperation(this.#o.db, operationKey(op.planId, prerequisite));
      if (!before) return { kind: 'prerequisite', state: 'absent', prerequisite, message };
      if (before.state === 'failed' || before.state === 'skipped') return { kind: 'prerequisite', state: 'failed', prerequisite, message: before.lastError ?? before.state };
      return { kind: 'prerequisite', state: 'pending', prerequisite, message };
    }
    if (isRosterError(error)) {
      const retryAfterMs = typeof error.facts.retryAfterMs === 'number' ? error.facts.retryAfterMs : undefined;
      return { kind: 'error', code: error.code, message, retryAfterMs };
    }
    return { kind: 'error', code: 'unexpected', message };
  }

  async #failed({ op, change }: Claimed, failure: Failure): Promise<void> {
    const { db, boss } = this.#o;
    await this.#requestLog;
    let decision = decideFailure(failure, { attempts: op.attempts, waits: op.waits }, this.#o.attempts);
    const base = { actor: this.#o.actor, appName: change.app, target: change.id };
    if (decision.kind === 'escalate' && op.state === 'staged') {
      // Written but not live: never given up on. It waits, and every apply or worker tries to make it live.
      await recordAudit(db, { ...base, action: 'change.not_live', outcome: 'failed', detail: { plan: op.planId, attempts: op.attempts, reason: decision.reason } });
      decision = { kind: 'retry', delayMs: this.#o.attempts.maxDelayMs, reason: decision.reason };
    }
    if (decision.kind === 'escalate') {
      await failOperation(db, op.key, decision.reason);
      await recordAudit(db, { ...base, action: 'change.escalated', outcome: 'failed', detail: { plan: op.planId, attempts: op.attempts, waits: op.waits, reason: decision.reason, code: failure.kind === 'error' ? failure.code : 'prerequisite' } });
    } else {
      const notBefore = new Date(Date.now() + decision.delayMs);
      await requeueOperation(db, op.key, decision.reason, notBefore, decision.kind);
      await recordAudit(db, { ...base, action: decision.kind === 'wait' ? 'change.rescheduled' : 'change.retried', outcome: 'retried', detail: { plan: op.planId, attempt: op.attempts, waitSeconds: Math.ceil(decision.delayMs / 1000), reason: decision.reason } });
      await enqueue(boss, { key: op.key, planId: op.planId, changeId: change.id, appName: change.app }, Math.ceil(decision.delayMs / 1000), priorityOf(change.kind));
    }
    if (decision.kind !== 'wait') await this.#maybeQuarantine(change.app);
  }

  async #skip(op: Operation, appName: string, reason: string, change?: Change): Promise<void> {
    await skipOperation(this.#o.db, op.key, reason);
    await recordAudit(this.#o.db, { actor: this.#o.actor, action: 'change.skipped', appName, target: change?.id ?? op.changeId, detail: { plan: op.planId, reason } });
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

/** Leavers first: the queue hands out higher priorities before lower ones. */
export function priorityOf(kind: string): number {
  return kind === 'delete' || kind === 'deactivate' ? 10 : 0;
}

/** A change's place in the credential's rate budget: leavers first, every other change next; reads (sync) come last. */
export function budgetPriorityOf(kind: string): number {
  return kind === 'delete' || kind === 'deactivate' ? priorities.leaver : priorities.joinerMover;
}
