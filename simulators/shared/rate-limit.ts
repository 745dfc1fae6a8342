/**
 * A fixed-window request limiter for simulators: `limit` requests per `windowMs`. A simulator can
 * run "time-scaled" by giving a short window, so an hourly vendor limit is exercised in seconds.
 */
export class WindowLimiter {
  readonly limit: number;
  readonly windowMs: number;
  #windowStart = 0;
  #used = 0;

  constructor(limit: number, windowMs: number) {
    this.limit = limit;
    this.windowMs = windowMs;
  }

  /** Takes one request; returns null when allowed, or the milliseconds until the window resets. */
  take(now = Date.now()): number | null {
    if (now - this.#windowStart >= this.windowMs) {
      this.#windowStart = now;
      this.#used = 0;
    }
    if (this.#used < this.limit) {
      this.#used += 1;
      return null;
    }
    return this.#windowStart + this.windowMs - now;
  }

  /** Remaining requests and time to reset (ms, and whole seconds), for x-ratelimit-* style headers. */
  state(now = Date.now()): { remaining: number; resetMs: number; resetSeconds: number } {
    const fresh = now - this.#windowStart >= this.windowMs;
    const resetMs = fresh ? this.windowMs : Math.max(0, this.#windowStart + this.windowMs - now);
    return { remaining: fresh ? this.limit : Math.max(0, this.limit - this.#used), resetMs, resetSeconds: Math.ceil(resetMs / 1000) };
  }
}

/**
 * A strict limiter: no window of `windowMs`, wherever it falls, holds more than `limit` requests
 * let through (a sliding log of arrivals). What a client that paces itself by fixed windows trips.
 */
export class SlidingWindowLimiter {
  readonly limit: number;
  readonly windowMs: number;
  readonly #arrivals: number[] = [];

  constructor(limit: number, windowMs: number) {
    this.limit = limit;
    this.windowMs = windowMs;
  }

  /** Takes one request; returns null when allowed, or the milliseconds until one more would be. */
  take(now = Date.now()): number | null {
    while (this.#arrivals.length > 0 && (this.#arrivals[0] ?? 0) <= now - this.windowMs) this.#arrivals.shift();
    if (this.#arrivals.length < this.limit) {
      this.#arrivals.push(now);
      return null;
    }
    return Math.max(1, (this.#arrivals[0] ?? now) + this.windowMs - now);
  }
}

/** The most arrivals any window of `windowMs` holds (a window counts arrivals at t ≤ a < t + windowMs). */
export function busiestWindow(arrivals: readonly number[], windowMs: number): number {
  const sorted = [...arrivals].sort((a, b) => a - b);
  let most = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end += 1) {
    while ((sorted[end] ?? 0) - (sorted[start] ?? 0) >= windowMs) start += 1;
    most = Math.max(most, end - start + 1);
  }
  return most;
}
