import { PgBoss } from 'pg-boss';
import type { Database } from '../store/database.ts';
import { log } from '../log.ts';

export const operationsQueue = 'roster-operations';

export interface OperationJob {
  key: string;
  planId: string;
  changeId: string;
  appName: string;
  /** The change's place in its plan: a batch is worked in plan order (after priority). */
  seq?: number | undefined;
}

/**
 * pg-boss on roster's own database (embedded or PostgreSQL), through the one narrow port both
 * implement. A job is a wake-up call for one operation: the executor completes it as soon as it
 * has fetched it, and the operation's row (claimed under a lease) carries retries and waits.
 */
export async function startQueue(db: Database): Promise<PgBoss> {
  const boss = new PgBoss({
    db: { executeSql: (text: string, values?: unknown[]) => db.executeSql(text, values ?? []) },
    schema: `${db.schema ?? 'roster'}_queue`,
    schedule: false,
    supervise: true,
  });
  boss.on('error', (error: Error) => log.error({ err: error.message }, 'queue error'));
  await boss.start();
  if (!(await boss.getQueue(operationsQueue))) {
    await boss.createQueue(operationsQueue, { retryLimit: 0, expireInSeconds: 600 }).catch((error: Error) => {
      if (!/already exists/i.test(error.message)) throw error;
    });
  }
  return boss;
}

/** Queues a wake-up for an operation; higher priorities are handed out first (leavers). */
export async function enqueue(boss: PgBoss, job: OperationJob, startAfterSeconds?: number, priority = 0): Promise<void> {
  await boss.send(
    operationsQueue,
    { key: job.key, planId: job.planId, changeId: job.changeId, appName: job.appName, ...(job.seq === undefined ? {} : { seq: job.seq }) },
    { ...(startAfterSeconds && startAfterSeconds > 0 ? { startAfter: startAfterSeconds } : {}), ...(priority ? { priority } : {}) },
  );
}
