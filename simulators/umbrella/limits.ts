import type { LimitRule } from './settings.ts';

/**
 * A sliding-window limiter: at most `limit` requests in any `windowMs` (scaled). Only admitted
 * requests count. Answers how long until the next request would be admitted.
 */
export class SlidingWindows {
  readonly #log = new Map<string, number[]>();

  /** Takes one request for `key` under every rule; null when admitted, else milliseconds to wait. */
  take(key: string, rules: readonly LimitRule[], scale: number, now = Date.now()): number | null {
    if (rules.length === 0) return null;
    const longest = Math.max(...rules.map((r) => r.windowMs * scale));
    const log = (this.#log.get(key) ?? []).filter((at) => at > now - longest);
    this.#log.set(key, log);
    let wait = 0;
    for (const rule of rules) {
      const window = rule.windowMs * scale;
      const inWindow = log.filter((at) => at > now - window);
      if (inWindow.length >= rule.limit) {
        const oldest = inWindow[inWindow.length - rule.limit] ?? now;
        wait = Math.max(wait, oldest + window - now + 1);
      }
    }
    if (wait > 0) return wait;
    log.push(now);
    return null;
  }

  clear(): void {
    this.#log.clear();
  }
}
