import { PGlite } from '@electric-sql/pglite';
import type { Database, Queryable } from './database.ts';
import { acquireFolderLock, type FolderLock } from './folder-lock.ts';

/**
 * Postgres settings for the embedded database, sized for one process's work rather than a server's:
 * the buffer pool lives inside the WASM heap (PGlite's default of 128 MB grows that heap and the
 * process's RSS by as much), and the OS page cache still holds the data files behind it. Durability
 * is untouched (fsync and synchronous_commit stay on): snapshots must be on disk before a destructive
 * request leaves roster. bench/pglite-memory.bench.ts measures the difference.
 */
export const embeddedSettings: readonly string[] = ['shared_buffers=16MB', 'maintenance_work_mem=16MB', 'temp_buffers=2MB', 'work_mem=4MB'];

export interface PgliteOptions {
  settings?: readonly string[];
  /** Start from this image of a data folder (pgliteImage) instead of an empty one: no initdb. */
  image?: Blob | undefined;
}

/** Opens an embedded database: in memory when dataDir is undefined, else in that folder, locked. */
export async function openPglite(dataDir?: string, options: PgliteOptions = {}): Promise<Database> {
  let lock: FolderLock | undefined;
  if (dataDir) lock = acquireFolderLock(dataDir);
  let pg: PGlite;
  try {
    const settings = options.settings ?? embeddedSettings;
    pg = await PGlite.create({ ...(dataDir ? { dataDir } : {}), ...(options.image ? { loadDataDir: options.image } : {}), ...(settings.length > 0 ? { postgresqlconf: [...settings] } : {}) });
  } catch (error) {
    lock?.release();
    throw error;
  }
  return wrap(pg, lock);
}

/**
 * An image of an in-memory database after prepare ran on it (tests: migrated once, then every
 * test database starts from the image instead of running initdb and the migrations again).
 */
export async function pgliteImage(prepare: (db: Database) => Promise<unknown>): Promise<Blob> {
  const pg = await PGlite.create({ postgresqlconf: [...embeddedSettings] });
  try {
    await prepare(wrap(pg, undefined));
    return await pg.dumpDataDir('none');
  } finally {
    await pg.close();
  }
}

function wrap(pg: PGlite, lock: FolderLock | undefined): Database {
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
