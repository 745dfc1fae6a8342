import { systemClock, type Clock } from '../../core/clock.ts';

/**
 * A rate budget for one credential, shared by every request made with it: token buckets for the
 * limits the vendor documents (per method where it documents them so), tightened by what the
 * app's rate-limit headers say is left. Waiting requests go out by priority (leavers first, then
 * joiners and movers, then reads), and in arrival order within a priority.
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
  resolve: () => void;
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
}

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

  constructor(options: RateBudgetOptions) {
    const scale = options.timeScale ?? 1;
    this.#scale = scale;
    this.#headerScope = options.headerScope ?? 'credential';
    this.#clock = options.clock ?? systemClock;
    const start = this.#clock.now();
    this.#buckets = options.rules.map((rule) => ({ rule: { ...rule, windowMs: rule.windowMs * scale }, tokens: rule.limit, updated: start }));
  }

  /** Milliseconds until a request with this method (and path) may go, were it first in line. */
  delayFor(method: string, path?: string): number {
    const now = this.#clock.now();
    let delay = Math.max(0, this.#blockedUntil - now, (this.#methodBlockedUntil.get(method.toUpperCase()) ?? 0) - now);
    for (const bucket of this.#matching(method, path)) {
      this.#refill(bucket, now);
      if (bucket.tokens < 1) delay = Math.max(delay, Math.ceil(((1 - bucket.tokens) * bucket.rule.windowMs) / bucket.rule.limit));
    }
    return delay;
  }

  /** Resolves when the request may go, having spent its tokens. */
  acquire(method: string, priority: number = priorities.read, path?: string): Promise<void> {
    return new Promise((resolve) => {
      this.#waiters.push({ method: method.toUpperCase(), path, priority, seq: (this.#seq += 1), resolve });
      this.#waiters.sort((a, b) => a.priority - b.priority || a.seq - b.seq);
      this.#pump();
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
      } else this.#blockedUntil = Math.max(this.#blockedUntil, until);
    }
  }

  /** A wait an app told, in its own seconds, as real time under this budget's time scale. */
  scaleWait(ms: number): number {
    return Math.round(ms * this.#scale);
  }

  /** After a 429: nothing goes until the app's wait has passed. */
  pause(ms: number): void {
    this.#blockedUntil = Math.max(this.#blockedUntil, this.#clock.now() + ms);
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
      head.resolve();
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

const shared = new Map<string, RateBudget>();

/** One budget per credential in this process: every connector and worker using it shares it. */
export function budgetFor(key: string, create: () => RateBudget): RateBudget {
  let budget = shared.get(key);
  if (!budget) {
    budget = create();
    shared.set(key, budget);
  }
  return budget;
}
