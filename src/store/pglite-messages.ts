// What the main thread and the embedded database's thread say to each other
// (src/store/pglite-thread.ts, src/store/pglite-worker.ts).

import type { PgliteOptions } from './pglite.ts';

export interface ThreadOptions {
  /** The data folder (its lock is the main thread's); in memory when absent. */
  dataDir?: string | undefined;
  pglite: PgliteOptions;
  /** How often the thread looks for tables to vacuum (src/store/pglite-upkeep.ts); default 5 s. */
  upkeepMs?: number | undefined;
}

/** One call; tx names a transaction `begin` opened, for statements run in it. */
export type Call =
  | { id: number; op: 'query'; sql: string; params: readonly unknown[] | undefined; tx: number | undefined }
  | { id: number; op: 'exec'; sql: string; tx: number | undefined }
  | { id: number; op: 'executeSql'; sql: string; params: readonly unknown[] | undefined }
  | { id: number; op: 'begin' }
  | { id: number; op: 'end'; tx: number; commit: boolean }
  | { id: number; op: 'close' };

/** A call as its sender writes it: the id is added on sending. */
export type Sent = WithoutId<Call>;
type WithoutId<C> = C extends unknown ? Omit<C, 'id'> : never;

/** The answer to call `id` (0: the database opened, or could not). */
export type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: PostedError };

export interface PostedError {
  message: string;
  name: string;
  /** What callers read of a database error (code, detail, constraint…); never its parameters, which may hold secrets. */
  fields: Record<string, string | number>;
}

const errorFields = ['code', 'detail', 'hint', 'constraint', 'table', 'column', 'schema', 'severity', 'position', 'where', 'routine', 'query'] as const;

export function errorToPost(error: unknown): PostedError {
  if (!(error instanceof Error)) return { message: String(error), name: 'Error', fields: {} };
  const fields: Record<string, string | number> = {};
  for (const field of errorFields) {
    const value = (error as unknown as Record<string, unknown>)[field];
    if (typeof value === 'string' || typeof value === 'number') fields[field] = value;
  }
  return { message: error.message, name: error.name, fields };
}

export function errorFromPost(posted: PostedError): Error {
  const error = Object.assign(new Error(posted.message), posted.fields);
  error.name = posted.name;
  return error;
}
