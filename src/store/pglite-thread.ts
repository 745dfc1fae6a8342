// The embedded database on a thread of its own. PGlite runs every statement synchronously on the
// thread that calls it: on the main thread, each query, commit and fsync holds up every HTTP
// request in the process. Here the database lives in a worker (src/store/pglite-worker.ts) and
// this side speaks to it by messages, so request handling and the database use both cores.
import { Worker, type ResourceLimits } from 'node:worker_threads';
import type { Database, Queryable } from './database.ts';
import { acquireFolderLock } from './folder-lock.ts';
import { errorFromPost, type Call, type Reply, type Sent, type ThreadOptions } from './pglite-messages.ts';
import type { PgliteOptions } from './pglite.ts';
import { withLock } from './pglite.ts';

export interface ThreadedOptions extends Omit<PgliteOptions, 'sync'> {
  /** How often the thread looks for tables to vacuum (default 5 s). */
  upkeepMs?: number;
  /** Bounds on the thread's own heap (see node:worker_threads); none by default. */
  resourceLimits?: ResourceLimits;
  /**
   * Called once if the thread stops without being closed (it failed, or ran out of memory): every
   * statement from then on fails, so a long-running process should stop and be restarted.
   */
  onLost?: (error: Error) => void;
}

/**
 * `openPglite`, with the database on its own thread; the folder's lock is held by this thread. The
 * thread also vacuums what is due, as autovacuum would (every `upkeepMs`, default 5 s: sooner after a burst of writes, and each vacuum smaller).
 */
export async function openPgliteThread(dataDir?: string, options: ThreadedOptions = {}): Promise<Database> {
  const lock = dataDir ? acquireFolderLock(dataDir) : undefined;
  try {
    const { upkeepMs, resourceLimits, onLost, ...pglite } = options;
    return withLock(await startThread({ dataDir, pglite, upkeepMs }, resourceLimits, onLost), lock);
  } catch (error) {
    lock?.release();
    throw error;
  }
}

async function startThread(options: ThreadOptions, resourceLimits: ResourceLimits | undefined, onLost: ((error: Error) => void) | undefined): Promise<Database> {
  const worker = new Worker(new URL('./pglite-worker.ts', import.meta.url), { workerData: options, ...(resourceLimits ? { resourceLimits } : {}) });
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let nextCall = 1;
  let stopped: Error | undefined;
  let closing = false;
  let running = false;

  // The thread keeps the process alive only while a call waits on it, as a database on this
  // thread would: an idle open database does not stop a command from exiting.
  const settle = () => (pending.size > 0 ? worker.ref() : worker.unref());
  const opened = new Promise<void>((resolve, reject) => pending.set(0, { resolve: () => resolve(), reject }));
  settle();

  worker.on('message', (reply: Reply) => {
    const waiting = pending.get(reply.id);
    if (!waiting) return;
    pending.delete(reply.id);
    settle();
    if (reply.ok) waiting.resolve(reply.value);
    else waiting.reject(errorFromPost(reply.error));
  });
  const fail = (error: Error) => {
    if (stopped) return;
    stopped = error;
    for (const waiting of pending.values()) waiting.reject(error);
    pending.clear();
    settle();
    if (running && !closing) onLost?.(error);
  };
  worker.on('error', (error) => fail(new Error(`the embedded database's thread failed: ${error.message}`)));
  worker.on('exit', (code) => fail(new Error(`the embedded database's thread stopped (exit code ${code})`)));

  const call = (message: Sent): Promise<unknown> => {
    if (stopped) return Promise.reject(stopped);
    const id = nextCall++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      settle();
      worker.postMessage({ ...message, id } as Call);
    });
  };

  try {
    await opened;
  } catch (error) {
    await worker.terminate();
    throw error;
  }
  running = true;

  const queryable = (tx?: number): Queryable => ({
    query: async <T>(sql: string, params?: readonly unknown[]) => (await call({ op: 'query', sql, params, tx })) as T[],
    exec: async (sql: string) => {
      await call({ op: 'exec', sql, tx });
    },
  });

  return {
    kind: 'pglite',
    ...queryable(),
    executeSql: async (sql, params) => (await call({ op: 'executeSql', sql, params })) as { rows: unknown[] },
    async transaction(fn) {
      const tx = (await call({ op: 'begin' })) as number;
      let result;
      try {
        result = await fn(queryable(tx));
      } catch (error) {
        await call({ op: 'end', tx, commit: false }).catch(() => undefined);
        throw error;
      }
      await call({ op: 'end', tx, commit: true });
      return result;
    },
    async close() {
      if (stopped) return;
      closing = true;
      try {
        await call({ op: 'close' });
      } finally {
        await worker.terminate();
      }
    },
  };
}
