import { PgBoss } from 'pg-boss';
import type { Database } from '../store/database.ts';
import { log } from '../log.ts';

export const operationsQueue = 'roster-operations';

export interface OperationJob {
  key: string;
  planId: string;
  changeId: string;
  appName: string;
}

/**
 * pg-boss on roster's own database (embedded or PostgreSQL), through the one narrow port both
 * implement. Retries back off exponentially; an active job whose worker died is retried after
 * expireInSeconds.
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
    await boss.createQueue(operationsQueue, { retryLimit: 5, retryDelay: 1, retryBackoff: true, retryDelayMax: 300, expireInSeconds: 600 }).catch((error: Error) => {
      if (!/already exists/i.test(error.message)) throw error;
    });
  }
  return boss;
}

/** How often a failing operation is tried again before it is escalated (the queue's default: 5, from 1 s doubling). */
export interface RetryPolicy {
  limit: number;
  delaySeconds: number;
}

export async function enqueue(boss: PgBoss, job: OperationJob, startAfterSeconds?: number, retry?: RetryPolicy): Promise<void> {
  await boss.send(
    operationsQueue,
    { ...job },
    {
      group: { id: job.appName },
      ...(startAfterSeconds ? { startAfter: startAfterSeconds } : {}),
      ...(retry ? { retryLimit: retry.limit, retryDelay: retry.delaySeconds, retryBackoff: true } : {}),
    },
  );
}
