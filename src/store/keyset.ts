import type { Queryable } from './database.ts';

/** Rows per read of a large result. */
export const keysetPageRows = 5000;

/**
 * Reads a large result a page at a time, by key (`select … where key > $1 order by key limit $2`;
 * $1 is null for the first page). The embedded database builds each result inside its WASM heap,
 * which grows to the largest result it ever held and never shrinks: a whole tenant read at once
 * would stay resident for the life of the process, beside its copy in JavaScript.
 */
export async function readByKey<Row>(db: Queryable, sql: string, params: readonly unknown[], keyOf: (row: Row) => string, pageRows = keysetPageRows): Promise<Row[]> {
  const rows: Row[] = [];
  let after: string | null = null;
  for (;;) {
    const page: Row[] = await db.query<Row>(sql, [after, pageRows, ...params]);
    for (const row of page) rows.push(row);
    if (page.length < pageRows) return rows;
    after = keyOf(page[page.length - 1] as Row);
  }
}

/** Runs `write` on slices of `items`, so no one statement carries a whole tenant as one parameter. */
export async function inSlices<T>(items: readonly T[], write: (slice: readonly T[]) => Promise<void>, sliceRows = keysetPageRows): Promise<void> {
  for (let from = 0; from < items.length; from += sliceRows) await write(items.slice(from, from + sliceRows));
}
