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
