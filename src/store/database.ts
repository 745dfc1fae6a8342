/** The one narrow port every store module uses; PGlite and PostgreSQL both implement it. */
export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs several statements with no parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface Database extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /** The schema roster's tables live in when it is not the default (tests give each run its own). */
  readonly schema?: string | undefined;
  /**
   * The port pg-boss needs: one statement with parameters, or several without, answering rows
   * of the last statement.
   */
  executeSql(sql: string, params?: readonly unknown[]): Promise<{ rows: unknown[] }>;
  /** Runs fn in one transaction; it commits when fn resolves and rolls back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

const unavailableCodes = new Set(['57P01', '57P02', '57P03', '08000', '08001', '08003', '08006', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE']);
const unavailableMessage = /connection terminated|terminating connection|the database system is (shutting down|starting up|in recovery mode)|connection error|not queryable|cannot connect/i;

/** Whether an error says the database is away for now (restarting, failing over, unreachable), not that a query was wrong. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown; cause?: unknown } | undefined;
  if (!e || typeof e !== 'object') return false;
  if (typeof e.code === 'string' && unavailableCodes.has(e.code)) return true;
  if (typeof e.message === 'string' && unavailableMessage.test(e.message)) return true;
  return e.cause !== undefined && e.cause !== error && isDatabaseUnavailable(e.cause);
}
