// Combines what callers ask of the database at the same time into one statement. Most of the
// database's work for a small read or write is the statement (and a write's commit), not the row:
// ten people written in one statement cost the database about what three cost one by one.

export interface CombineOptions {
  /** Statements in flight at once; what arrives meanwhile waits and goes in the next one. */
  inFlight?: number;
  /** The most requests in one statement. */
  batch?: number;
  /**
   * A statement still running after this long (waiting on a lock another transaction holds, say)
   * no longer counts as in flight, so the writes of others do not wait behind it.
   */
  patienceMs?: number;
}

/** A kind of read or write, made for many in one statement or for one alone. */
export interface Statements<T, R> {
  /** Requests with the same key never share a statement (none share a key when absent). */
  key?(write: T): string;
  many(writes: readonly T[]): Promise<R[]>;
  one(write: T): Promise<R>;
}

interface Waiting<T, R> {
  write: T;
  resolve(result: R): void;
  reject(error: unknown): void;
}

/**
 * Sends a write at once when fewer than `inFlight` statements are running, so a lone write waits
 * for nothing; otherwise it waits, and everything that waits goes together when a statement
 * finishes. One statement in flight makes the biggest statements and the least work for the
 * database; a statement that runs past `patienceMs` stops counting, so a lock wait holds up only
 * the writes in it. A statement that fails as a whole (one person's userName is taken, say) writes
 * nothing, and its writes are made again one by one, so each caller gets its own answer.
 */
export class Combiner<T, R> {
  readonly #statements: Statements<T, R>;
  readonly #inFlight: number;
  readonly #batch: number;
  readonly #patienceMs: number;
  readonly #waiting: Waiting<T, R>[] = [];
  #running = 0;

  constructor(statements: Statements<T, R>, options: CombineOptions) {
    this.#statements = statements;
    this.#inFlight = options.inFlight ?? 1;
    this.#batch = options.batch ?? 64;
    this.#patienceMs = options.patienceMs ?? 50;
  }

  submit(write: T): Promise<R> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ write, resolve, reject });
      this.#send();
    });
  }

  #send(): void {
    while (this.#running < this.#inFlight && this.#waiting.length > 0) {
      const taken = this.#take();
      this.#running += 1;
      let counted = true;
      const uncount = () => {
        if (!counted) return;
        counted = false;
        this.#running -= 1;
        this.#send();
      };
      const patience = setTimeout(uncount, this.#patienceMs);
      void this.#run(taken).finally(() => {
        clearTimeout(patience);
        uncount();
      });
    }
  }

  /** The oldest waiting writes, one per key, up to the batch size. */
  #take(): Waiting<T, R>[] {
    const taken: Waiting<T, R>[] = [];
    const keys = new Set<string>();
    for (let i = 0; i < this.#waiting.length && taken.length < this.#batch; ) {
      const waiting = this.#waiting[i] as Waiting<T, R>;
      const key = this.#statements.key?.(waiting.write);
      if (key !== undefined && keys.has(key)) {
        i += 1;
        continue;
      }
      if (key !== undefined) keys.add(key);
      taken.push(waiting);
      this.#waiting.splice(i, 1);
    }
    return taken;
  }

  async #run(taken: Waiting<T, R>[]): Promise<void> {
    if (taken.length > 1) {
      try {
        const results = await this.#statements.many(taken.map((t) => t.write));
        taken.forEach((t, i) => t.resolve(results[i] as R));
        return;
      } catch {
        // Nothing was written: each is made again alone, below, and answered for itself.
      }
    }
    await Promise.all(
      taken.map(async ({ write, resolve, reject }) => {
        try {
          resolve(await this.#statements.one(write));
        } catch (error) {
          reject(error);
        }
      }),
    );
  }
}
