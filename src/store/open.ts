import { join } from 'node:path';
import { RosterError } from '../errors.ts';
import type { Database } from './database.ts';
import { migrate } from './migrate.ts';
import { openPglite } from './pglite.ts';
import { openPgliteThread } from './pglite-thread.ts';
import { openPostgres } from './postgres.ts';

export interface OpenOptions {
  /** PostgreSQL connection URL; when absent the embedded database under `home` is used. */
  databaseUrl?: string | undefined;
  /** roster's home folder; the embedded database lives in <home>/db. Absent: in memory. */
  home?: string | undefined;
  /** PostgreSQL only: the schema for roster's tables (and `<schema>_queue` for the queue); made if missing. */
  schema?: string | undefined;
  /**
   * The embedded database on a thread of its own (src/store/pglite-thread.ts): for a long-lived
   * process serving requests, where queries must not hold its event loop.
   */
  thread?: boolean | undefined;
  /** With `thread`: called once if the database's thread stops without being closed (see openPgliteThread). */
  onLost?: ((error: Error) => void) | undefined;
}

/** Opens roster's database and brings its schema up to date. */
export async function openDatabase(options: OpenOptions): Promise<Database> {
  if (options.schema !== undefined && !/^[a-z_][a-z0-9_]{0,50}$/.test(options.schema)) {
    throw new RosterError('config_invalid', `ROSTER_DB_SCHEMA must be a lowercase identifier (letters, digits, _), not ${options.schema}`);
  }
  if (options.databaseUrl && options.schema) {
    const admin = await openPostgres(options.databaseUrl, { max: 1 });
    await admin.exec(`create schema if not exists ${options.schema}`).finally(() => admin.close());
  }
  const db = options.databaseUrl
    ? await openPostgres(options.databaseUrl, { schema: options.schema })
    : options.thread
      ? await openPgliteThread(options.home ? join(options.home, 'db') : undefined, options.onLost ? { onLost: options.onLost } : {})
      : await openPglite(options.home ? join(options.home, 'db') : undefined);
  try {
    await migrate(db);
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}
