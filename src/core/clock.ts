/**
 * Time as a port (pg-boss's clock): code that waits or reads the time takes a Clock, so tests tick
 * a manual clock instead of sleeping on the wall clock.
 */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves after ms; rejects with the signal's reason if it is aborted first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted', 'AbortError');
}

/** The wall clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep(ms, signal) {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(abortReason(signal));
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, Math.max(0, ms));
      const onAbort = () => {
        clearTimeout(timer);
        reject(abortReason(signal as AbortSignal));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  },
};

interface Sleeper {
  at: number;
  seq: number;
  resolve: () => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

export interface ManualClockOptions {
  /** Epoch milliseconds to start at. Default 2026-01-01T00:00:00Z. */
  start?: number;
  /**
   * Advance on its own (default): whenever something sleeps, time jumps to the earliest wake-up
   * as soon as the code now running has settled, so sleeps cost no wall time but keep their order.
   * false: time moves only by advance().
   */
  auto?: boolean;
}

/** A test clock: time moves only when something sleeps (auto) or the test calls advance(). */
export class ManualClock implements Clock {
  #now: number;
  readonly #auto: boolean;
  readonly #sleepers: Sleeper[] = [];
  #seq = 0;
  #scheduled = false;
  /** Every sleep asked for, in ms, in order (to assert on waits). */
  readonly sleeps: number[] = [];

  constructor(options: ManualClockOptions = {}) {
    this.#now = options.start ?? Date.UTC(2026, 0, 1);
    this.#auto = options.auto ?? true;
  }

  now(): number {
    return this.#now;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(abortReason(signal));
      const sleeper: Sleeper = {
        at: this.#now + Math.max(0, ms),
        seq: (this.#seq += 1),
        resolve,
        reject,
        signal,
        onAbort: () => {
          this.#remove(sleeper);
          reject(abortReason(signal as AbortSignal));
        },
      };
      signal?.addEventListener('abort', sleeper.onAbort, { once: true });
      this.#sleepers.push(sleeper);
      this.#sleepers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      if (this.#auto) this.#schedule();
    });
  }

  /** Moves time forward by ms, waking every sleeper due by then, in order. */
  async advance(ms: number): Promise<void> {
    const until = this.#now + ms;
    for (;;) {
      const next = this.#sleepers[0];
      if (!next || next.at > until) break;
      this.#wake(next);
      // Let the woken code run (and perhaps sleep again) before the next wake-up.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    this.#now = Math.max(this.#now, until);
  }

  /** Sleepers not yet woken. */
  get pending(): number {
    return this.#sleepers.length;
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    // setImmediate: after the promise jobs now queued, so concurrent sleepers all register first.
    setImmediate(() => {
      this.#scheduled = false;
      const next = this.#sleepers[0];
      if (!next) return;
      this.#wake(next);
      if (this.#sleepers.length > 0) this.#schedule();
    });
  }

  #wake(sleeper: Sleeper): void {
    this.#remove(sleeper);
    this.#now = Math.max(this.#now, sleeper.at);
    sleeper.signal?.removeEventListener('abort', sleeper.onAbort);
    sleeper.resolve();
  }

  #remove(sleeper: Sleeper): void {
    const at = this.#sleepers.indexOf(sleeper);
    if (at >= 0) this.#sleepers.splice(at, 1);
  }
}
