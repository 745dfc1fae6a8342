// Combines the version-guarded replaces of people that callers make at the same time into one
// statement. Most of the database's work for a small write is the statement and its commit, not
// the row: ten people replaced in one statement cost the database about what three cost one by one.
import type { Queryable } from './database.ts';
import { replaceUserAt, replaceUsersAt, type Doc, type UserReplace } from './directory.ts';
import type { UserStateCache } from './user-states.ts';

interface Waiting {
  write: UserReplace;
  resolve(doc: Doc | undefined): void;
  reject(error: unknown): void;
}

export interface UserWriteOptions {
  /** Statements in flight at once; what arrives meanwhile waits and goes in the next one. */
  inFlight?: number;
  /** The most people in one statement. */
  batch?: number;
  /**
   * A statement still running after this long (waiting on a lock another transaction holds, say)
   * no longer counts as in flight, so the writes of other people do not wait behind it.
   */
  patienceMs?: number;
}

/**
 * Sends a replace at once when fewer than `inFlight` statements are running, so a lone write waits
 * for nothing; otherwise it waits, and everything that waits goes together when a statement
 * finishes. One statement in flight makes the biggest statements and the least work for the
 * database; a statement that runs past `patienceMs` stops counting, so a lock wait holds up only
 * the people in it. Each person appears once in a statement; a second replace of them waits for the next
 * (it is guarded by the version the first one moves, so it then starts over, as it would alone).
 * A statement that fails as a whole (one person's new userName is taken, say) writes nothing, and
 * its replaces are made again one by one, so each caller gets its own answer.
 */
export class UserWrites {
  readonly #db: Queryable;
  readonly #remember: UserStateCache | undefined;
  readonly #inFlight: number;
  readonly #batch: number;
  readonly #patienceMs: number;
  readonly #waiting: Waiting[] = [];
  #running = 0;

  constructor(db: Queryable, remember?: UserStateCache, options: UserWriteOptions = {}) {
    this.#db = db;
    this.#remember = remember;
    this.#inFlight = options.inFlight ?? 1;
    this.#batch = options.batch ?? 64;
    this.#patienceMs = options.patienceMs ?? 50;
  }

  /** `replaceUserAt`, in a statement shared with the replaces of other people waiting at the time. */
  replace(write: UserReplace): Promise<Doc | undefined> {
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

  /** The oldest waiting replaces, one per person, up to the batch size. */
  #take(): Waiting[] {
    const taken: Waiting[] = [];
    const people = new Set<string>();
    for (let i = 0; i < this.#waiting.length && taken.length < this.#batch; ) {
      const waiting = this.#waiting[i] as Waiting;
      if (people.has(waiting.write.id)) {
        i += 1;
        continue;
      }
      people.add(waiting.write.id);
      taken.push(waiting);
      this.#waiting.splice(i, 1);
    }
    return taken;
  }

  async #run(taken: Waiting[]): Promise<void> {
    if (taken.length > 1) {
      try {
        const docs = await replaceUsersAt(this.#db, taken.map((t) => t.write), this.#remember);
        taken.forEach((t, i) => t.resolve(docs[i]));
        return;
      } catch {
        // Nothing was written: each is made again alone, below, and answered for itself.
      }
    }
    await Promise.all(
      taken.map(async ({ write, resolve, reject }) => {
        try {
          resolve(await replaceUserAt(this.#db, write.id, write.version, write.body, write.source, write.audit, this.#remember));
        } catch (error) {
          reject(error);
        }
      }),
    );
  }
}
