import { createHash } from 'node:crypto';
import pg from 'pg';
import { RosterError } from '../errors.ts';
import { log } from '../log.ts';
import type { Database, Queryable } from './database.ts';

// int8 (counts, identity ids) as numbers: roster's ids and counts stay far below 2^53.
pg.types.setTypeParser(20, (value: string) => Number(value));

export interface PostgresOptions {
  /** Sets search_path, so tests can run in a schema of their own. */
  schema?: string;
  max?: number;
  /** How many distinct statements each connection may hold prepared (default 2,000). */
  preparedLimit?: number;
}

export async function openPostgres(url: string, options: PostgresOptions = {}): Promise<Database> {
  checkDatabaseUrl(url);
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
  });
  // A connection the server cut (a restart, a failover) is an event, not a crash: the pool drops
  // it and the next query connects afresh; queries in flight fail, and their callers retry them.
  const cut = (error: Error) => log.warn({ err: scrubSecrets(error.message, url) }, 'PostgreSQL closed a connection');
  pool.on('error', cut);
  // A connection checked out between queries (inside a transaction) has no pool listener of its own.
  pool.on('connect', (client) => client.on('error', cut));
  // Fail fast with the server's reason rather than at the first query. pg can throw before it
  // returns a promise (a URL it cannot parse), so this awaits inside a try.
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new Error(`cannot connect to PostgreSQL at ${redactUrl(url)}: ${scrubSecrets((error as Error).message, url)}`);
  }
  client.release();
  const prepared = new PreparedNames(options.preparedLimit);
  const asQueryable = (target: pg.Pool | pg.PoolClient): Queryable => ({
    async query<T>(sql: string, params?: readonly unknown[]) {
      const name = params ? prepared.nameOf(sql) : undefined;
      const result = await target.query(name ? { name, text: sql, values: [...(params ?? [])] } : { text: sql, ...(params ? { values: [...params] } : {}) });
      return result.rows as T[];
    },
    async exec(sql: string) {
      await target.query(sql);
    },
  });
  return {
    kind: 'postgres',
    schema: options.schema,
    ...asQueryable(pool),
    async executeSql(sql, params) {
      const result = await pool.query(sql, params ? [...params] : undefined);
      // A multi-statement text answers one result per statement.
      const last = Array.isArray(result) ? result.at(-1) : result;
      return { rows: (last?.rows ?? []) as unknown[] };
    },
    async transaction(fn) {
      const conn = await pool.connect();
      try {
        await conn.query('begin');
        const result = await fn(asQueryable(conn));
        await conn.query('commit');
        return result;
      } catch (error) {
        await conn.query('rollback').catch(() => undefined);
        throw error;
      } finally {
        conn.release();
      }
    },
    close: () => pool.end(),
  };
}

/**
 * Names for prepared statements: each connection parses and plans a named statement once and
 * then only binds it, which more than halves the database's work for the short statements SCIM
 * traffic is made of. Statements are named by their text; past a bound (filters of every shape
 * are distinct texts) new ones run unnamed, so no connection holds an unbounded number of them.
 */
class PreparedNames {
  readonly #names = new Map<string, string>();
  readonly #limit: number;

  constructor(limit = 2000) {
    this.#limit = limit;
  }

  nameOf(sql: string): string | undefined {
    const known = this.#names.get(sql);
    if (known !== undefined || this.#names.size >= this.#limit) return known;
    const name = `roster_${createHash('sha256').update(sql).digest('hex').slice(0, 24)}`;
    this.#names.set(sql, name);
    return name;
  }
}

const urlShape = /^([a-z][a-z0-9+.-]*:\/\/)(.*)@([^@]*)$/is;
const passwordParam = /((?:^|[?&\s])(?:password|sslpassword)=)[^&#\s]*/gi;

/**
 * Refuses, without echoing it, a URL whose password a URL parser would not read as one: an
 * unencoded / ? or # ends the credentials early, and the rest of the password would then be
 * taken for a host or a path and printed in connection errors.
 */
function checkDatabaseUrl(url: string): void {
  if (!/^postgres(ql)?:\/\//i.test(url)) {
    throw new RosterError('config_invalid', 'the database URL must start with postgres:// or postgresql:// (postgres://user:password@host:5432/database)');
  }
  const userinfo = urlShape.exec(url)?.[2];
  if (userinfo !== undefined && /[/?#]/.test(userinfo)) {
    throw new RosterError('config_invalid', 'the database URL has an unencoded /, ? or # in its user or password; percent-encode them (%2F, %3F, %23)');
  }
}

/** A connection URL fit for messages: the password replaced, however the URL is formed. */
export function redactUrl(url: string): string {
  const match = urlShape.exec(url);
  let shown = url;
  if (match) {
    const [, scheme = '', userinfo = '', rest = ''] = match;
    const colon = userinfo.indexOf(':');
    shown = `${scheme}${colon >= 0 ? `${userinfo.slice(0, colon)}:***` : userinfo}@${rest}`;
  }
  return shown.replace(passwordParam, '$1***');
}

/** A driver's message with any form of the URL's password taken out, in case the server or driver repeats it. */
function scrubSecrets(message: string, url: string): string {
  const secrets = new Set<string>();
  const userinfo = urlShape.exec(url)?.[2];
  const colon = userinfo?.indexOf(':') ?? -1;
  if (userinfo !== undefined && colon >= 0) secrets.add(userinfo.slice(colon + 1));
  for (const match of url.matchAll(passwordParam)) secrets.add(url.slice((match.index ?? 0) + (match[1]?.length ?? 0), (match.index ?? 0) + match[0].length));
  for (const secret of [...secrets]) {
    try {
      secrets.add(decodeURIComponent(secret));
    } catch {
      // not percent-encoded text: the raw form is already listed
    }
  }
  let scrubbed = message;
  // Very short passwords would blank out ordinary words; they are left to the URL redaction.
  for (const secret of [...secrets].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length)) scrubbed = scrubbed.split(secret).join('***');
  return scrubbed;
}
