import pg from 'pg';
import type { Database, Queryable } from './database.ts';

// int8 (counts, identity ids) as numbers: roster's ids and counts stay far below 2^53.
pg.types.setTypeParser(20, (value: string) => Number(value));

export interface PostgresOptions {
  /** Sets search_path, so tests can run in a schema of their own. */
  schema?: string;
  max?: number;
}

export async function openPostgres(url: string, options: PostgresOptions = {}): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
  });
  // Fail fast with the server's reason rather than at the first query.
  const client = await pool.connect().catch(async (error: unknown) => {
    await pool.end();
    throw new Error(`cannot connect to PostgreSQL at ${redactUrl(url)}: ${(error as Error).message}`);
  });
  client.release();
  const asQueryable = (target: pg.Pool | pg.PoolClient): Queryable => ({
    async query<T>(sql: string, params?: readonly unknown[]) {
      const result = await target.query(sql, params ? [...params] : undefined);
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

/** A connection URL fit for messages: the password replaced. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable database URL)';
  }
}
