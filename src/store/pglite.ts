import { PGlite } from '@electric-sql/pglite';
import type { Database, Queryable } from './database.ts';
import { acquireFolderLock, type FolderLock } from './folder-lock.ts';

/** Opens an embedded database: in memory when dataDir is undefined, else in that folder, locked. */
export async function openPglite(dataDir?: string): Promise<Database> {
  let lock: FolderLock | undefined;
  if (dataDir) lock = acquireFolderLock(dataDir);
  let pg: PGlite;
  try {
    pg = await PGlite.create(dataDir);
  } catch (error) {
    lock?.release();
    throw error;
  }
  const asQueryable = (target: Pick<PGlite, 'query' | 'exec'>): Queryable => ({
    async query<T>(sql: string, params?: readonly unknown[]) {
      const result = await target.query<T>(sql, params ? [...params] : undefined);
      return result.rows;
    },
    async exec(sql: string) {
      await target.exec(sql);
    },
  });
  return {
    kind: 'pglite',
    ...asQueryable(pg),
    transaction: (fn) => pg.transaction((tx) => fn(asQueryable(tx))),
    async executeSql(sql, params) {
      if (params && params.length > 0) return { rows: (await pg.query(sql, [...params])).rows };
      const results = await pg.exec(sql);
      return { rows: results.at(-1)?.rows ?? [] };
    },
    async close() {
      try {
        await pg.close();
      } finally {
        lock?.release();
      }
    },
  };
}
