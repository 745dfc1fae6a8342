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
