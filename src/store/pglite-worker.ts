// The embedded database's own thread (see src/store/pglite-thread.ts): it opens PGlite and runs
// what the main thread sends it, one message per call, so that queries, commits and fsyncs never
// hold the main thread's event loop.
import { parentPort, workerData } from 'node:worker_threads';
import type { Database, Queryable } from './database.ts';
import { openPgliteUnlocked } from './pglite.ts';
import { keepVacuumed } from './pglite-upkeep.ts';
import { errorToPost, type Call, type Reply, type ThreadOptions } from './pglite-messages.ts';

interface OpenTransaction {
  tx: Queryable;
  /** Ends the transaction: true commits, false rolls back. */
  end(commit: boolean): void;
  /** Settles when the transaction has ended: rejected when it could not commit. */
  ended: Promise<void>;
}

const rolledBack = Symbol('rolled back');

async function serve(port: NonNullable<typeof parentPort>, options: ThreadOptions): Promise<void> {
  let db: Database;
  try {
    db = await openPgliteUnlocked(options.dataDir, options.pglite);
  } catch (error) {
    port.postMessage({ id: 0, ok: false, error: errorToPost(error) } satisfies Reply);
    return;
  }
  const upkeep = keepVacuumed(db, options.upkeepMs ?? 5_000);
  const transactions = new Map<number, OpenTransaction>();
  let nextTransaction = 1;

  const begin = async (): Promise<number> => {
    let end: (commit: boolean) => void = () => undefined;
    const decided = new Promise<boolean>((resolve) => (end = resolve));
    let began: (tx: Queryable) => void = () => undefined;
    const beginning = new Promise<Queryable>((resolve) => (began = resolve));
    const ended = db.transaction(async (tx) => {
      began(tx);
      if (!(await decided)) throw rolledBack;
    });
    // BEGIN itself can fail (a closed database): then the transaction ends before it begins.
    const tx = await Promise.race([beginning, ended.then(() => Promise.reject(new Error('the transaction ended before it began')))]);
    const id = nextTransaction++;
    transactions.set(id, {
      tx,
      end,
      ended: ended.catch((error: unknown) => {
        if (error !== rolledBack) throw error;
      }),
    });
    return id;
  };

  const inTransaction = (id: number): Queryable => {
    const open = transactions.get(id);
    if (!open) throw new Error(`transaction ${id} is not open`);
    return open.tx;
  };

  const run = async (call: Call): Promise<unknown> => {
    switch (call.op) {
      case 'query':
        return (call.tx ? inTransaction(call.tx) : db).query(call.sql, call.params);
      case 'exec':
        return (call.tx ? inTransaction(call.tx) : db).exec(call.sql);
      case 'executeSql':
        return db.executeSql(call.sql, call.params);
      case 'begin':
        return begin();
      case 'end': {
        const open = transactions.get(call.tx);
        if (!open) throw new Error(`transaction ${call.tx} is not open`);
        transactions.delete(call.tx);
        open.end(call.commit);
        return open.ended;
      }
      case 'close':
        // The main thread ends this thread once it has the answer.
        await upkeep.stop();
        await db.close();
        return undefined;
    }
  };

  port.on('message', (call: Call) => {
    run(call).then(
      (value) => port.postMessage({ id: call.id, ok: true, value } satisfies Reply),
      (error: unknown) => port.postMessage({ id: call.id, ok: false, error: errorToPost(error) } satisfies Reply),
    );
  });
  port.postMessage({ id: 0, ok: true, value: undefined } satisfies Reply);
}

if (parentPort) await serve(parentPort, workerData as ThreadOptions);
