import type { Queryable } from './database.ts';

export type UsageWindow = 'minute' | 'hour';

/** Counts one call in the token's window and answers the calls counted there so far (this one included). */
export async function countCall(db: Queryable, tokenId: string, window: UsageWindow, start: Date): Promise<number> {
  const [row] = await db.query<{ calls: number }>(
    `insert into mcp_usage (token_id, window_kind, window_start, calls) values ($1, $2, $3, 1)
       on conflict (token_id, window_kind, window_start) do update set calls = mcp_usage.calls + 1
       returning calls`,
    [tokenId, window, start],
  );
  return Number(row?.calls ?? 0);
}

/** Adds result characters to the token's window; answers the total there now. */
export async function addChars(db: Queryable, tokenId: string, window: UsageWindow, start: Date, chars: number): Promise<number> {
  const [row] = await db.query<{ chars: string | number }>(
    `insert into mcp_usage (token_id, window_kind, window_start, chars) values ($1, $2, $3, $4)
       on conflict (token_id, window_kind, window_start) do update set chars = mcp_usage.chars + excluded.chars
       returning chars`,
    [tokenId, window, start, chars],
  );
  return Number(row?.chars ?? 0);
}

export async function charsUsed(db: Queryable, tokenId: string, window: UsageWindow, start: Date): Promise<number> {
  const [row] = await db.query<{ chars: string | number }>('select chars from mcp_usage where token_id = $1 and window_kind = $2 and window_start = $3', [tokenId, window, start]);
  return Number(row?.chars ?? 0);
}

/** Drops the token's windows that ended before `before`. */
export async function forgetUsage(db: Queryable, tokenId: string, before: Date): Promise<void> {
  await db.query('delete from mcp_usage where token_id = $1 and window_start < $2', [tokenId, before]);
}
