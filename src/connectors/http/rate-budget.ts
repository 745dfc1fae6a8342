import { systemClock, type Clock } from '../../core/clock.ts';
import { RosterError } from '../../errors.ts';

/**
 * A rate budget for one credential, shared by every request made with it: the limits the vendor
 * documents (per method where it documents them so), tightened by what the app's rate-limit
 * headers say is left and by its 429s. Waiting requests go out by priority (leavers first, then
 * joiners and movers, then reads), and in arrival order within a priority.
 *
 * Alone (no shared ledger) it keeps token buckets in this process. With a shared ledger (the CLI
 * sets roster's database, see shareBudgetsThrough) every process using the credential spends one
 * budget: each rule is a sliding window of grants counted from each answer, a waiting leaver or
 * joiner anywhere holds back reads everywhere, and a 429 anywhere holds every process. Every
 * rule in the manifests is safe under both counts (a sliding window is the stricter).
 */

export interface RateRule {
  /** Methods this rule counts (default: all). */
  methods?: readonly string[];
  /** Request paths (below the base URL, without the query) this rule counts (default: all). */
  paths?: readonly string[];
  limit: number;
  windowMs: number;
}

export const priorities = { leaver: 0, joinerMover: 1, read: 2 } as const;
export type Priority = (typeof priorities)[keyof typeof priorities];

interface Bucket {
  rule: RateRule;
  tokens: number;
  updated: number;
}

interface Waiter {
  method: string;
  path: string | undefined;
  priority: number;
  seq: number;
  /** Longer than this, a shared budget's wait fails the request (rate_limited) for it to be rescheduled. */
  maxWaitMs: number;
  resolve: (release: Release) => void;
  reject: (error: unknown) => void;
}

/** Says the request a grant was for has had its answer (or failed): its slot's window starts counting from now. */
export type Release = () => void;
const noRelease: Release = () => undefined;

/** One rule a request counts against, as the shared ledger sees it: its index among the key's rules, and its (scaled) size. */
export interface LedgerRule {
  index: number;
  limit: number;
  windowMs: number;
}

export interface LedgerClaim {
  key: string;
  priority: number;
  rules: readonly LedgerRule[];
  /** Blocks that hold this request: the credential's ('') and, where headers speak per method, its method's. */
  scopes: readonly string[];
  /** Whether more requests of this priority wait here after this one (the ledger keeps their place for them). */
  moreWaiting: boolean;
}

export type LedgerAnswer = { granted: true; grant: number } | { granted: false; waitMs: number; why: 'blocked' | 'priority' | 'limit' };

/**
 * Where budgets keep what every process must see (roster's database): grants per key in sliding
 * windows, the requests waiting by priority, and blocks a 429 or a header set. A grant's window
 * runs from when its answer came back, so however a request is delayed on its way, no window at
 * the app ever holds more than a rule's limit.
 */
export interface SharedRateLedger {
  /** Records a key's rules, so its use can be shown (once per budget). */
  declare(key: string, rules: readonly RateRule[]): Promise<void>;
  claim(claim: LedgerClaim): Promise<LedgerAnswer>;
  release(grant: number): Promise<void>;
  /** Nothing in `scope` ('' = every request) of this key goes for `ms`. */
  block(key: string, scope: string, ms: number, reason: string): Promise<void>;
  /** Milliseconds until the key's blocks in these scopes have passed (0: none). */
  blockedFor(key: string, scopes: readonly string[]): Promise<number>;
}

export interface RateBudgetOptions {
  rules: readonly RateRule[];
  /**
   * Shrinks every window (1/3600: an hour lasts a second), and every wait an app tells in its
   * headers, to match a time-scaled simulator.
   */
  timeScale?: number;
  /** What an answer's rate-limit headers speak of: the credential as a whole, or the request's method (ZIA). */
  headerScope?: 'credential' | 'method';
  /** Time: what it is now and how to wait. Default the system clock. */
  clock?: Clock | undefined;
  /**
   * Keep the budget in a ledger every process shares (roster's database), under this key: the
   * rules then count sliding windows of grants there instead of this process's buckets.
   */
  shared?: { ledger: SharedRateLedger; key: string } | undefined;
}

/** How long a waiting request's place is kept without being renewed: a dead process's waiters block nobody longer. */
export const WAITER_TTL_MS = 3000;
/** How long a leaver's (or joiner's) place is kept after its grant, so the next request of the same change goes before reads. */
export const GRANT_LINGER_MS = 1500;
/** Longest a waiting request sleeps before asking the ledger again (well inside WAITER_TTL_MS). */
const MAX_POLL_MS = 1000;
/** How long the shared blocks seen by a budget with no rules are trusted before they are read again. */
const BLOCK_CACHE_MS = 500;
/** How long the ledger may be unreachable before a waiting request gives up. */
const LEDGER_PATIENCE_MS = 30_000;

export class RateBudget {
  readonly #buckets: Bucket[];
  readonly #clock: Clock;
  readonly #waiters: Waiter[] = [];
  readonly #scale: number;
  readonly #headerScope: 'credential' | 'method';
  #seq = 0;
  #blockedUntil = 0;
  readonly #methodBlockedUntil = new Map<string, number>();
  #waking = false;
  readonly #shared: { ledger: SharedRateLedger; key: string } | undefined;
  #declared: Promise<void> | undefined;
  /** When the ledger last said the head must wait for the limit (for delayFor). */
  #sharedWaitUntil = 0;
  #sharedBlockUntil = 0;
  #sharedBlockReadAt = -Infinity;

  constructor(options: RateBudgetOptions) {
    const scale = options.timeScale ?? 1;
    this.#scale = scale;
    this.#headerScope = options.headerScope ?? 'credential';
    this.#clock = options.clock ?? systemClock;
    this.#shared = options.shared;
    const start = this.#clock.now();
    this.#buckets = options.rules.map((rule) => ({ rule: { ...rule, windowMs: rule.windowMs * scale }, tokens: rule.limit, updated: start }));
  }

  /** Whether every process shares this budget (through the database), or only this one. */
  get shared(): boolean {
    return this.#shared !== undefined;
  }

  /** Milliseconds until a request with this method (and path) may go, were it first in line. */
  delayFor(method: string, path?: string): number {
    const now = this.#clock.now();
    let delay = Math.max(0, this.#blockedUntil - now, (this.#methodBlockedUntil.get(method.toUpperCase()) ?? 0) - now);
    if (this.#shared) return Math.max(delay, this.#sharedWaitUntil - now, this.#sharedBlockUntil - now);
    for (const bucket of this.#matching(method, path)) {
      this.#refill(bucket, now);
      if (bucket.tokens < 1) delay = Math.max(delay, Math.ceil(((1 - bucket.tokens) * bucket.rule.windowMs) / bucket.rule.limit));
    }
    return delay;
  }

  /**
   * Resolves when the request may go, having spent its tokens, with a release to call once its
   * answer is in (a shared budget counts the request's window from then; otherwise it does nothing).
   */
  acquire(method: string, priority: number = priorities.read, path?: string, maxWaitMs = Infinity): Promise<Release> {
    return new Promise((resolve, reject) => {
      this.#waiters.push({ method: method.toUpperCase(), path, priority, seq: (this.#seq += 1), maxWaitMs, resolve, reject });
      this.#waiters.sort((a, b) => a.priority - b.priority || a.seq - b.seq);
      if (this.#shared) this.#pumpShared(this.#shared);
      else this.#pump();
    });
  }

  /**
   * Takes in what an answer's headers say: `ratelimit-remaining` / `x-ratelimit-remaining` of 0
   * blocks requests (all of them, or that method's, per headerScope) until `*-reset` seconds have
   * passed.
   */
  observe(headers: Record<string, string | undefined>, method?: string): void {
    const remaining = Number(headers['ratelimit-remaining'] ?? headers['x-ratelimit-remaining']);
    const reset = Number(headers['ratelimit-reset'] ?? headers['x-ratelimit-reset']);
    if (remaining === 0 && Number.isFinite(reset) && reset >= 0) {
      const now = this.#clock.now();
      const until = now + (reset > 1e9 ? reset * 1000 - now : this.scaleWait(reset * 1000));
      if (this.#headerScope === 'method' && method) {
        const key = method.toUpperCase();
        this.#methodBlockedUntil.set(key, Math.max(this.#methodBlockedUntil.get(key) ?? 0, until));
        this.#shareBlock(key, until - now, 'the app said none is left for this method');
      } else {
        this.#blockedUntil = Math.max(this.#blockedUntil, until);
        this.#shareBlock('', until - now, 'the app said none is left');
      }
    }
  }

  /** A wait an app told, in its own seconds, as real time under this budget's time scale. */
  scaleWait(ms: number): number {
    return Math.round(ms * this.#scale);
  }

  /** After a 429: nothing goes until the app's wait has passed, in any process sharing the budget. */
  pause(ms: number): void {
    this.#blockedUntil = Math.max(this.#blockedUntil, this.#clock.now() + ms);
    this.#shareBlock('', ms, 'the app answered 429');
  }

  #shareBlock(scope: string, ms: number, reason: string): void {
    if (!this.#shared || !(ms > 0)) return;
    const { ledger, key } = this.#shared;
    this.#sharedBlockUntil = Math.max(this.#sharedBlockUntil, this.#clock.now() + ms);
    ledger.block(key, scope, ms, reason).catch(() => undefined);
  }

  #pumping = false;

  /** The shared budget's line: the head asks the ledger; granted, it goes and the next asks; refused, it sleeps as told. */
  #pumpShared(shared: { ledger: SharedRateLedger; key: string }): void {
    if (this.#pumping) return;
    this.#pumping = true;
    void this.#drainShared(shared).finally(() => {
      this.#pumping = false;
      if (this.#waiters.length > 0) this.#pumpShared(shared);
    });
  }

  async #drainShared({ ledger, key }: { ledger: SharedRateLedger; key: string }): Promise<void> {
    let failingSince: number | undefined;
    while (this.#waiters.length > 0) {
      const head = this.#waiters[0];
      if (!head) return;
      try {
        const local = Math.max(this.#blockedUntil, this.#methodBlockedUntil.get(head.method) ?? 0) - this.#clock.now();
        if (local > 0) {
          await this.#clock.sleep(Math.min(local, MAX_POLL_MS));
          continue;
        }
        const rules = this.#ledgerRules(head.method, head.path);
        const scopes = this.#headerScope === 'method' ? ['', head.method] : [''];
        if (rules.length === 0) {
          // Nothing to count: only a block another process set can hold it (read now and then, not per request).
          const wait = await this.#sharedBlock(ledger, key, scopes);
          if (wait > 0) {
            await this.#clock.sleep(Math.min(wait, MAX_POLL_MS));
            continue;
          }
          this.#waiters.shift();
          head.resolve(noRelease);
          continue;
        }
        this.#declared ??= ledger.declare(key, this.#buckets.map((b) => b.rule));
        await this.#declared;
        const answer = await ledger.claim({ key, priority: head.priority, rules, scopes, moreWaiting: this.#waiters.some((w) => w !== head && w.priority === head.priority) });
        failingSince = undefined;
        if (answer.granted) {
          this.#sharedWaitUntil = 0;
          this.#waiters.shift();
          let released = false;
          head.resolve(() => {
            if (released) return;
            released = true;
            ledger.release(answer.grant).catch(() => undefined);
          });
          continue;
        }
        const now = this.#clock.now();
        if (answer.why === 'limit') this.#sharedWaitUntil = now + answer.waitMs;
        if (answer.why === 'blocked') this.#sharedBlockUntil = Math.max(this.#sharedBlockUntil, now + answer.waitMs);
        if (answer.why !== 'priority' && answer.waitMs > head.maxWaitMs) {
          // A wait this long is rescheduled, not sat out in place (waits are data, not sleeps).
          this.#waiters.shift();
          head.reject(new RosterError('rate_limited', `the ${head.method} budget for this credential is spent for ${Math.ceil(answer.waitMs / 1000)} s`, { retryAfterMs: answer.waitMs }));
          continue;
        }
        // Waiting behind a higher priority elsewhere: ask again soon, for its place lingers only briefly.
        const wait = answer.why === 'priority' ? 50 : answer.waitMs;
        await this.#clock.sleep(Math.max(1, Math.min(wait, MAX_POLL_MS)));
      } catch (error) {
        const now = this.#clock.now();
        failingSince ??= now;
        if (now - failingSince >= LEDGER_PATIENCE_MS) {
          this.#declared = undefined;
          for (const waiter of this.#waiters.splice(0)) {
            waiter.reject(new RosterError('rate_limited', `the credential's shared rate budget cannot be read (${(error as Error).message}); try again later`, { retryAfterMs: 5000 }));
          }
          return;
        }
        this.#declared = undefined;
        await this.#clock.sleep(Math.min(2000, 100 + (now - failingSince) / 4));
      }
    }
  }

  async #sharedBlock(ledger: SharedRateLedger, key: string, scopes: readonly string[]): Promise<number> {
    const now = this.#clock.now();
    if (now - this.#sharedBlockReadAt >= BLOCK_CACHE_MS) {
      this.#sharedBlockReadAt = now;
      const wait = await ledger.blockedFor(key, scopes);
      this.#sharedBlockUntil = now + wait;
    }
    return Math.max(0, this.#sharedBlockUntil - now);
  }

  /** The rules a request counts against, with their index and (scaled) window, for the ledger. */
  #ledgerRules(method: string, path: string | undefined): LedgerRule[] {
    const matching = new Set(this.#matching(method, path));
    return this.#buckets.flatMap((bucket, index) => (matching.has(bucket) ? [{ index, limit: bucket.rule.limit, windowMs: bucket.rule.windowMs }] : []));
  }

  #pump(): void {
    if (this.#waking) return;
    while (this.#waiters.length > 0) {
      const head = this.#waiters[0];
      if (!head) return;
      const delay = this.delayFor(head.method, head.path);
      if (delay > 0) {
        this.#waking = true;
        void this.#clock.sleep(delay).then(() => {
          this.#waking = false;
          this.#pump();
        });
        return;
      }
      for (const bucket of this.#matching(head.method, head.path)) bucket.tokens -= 1;
      this.#waiters.shift();
      head.resolve(noRelease);
    }
  }

  #matching(method: string, path: string | undefined): Bucket[] {
    const upper = method.toUpperCase();
    return this.#buckets.filter((b) => (!b.rule.methods || b.rule.methods.includes(upper)) && (!b.rule.paths || (path !== undefined && b.rule.paths.includes(path))));
  }

  #refill(bucket: Bucket, now: number): void {
    const elapsed = now - bucket.updated;
    if (elapsed <= 0) return;
    bucket.tokens = Math.min(bucket.rule.limit, bucket.tokens + (elapsed * bucket.rule.limit) / bucket.rule.windowMs);
    bucket.updated = now;
  }
}

/** Rules from limits documented per method, as manifests write them. */
export function rulesPerMethod(limits: Record<string, readonly { limit: number; windowMs: number }[]>): RateRule[] {
  return Object.entries(limits).flatMap(([method, rules]) => rules.map((rule) => ({ methods: [method], ...rule })));
}

const budgets = new Map<string, RateBudget>();
let sharedLedger: SharedRateLedger | undefined;

/**
 * From now on, budgets made by budgetFor keep their count in this ledger (roster's database), so
 * every process using a credential shares one budget; undefined: each process counts its own.
 * Budgets made before are forgotten.
 */
export function shareBudgetsThrough(ledger: SharedRateLedger | undefined): void {
  sharedLedger = ledger;
  budgets.clear();
}

/**
 * One budget per credential in this process (every connector and worker using it shares it), kept
 * in the shared ledger when one is set.
 */
export function budgetFor(key: string, create: (shared: RateBudgetOptions['shared']) => RateBudget): RateBudget {
  let budget = budgets.get(key);
  if (!budget) {
    budget = create(sharedLedger ? { ledger: sharedLedger, key } : undefined);
    budgets.set(key, budget);
  }
  return budget;
}
