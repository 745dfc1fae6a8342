import { join } from 'node:path';
import type { Database } from './database.ts';
import { migrate } from './migrate.ts';
import { openPglite } from './pglite.ts';
import { openPostgres } from './postgres.ts';

export interface OpenOptions {
  /** PostgreSQL connection URL; when absent the embedded database under `home` is used. */
  databaseUrl?: string | undefined;
  /** roster's home folder; the embedded database lives in <home>/db. Absent: in memory. */
  home?: string | undefined;
}

/** Opens roster's database and brings its schema up to date. */
export async function openDatabase(options: OpenOptions): Promise<Database> {
  const db = options.databaseUrl
    ? await openPostgres(options.databaseUrl)
    : await openPglite(options.home ? join(options.home, 'db') : undefined);
  try {
    await migrate(db);
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}
