import type { Queryable } from './database.ts';

/** Rows per read of a large result. */
export const keysetPageRows = 5000;

/**
 * Reads a large result a page at a time, by key (`select … where key > $1 order by key limit $2`;
 * $1 is null for the first page). The embedded database builds each result inside its WASM heap,
 * which grows to the largest result it ever held and never shrinks: a whole tenant read at once
 * would stay resident for the life of the process, beside its copy in JavaScript.
 *
 * Each page comes back as one JSON text (json_agg) parsed at once, not as rows decoded field by
 * field: three times faster on both databases at 100,000 rows. So rows hold JSON values: a
 * timestamp column arrives as its ISO text, not a Date (the callers read none).
 */
export async function readByKey<Row extends object>(db: Queryable, sql: string, params: readonly unknown[], keyColumn: keyof Row & string, pageRows = keysetPageRows): Promise<Row[]> {
  if (!/^[a-z_][a-z0-9_]*$/.test(keyColumn)) throw new Error(`not a column name: ${keyColumn}`);
  const pageSql = `select coalesce(json_agg(page order by page.${keyColumn}), '[]')::text as rows from (${sql}) page`;
  const rows: Row[] = [];
  let after: string | null = null;
  for (;;) {
    const [result] = await db.query<{ rows: string }>(pageSql, [after, pageRows, ...params]);
    const page = JSON.parse(result?.rows ?? '[]') as Row[];
    for (const row of page) rows.push(row);
    if (page.length < pageRows) return rows;
    after = String((page[page.length - 1] as Record<string, unknown>)[keyColumn]);
  }
}

/** Runs `write` on slices of `items`, so no one statement carries a whole tenant as one parameter. */
export async function inSlices<T>(items: readonly T[], write: (slice: readonly T[]) => Promise<void>, sliceRows = keysetPageRows): Promise<void> {
  for (let from = 0; from < items.length; from += sliceRows) await write(items.slice(from, from + sliceRows));
}
