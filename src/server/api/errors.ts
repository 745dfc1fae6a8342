// The API's one error shape, { error: { code, message } }, and the status each failure gets.
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from '@hono/zod-openapi';
import { redactText } from '../../core/redact.ts';
import { isRosterError, type RosterError } from '../../errors.ts';

export const errorSchema = z
  .object({ error: z.object({ code: z.string().openapi({ example: 'not_found' }), message: z.string().openapi({ example: 'no plan 1a2b; roster plan makes one' }) }) })
  .openapi('Error');

export type ApiErrorCode = 'invalid_request' | 'unauthenticated' | 'forbidden' | 'not_found' | 'conflict' | 'unprocessable' | 'internal';

const statuses: Record<ApiErrorCode, ContentfulStatusCode> = {
  invalid_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  unprocessable: 422,
  internal: 500,
};

/** A failure the API answers with; thrown from handlers and turned into JSON by `apiErrorResponse`. */
export class ApiError extends Error {
  readonly code: ApiErrorCode;

  constructor(code: ApiErrorCode, message: string) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
  }

  get status(): ContentfulStatusCode {
    return statuses[this.code];
  }
}

/** The engine says why in words; the state conflicts among them (already decided, stale, rejected) are 409s. */
export function fromRosterError(error: RosterError): ApiError {
  const message = redactText(error.message);
  if (error.code === 'not_found') return new ApiError('not_found', message);
  if (error.code === 'forbidden') return new ApiError('forbidden', message);
  if (/\balready\b|\bstale\b|was rejected|cannot be trusted|never been synced/.test(message)) return new ApiError('conflict', message);
  if (error.code === 'input_invalid' || error.code === 'config_invalid') return new ApiError('unprocessable', message);
  return new ApiError('internal', 'roster failed to carry this out; the audit trail has the details');
}

export function toApiError(error: unknown): ApiError | undefined {
  if (error instanceof ApiError) return error;
  if (isRosterError(error)) return fromRosterError(error);
  return undefined;
}

export function apiErrorResponse(c: Context, error: ApiError): Response {
  return c.json({ error: { code: error.code, message: error.message } }, error.status);
}

/** zod's issues as one readable line: `limit: Too big: expected number to be <=500; cursor: ...`. */
export function describeIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  return issues.map((i) => `${i.path.length > 0 ? `${i.path.map(String).join('.')}: ` : ''}${i.message}`).join('; ');
}
