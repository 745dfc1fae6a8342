import { PGlite, parse, protocol, type messages as wire } from '@electric-sql/pglite';
import type { Database, Queryable } from './database.ts';
import { acquireFolderLock, type FolderLock } from './folder-lock.ts';
import { keepDurable, type Durability, type SyncIo } from './pglite-durable.ts';

/**
 * Postgres settings for the embedded database, sized for one process's work rather than a server's:
 * the buffer pool lives inside the WASM heap (PGlite's default of 128 MB grows that heap and the
 * process's RSS by as much), and the OS page cache still holds the data files behind it.
 * bench/pglite-memory.bench.ts measures the difference.
 *
 * Durability: synchronous_commit stays on, so each change is written to the log before its
 * statement answers (snapshots must exist before a destructive request leaves roster). PGlite
 * starts Postgres with fsync off on its command line, which outranks every setting, so roster
 * syncs the files itself (src/store/pglite-durable.ts): each statement and transaction is on disk
 * before it answers, and survives a power cut as well as a killed process.
 */
export const embeddedSettings: readonly string[] = ['shared_buffers=16MB', 'maintenance_work_mem=16MB', 'temp_buffers=2MB', 'work_mem=4MB'];

export interface PgliteOptions {
  settings?: readonly string[];
  /** Start from this image of a data folder (pgliteImage) instead of an empty one: no initdb. */
  image?: Blob | undefined;
  /** How many distinct statement texts are kept prepared (default 2,000); past it, each is parsed on every run. */
  statementLimit?: number;
  /** How a folder's writes are made durable (src/store/pglite-durable.ts); fdatasync and fsync by default. */
  sync?: SyncIo;
}

/** Opens an embedded database: in memory when dataDir is undefined, else in that folder, locked. */
export async function openPglite(dataDir?: string, options: PgliteOptions = {}): Promise<Database> {
  const lock = dataDir ? acquireFolderLock(dataDir) : undefined;
  try {
    return withLock(await openPgliteUnlocked(dataDir, options), lock);
  } catch (error) {
    lock?.release();
    throw error;
  }
}

/** `openPglite` without taking the folder's lock: the caller holds it (src/store/pglite-thread.ts). */
export async function openPgliteUnlocked(dataDir?: string, options: PgliteOptions = {}): Promise<Database> {
  const settings = options.settings ?? embeddedSettings;
  const pg = await PGlite.create({ ...(dataDir ? { dataDir } : {}), ...(options.image ? { loadDataDir: options.image } : {}), ...(settings.length > 0 ? { postgresqlconf: [...settings] } : {}) });
  return wrap(pg, options.statementLimit, keepDurable(pg, options.sync));
}

/** db, releasing the lock once it is closed. */
export function withLock(db: Database, lock: FolderLock | undefined): Database {
  if (!lock) return db;
  return {
    ...db,
    async close() {
      try {
        await db.close();
      } finally {
        lock.release();
      }
    },
  };
}

/**
 * An image of an in-memory database after prepare ran on it (tests: migrated once, then every
 * test database starts from the image instead of running initdb and the migrations again).
 */
export async function pgliteImage(prepare: (db: Database) => Promise<unknown>): Promise<Blob> {
  const pg = await PGlite.create({ postgresqlconf: [...embeddedSettings] });
  try {
    await prepare(wrap(pg));
    return await pg.dumpDataDir('none');
  } finally {
    await pg.close();
  }
}

function wrap(pg: PGlite, statementLimit?: number, durability?: Durability): Database {
  const prepared = new PreparedStatements(pg, statementLimit);
  // Every statement and transaction is on disk before it answers; one in a transaction, with its commit.
  const flush = () => durability?.flush();
  const asQueryable = (transaction?: Pick<PGlite, 'exec'>): Queryable => ({
    async query<T>(sql: string, params?: readonly unknown[]) {
      // Inside pg.transaction its lock is held already (and its own exec must be used).
      if (transaction) return (await prepared.run(sql, params ?? [], true)) as T[];
      return (await pg._runExclusiveTransaction(async () => {
        const rows = await prepared.run(sql, params ?? [], false);
        await pg.syncToFs();
        flush();
        return rows;
      })) as T[];
    },
    async exec(sql: string) {
      if (transaction) {
        await transaction.exec(sql);
        return;
      }
      await pg.exec(sql);
      flush();
    },
  });
  const outside = asQueryable();
  return {
    kind: 'pglite',
    ...outside,
    async transaction(fn) {
      const result = await pg.transaction((tx) => fn(asQueryable(tx)));
      flush();
      return result;
    },
    async executeSql(sql, params) {
      // The queue's statements are few and fixed: prepared once, like the store's own.
      if (params && params.length > 0) return { rows: await outside.query(sql, params) };
      const results = await pg.exec(sql);
      flush();
      return { rows: results.at(-1)?.rows ?? [] };
    },
    async close() {
      await pg.close();
      flush();
    },
  };
}

interface Prepared {
  name: string;
  /** The type of each parameter, as the database inferred it: how a value is written for it. */
  parameterTypes: number[];
  /** The columns of its rows (none when it answers no rows), as the statement's description gave them. */
  columns: wire.BackendMessage | undefined;
}

/**
 * Named prepared statements on the embedded database. PGlite's own query parses and plans every
 * statement afresh and makes six calls into the database for it; here a statement is parsed once,
 * and each run after is one call (bind, execute, sync): a read by id went from about 230-410 µs
 * to 80 µs, and to 56 µs once the rows' columns came from the description the statement got when
 * it was prepared rather than from describing each run (a schema change that alters them fails
 * the run with 0A000, and the statement is prepared again). Statements are named by their text,
 * up to a bound (filters of every shape are distinct texts); past it, new texts are parsed each time.
 */
class PreparedStatements {
  readonly #pg: PGlite;
  readonly #statements = new Map<string, Prepared>();
  readonly #limit: number;
  #named = 0;

  constructor(pg: PGlite, limit = 2000) {
    this.#pg = pg;
    this.#limit = limit;
  }

  /**
   * The rows of sql run with params; the caller holds the transaction lock. A statement prepared
   * before a schema change that alters its result (0A000, "cached plan must not change result
   * type") is forgotten and, outside a transaction, prepared again once.
   */
  async run(sql: string, params: readonly unknown[], inTransaction: boolean): Promise<unknown[]> {
    return this.#pg._runExclusiveQuery(async () => {
      try {
        return await this.#execute(sql, params);
      } catch (error) {
        if ((error as { code?: string }).code !== '0A000' || !this.#statements.has(sql)) throw error;
        await this.#forget(sql);
        if (inTransaction) throw error;
        return this.#execute(sql, params);
      }
    });
  }

  async #execute(sql: string, params: readonly unknown[]): Promise<unknown[]> {
    const pg = this.#pg;
    const statement = this.#statements.get(sql) ?? (await this.#prepare(sql));
    const values = params.map((value, i) => {
      if (value === null || value === undefined) return null;
      const serializer = pg.serializers[statement.parameterTypes[i] ?? 0];
      return serializer ? serializer(value) : String(value);
    });
    const messages = await this.#send(sql, params, protocol.serialize.bind({ statement: statement.name, values }), protocol.serialize.execute({}));
    return parse.parseResults(statement.columns ? [statement.columns, ...messages] : messages, pg.parsers)[0]?.rows ?? [];
  }

  async #forget(sql: string): Promise<void> {
    const statement = this.#statements.get(sql);
    this.#statements.delete(sql);
    if (statement) await this.#send(sql, [], protocol.serialize.close({ type: 'S', name: statement.name }));
  }

  /** Parses sql as a named statement, or past the bound as the unnamed one (which the next statement replaces). */
  async #prepare(sql: string): Promise<Prepared> {
    const name = this.#statements.size < this.#limit ? `roster_${++this.#named}` : '';
    const messages = await this.#send(sql, [], protocol.serialize.parse({ name, text: sql }), protocol.serialize.describe({ type: 'S', name }));
    const description = messages.find((m): m is wire.ParameterDescriptionMessage => m.name === 'parameterDescription');
    const columns = messages.find((m) => m.name === 'rowDescription');
    const statement = { name, parameterTypes: description?.dataTypeIDs ?? [], columns };
    if (name !== '') this.#statements.set(sql, statement);
    return statement;
  }

  /** Sends these messages and a sync in one call; a database error is thrown with its statement, as PGlite's own query throws it. */
  async #send(sql: string, params: readonly unknown[], ...messages: Uint8Array[]): Promise<wire.BackendMessage[]> {
    const replies = await this.#pg.execProtocolStream(concat([...messages, protocol.serialize.sync()]), { syncToFs: false, throwOnError: false });
    const error = replies.find((m): m is wire.DatabaseError => m.name === 'error');
    if (error) throw Object.assign(error, { query: sql, params });
    return replies;
  }
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
