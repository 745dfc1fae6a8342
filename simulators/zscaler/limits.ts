import { WindowLimiter } from '../shared/rate-limit.ts';

export type ZiaMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** `limit` requests per `windowMs` (before time scaling). */
export interface RateWindow {
  limit: number;
  windowMs: number;
}

export type RateLimitConfig = Record<ZiaMethod, RateWindow[]>;

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** The vendor's documented per-session limits, per method. POST and PUT have separate budgets. */
export const DEFAULT_RATE_LIMITS: RateLimitConfig = {
  GET: [
    { limit: 2, windowMs: SECOND },
    { limit: 1000, windowMs: HOUR },
  ],
  POST: [
    { limit: 1, windowMs: SECOND },
    { limit: 400, windowMs: HOUR },
  ],
  PUT: [
    { limit: 1, windowMs: SECOND },
    { limit: 400, windowMs: HOUR },
  ],
  DELETE: [
    { limit: 1, windowMs: MINUTE },
    { limit: 4, windowMs: HOUR },
  ],
};

/**
 * Reads recorded answering 429 "Rate Limit (1/SECOND)" although GET is documented at 2/s: the
 * list lookups. Per session, on top of the GET windows. Paths are below the API prefix.
 */
export const DEFAULT_SLOW_READS: Record<string, RateWindow[]> = {
  '/users': [{ limit: 1, windowMs: SECOND }],
  '/groups': [{ limit: 1, windowMs: SECOND }],
  '/departments': [{ limit: 1, windowMs: SECOND }],
};

/** "1/SECOND", "4/HOUR", as the vendor's 429 message names a limit (from the unscaled window). */
export function limitLabel(w: RateWindow): string {
  const unit =
    w.windowMs === SECOND ? 'SECOND' : w.windowMs === MINUTE ? 'MINUTE' : w.windowMs === HOUR ? 'HOUR' : `${w.windowMs}MS`;
  return `${w.limit}/${unit}`;
}

export interface RateVerdict {
  /** x-ratelimit-* headers for this answer. */
  headers: Record<string, string>;
  /** Set when the request is refused: which window, and whole seconds until it resets (≥ 1). */
  exceeded?: { label: string; retryAfterSeconds: number };
}

interface Bucket {
  window: RateWindow;
  limiter: WindowLimiter;
}

/** Per-session, per-method fixed windows; a request must fit every window of its method. */
export class RateLimits {
  readonly #config: RateLimitConfig;
  readonly #slowReads: Record<string, RateWindow[]>;
  readonly #timeScale: number;
  readonly #now: () => number;
  readonly #buckets = new Map<string, Bucket[]>();

  constructor(config: RateLimitConfig, timeScale = 1, now: () => number = Date.now, slowReads: Record<string, RateWindow[]> = {}) {
    this.#config = config;
    this.#slowReads = slowReads;
    this.#timeScale = timeScale;
    this.#now = now;
  }

  /** `path` is below the API prefix (/users), for the slow reads. */
  take(sessionKey: string, method: string, path = ''): RateVerdict | null {
    const m = method.toUpperCase();
    if (m !== 'GET' && m !== 'POST' && m !== 'PUT' && m !== 'DELETE') return null;
    const slow = m === 'GET' ? this.#slowReads[path] : undefined;
    const buckets = [...this.#bucketsFor(`${sessionKey}\u0000${m}`, this.#config[m]), ...(slow ? this.#bucketsFor(`${sessionKey}\u0000${m}\u0000${path}`, slow) : [])];
    if (buckets.length === 0) return null;
    const now = this.#now();
    const full = buckets.find((b) => b.limiter.state(now).remaining === 0);
    if (full) {
      const wait = full.limiter.take(now) ?? 0; // refused: counts nothing, tells the wait
      return {
        headers: headersFor(full, now, this.#timeScale),
        exceeded: { label: limitLabel(full.window), retryAfterSeconds: vendorSeconds(wait, this.#timeScale) },
      };
    }
    for (const b of buckets) b.limiter.take(now);
    // Report the window closest to running out; on a tie, the longer one.
    let binding = buckets[0] as Bucket;
    for (const b of buckets) {
      const r = b.limiter.state(now).remaining;
      const br = binding.limiter.state(now).remaining;
      if (r < br || (r === br && b.limiter.windowMs > binding.limiter.windowMs)) binding = b;
    }
    return { headers: headersFor(binding, now, this.#timeScale) };
  }

  #bucketsFor(key: string, windows: RateWindow[]): Bucket[] {
    let buckets = this.#buckets.get(key);
    if (!buckets) {
      buckets = windows.map((window) => ({
        window,
        limiter: new WindowLimiter(window.limit, Math.max(1, Math.round(window.windowMs * this.#timeScale))),
      }));
      this.#buckets.set(key, buckets);
    }
    return buckets;
  }

  /** Forget every session's usage. */
  reset(): void {
    this.#buckets.clear();
  }
}

/**
 * Waits are told in the vendor's seconds, as the real service would: time-scaled, a reset 50 ms
 * away at ×20 is "1 second", and a client scaled the same way turns it back into 50 ms.
 */
function vendorSeconds(realMs: number, timeScale: number): number {
  return Math.max(1, Math.ceil(realMs / timeScale / 1000));
}

function headersFor(b: Bucket, now: number, timeScale: number): Record<string, string> {
  const s = b.limiter.state(now);
  return {
    'x-ratelimit-limit': String(b.window.limit),
    'x-ratelimit-remaining': String(s.remaining),
    'x-ratelimit-reset': String(vendorSeconds(s.resetMs, timeScale)),
  };
}
