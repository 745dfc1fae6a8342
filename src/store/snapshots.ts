import type { RemoteAccount } from '../core/account.ts';
import type { Queryable } from './database.ts';

export interface Snapshot {
  id: number;
  appName: string;
  remoteId: string;
  personId: string | null;
  operationKey: string | null;
  reason: string;
  account: RemoteAccount;
  takenAt: Date;
}

/** Keeps the whole remote record before a destructive change. */
export async function saveSnapshot(db: Queryable, snapshot: Omit<Snapshot, 'id' | 'takenAt'>): Promise<number> {
  const [row] = await db.query<{ id: number }>(
    'insert into snapshots (app_name, remote_id, person_id, operation_key, reason, account) values ($1, $2, $3, $4, $5, $6::jsonb) returning id',
    [snapshot.appName, snapshot.remoteId, snapshot.personId, snapshot.operationKey, snapshot.reason, JSON.stringify(snapshot.account)],
  );
  return Number(row?.id);
}

export async function getSnapshot(db: Queryable, id: number): Promise<Snapshot | undefined> {
  const [row] = await db.query<{ id: number; app_name: string; remote_id: string; person_id: string | null; operation_key: string | null; reason: string; account: RemoteAccount; taken_at: Date }>(
    'select * from snapshots where id = $1',
    [id],
  );
  return row
    ? { id: Number(row.id), appName: row.app_name, remoteId: row.remote_id, personId: row.person_id, operationKey: row.operation_key, reason: row.reason, account: row.account, takenAt: row.taken_at }
    : undefined;
}

export async function listSnapshots(db: Queryable, appName?: string, limit = 50): Promise<Snapshot[]> {
  const rows = await db.query<{ id: number }>('select id from snapshots where ($1::text is null or app_name = $1) order by id desc limit $2', [appName ?? null, limit]);
  const snapshots: Snapshot[] = [];
  for (const row of rows) {
    const snapshot = await getSnapshot(db, Number(row.id));
    if (snapshot) snapshots.push(snapshot);
  }
  return snapshots;
}
