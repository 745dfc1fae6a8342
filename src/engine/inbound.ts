// Fan-out of IdP pushes: each accepted change plans at once for the people it touched and applies
// what policy allows now (queued for the executor); what needs approval stays held in the plan.
import type { PgBoss } from 'pg-boss';
import type { ResolvedApp } from '../config/load.ts';
import type { Connector } from '../connectors/connector.ts';
import { isRosterError } from '../errors.ts';
import { log } from '../log.ts';
import type { Database } from '../store/database.ts';
import { applyPlan } from './apply.ts';
import { makePlan } from './planning.ts';

export interface FanOutOptions {
  db: Database;
  apps: readonly ResolvedApp[];
  connectorFor: (app: ResolvedApp) => Connector;
  /** The started queue to put work on (roster serve's); default: each apply starts and stops one. */
  queue?: PgBoss | undefined;
  /** Called after each plan is made and queued (tests and metrics). */
  onPlanned?: (result: FanOutResult) => void;
}

export interface FanOutResult {
  actor: string;
  people: string[];
  planId?: string;
  changes: number;
  queued: number;
  waitingApproval: number;
  /** Why nothing was planned (no apps, an app never synced, …). */
  skipped?: string;
}

/**
 * Plans and queues, one plan at a time in this process, for the people pushes touched. Pushes that
 * arrive while a plan is being made are coalesced into the next one, so a burst for one person
 * makes at most two plans, never a pile; a plan made stale by a newer push is made again. Two
 * plans for the same person can both be queued (one before, one after a change): the executor
 * re-checks every change against the person as they are when it runs, so the older one's changes
 * that no longer hold are skipped, never carried out.
 */
export class FanOut {
  readonly #o: FanOutOptions;
  /** person id → the actor whose push touched them last. */
  readonly #pending = new Map<string, string>();
  #running: Promise<void> | undefined;
  #warned = '';

  constructor(options: FanOutOptions) {
    this.#o = options;
  }

  /** Queues planning for these people on behalf of actor (`idp:<token name>`); returns at once. */
  trigger(personIds: readonly string[], actor: string): void {
    for (const id of personIds) this.#pending.set(id, actor);
    this.#kick();
  }

  #kick(): void {
    if (this.#running || this.#pending.size === 0) return;
    this.#running = this.#drain().finally(() => {
      this.#running = undefined;
      this.#kick();
    });
  }

  /** Resolves when every push so far has been planned and queued. */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  async #drain(): Promise<void> {
    while (this.#pending.size > 0) {
      const [, actor] = this.#pending.entries().next().value as [string, string];
      const people = [...this.#pending].filter(([, a]) => a === actor).map(([id]) => id);
      for (const id of people) this.#pending.delete(id);
      await this.#planAndQueue(people, actor);
    }
  }

  async #planAndQueue(people: string[], actor: string): Promise<void> {
    const { db, apps } = this.#o;
    if (apps.length === 0) return this.#report({ actor, people, changes: 0, queued: 0, waitingApproval: 0, skipped: 'no apps configured' });
    try {
      const plan = await makePlan(db, apps, { actor, people });
      if (plan.changes.length === 0) return this.#report({ actor, people, planId: plan.id, changes: 0, queued: 0, waitingApproval: 0 });
      const report = await applyPlan(db, apps, plan.id, { actor, connectorFor: this.#o.connectorFor, wait: false, queue: this.#o.queue });
      return this.#report({ actor, people, planId: plan.id, changes: plan.changes.length, queued: report.gate.ready.length, waitingApproval: report.gate.waiting.length });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (isRosterError(error) && /is stale/.test(message)) {
        // These people changed again while their plan was made (a push here, or in another
        // process): plan them afresh, never drop them.
        for (const id of people) if (!this.#pending.has(id)) this.#pending.set(id, actor);
        return;
      }
      if (isRosterError(error)) {
        if (this.#warned !== message) log.warn({ people: people.length, err: message }, 'inbound change not planned');
        this.#warned = message;
        return this.#report({ actor, people, changes: 0, queued: 0, waitingApproval: 0, skipped: message });
      }
      log.error({ people: people.length, err: message }, 'inbound fan-out failed');
      return this.#report({ actor, people, changes: 0, queued: 0, waitingApproval: 0, skipped: message });
    }
  }

  #report(result: FanOutResult): void {
    this.#o.onPlanned?.(result);
  }
}
