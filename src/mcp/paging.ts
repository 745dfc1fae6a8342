// Bounded answers: every list an agent gets is one page of at most `maxPageSize` items, with an
// opaque cursor for the next; long text is cut. A tenant of 100,000 people never floods a context.
import { z } from 'zod';

export const defaultPageSize = 25;
export const maxPageSize = 100;
/** Longest string copied into an answer (names, reasons, attribute values). */
export const maxTextLength = 300;

export const pageInput = {
  limit: z.number().int().min(1).max(maxPageSize).optional().describe(`items per page (default ${defaultPageSize}, at most ${maxPageSize})`),
  cursor: z.string().max(200).regex(/^[A-Za-z0-9_-]*$/, 'is not a cursor roster gave out').optional().describe('nextCursor from the previous page; absent: the first page'),
};

export const nextCursorOutput = z.string().optional().describe('pass as cursor for the next page; absent: this was the last page');

export class BadCursor extends Error {}

export function encodeCursor(position: number): string {
  return Buffer.from(JSON.stringify({ p: position })).toString('base64url');
}

/** The position a cursor names (0 when there is none); a cursor that is not one of roster's is refused. */
export function decodeCursor(cursor: string | undefined): number {
  if (cursor === undefined || cursor === '') return 0;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { p?: unknown };
    if (typeof parsed.p === 'number' && Number.isInteger(parsed.p) && parsed.p >= 0) return parsed.p;
  } catch {
    // fall through to the refusal below
  }
  throw new BadCursor('cursor is not one roster gave out; call again without it for the first page');
}

export interface Page<T> {
  items: T[];
  total: number;
  nextCursor?: string | undefined;
}

/** One page of a list already in memory. */
export function pageOf<T>(all: readonly T[], options: { limit?: number | undefined; cursor?: string | undefined }): Page<T> {
  const start = decodeCursor(options.cursor);
  const size = Math.min(options.limit ?? defaultPageSize, maxPageSize);
  const items = all.slice(start, start + size);
  return { items, total: all.length, ...(start + size < all.length ? { nextCursor: encodeCursor(start + size) } : {}) };
}

export function clip(text: string | undefined | null): string | undefined {
  if (text === undefined || text === null) return undefined;
  return text.length > maxTextLength ? `${text.slice(0, maxTextLength - 1)}…` : text;
}
