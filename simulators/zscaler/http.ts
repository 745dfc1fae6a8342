import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { HttpBindings } from '@hono/node-server';
import { invalid, type Problem } from './input.ts';

/** Hono env of the ZIA API apps: node bindings, and the rate-limit key of the caller. */
export type ZiaEnv = { Bindings: HttpBindings; Variables: { sessionKey: string } };
export type ZiaContext = Context<ZiaEnv>;

export const SESSION_NOT_VALID: Problem = { status: 401, code: 'SESSION_NOT_VALID', message: 'Session is not valid' };
export const BODY_INVALID: Problem = { status: 400, message: 'Request body is invalid.' };
export const UNSUPPORTED_MEDIA: Problem = { status: 415, message: '' };

export function notFound(what: string, id: string | number): Problem {
  return { status: 404, code: 'RESOURCE_NOT_FOUND', message: `${what} with id ${id} not found` };
}

/** Answers a problem: `{code, message}`, `{message}` when there is no code, `{code}` when the message is empty, no body for 415. */
export function problem(c: Context, p: Problem, headers?: Record<string, string>): Response {
  if (p.status === 415) return c.body(null, 415, headers);
  const body = p.code === undefined ? { message: p.message } : p.message === '' ? { code: p.code } : { code: p.code, message: p.message };
  return c.json(body, p.status as ContentfulStatusCode, headers);
}

/**
 * Reads a JSON object body the way the vendor's Java stack does: anything but
 * `application/json` is 415; unparsable JSON, or JSON that is not an object, is
 * 400 `{"message":"Request body is invalid."}` with no code.
 */
export async function readJson(c: Context): Promise<Record<string, unknown> | Problem> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) return UNSUPPORTED_MEDIA;
  const text = await c.req.text();
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return BODY_INVALID;
    return value as Record<string, unknown>;
  } catch {
    return BODY_INVALID;
  }
}

export interface PagingOptions {
  maxPageSize: number;
  oversizePage: 'reject' | 'clamp';
}

/** One 1-based page (`page`, `pageSize`, default 100) of a list, as a bare array with no total. */
export function paginate<T>(c: Context, items: T[], opts: PagingOptions): T[] | Problem {
  const page = intParam(c.req.query('page'), 1);
  let size = intParam(c.req.query('pageSize'), 100);
  if (page === null || page < 1) return invalid('page must be a positive integer');
  if (size === null || size < 1) return invalid('pageSize must be a positive integer');
  if (size > opts.maxPageSize) {
    if (opts.oversizePage === 'reject') return invalid(`pageSize must be at most ${opts.maxPageSize}`);
    size = opts.maxPageSize;
  }
  const start = (page - 1) * size;
  return items.slice(start, start + size);
}

function intParam(raw: string | undefined, fallback: number): number | null {
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d{1,9}$/.test(raw)) return null;
  return Number(raw);
}

/** Case-insensitive "contains"; an absent or empty filter matches everything. */
export function contains(haystack: string | undefined, needle: string | undefined): boolean {
  if (needle === undefined || needle === '') return true;
  return (haystack ?? '').toLowerCase().includes(needle.toLowerCase());
}
