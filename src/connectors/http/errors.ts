import { vendorExcerpt } from '../../core/redact.ts';
import { RosterError, type ErrorCode } from '../../errors.ts';

/**
 * The app's own words from an error body, in whichever field it puts them: a short excerpt with
 * anything that looks like a credential redacted, because it is shown and stored.
 */
export function errorDetail(body: unknown): string | undefined {
  if (typeof body === 'string') return vendorExcerpt(body);
  if (!body || typeof body !== 'object') return undefined;
  const fields = body as Record<string, unknown>;
  for (const key of ['detail', 'message', 'error_description', 'error', 'errorMessage']) {
    const value = fields[key];
    if (typeof value === 'string' && value.trim()) return vendorExcerpt(value);
  }
  return undefined;
}

const byStatus: Record<number, ErrorCode> = {
  400: 'bad_request',
  401: 'auth_failed',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  412: 'precondition_failed',
  429: 'rate_limited',
};

const advice: Partial<Record<ErrorCode, string>> = {
  auth_failed: 'check the credentials in roster.yaml',
  forbidden: 'the credentials lack permission, or are the wrong kind of token for this API',
};

/** Maps an HTTP failure to roster's error codes, with a one-line message a person can act on. */
export function httpError(appName: string, method: string, path: string, status: number, body: unknown, facts: Record<string, unknown> = {}): RosterError {
  const code: ErrorCode = byStatus[status] ?? (status >= 500 ? 'app_error' : 'bad_request');
  const detail = errorDetail(body);
  const hint = advice[code];
  const message = `${appName}: ${method} ${path} answered ${status}${detail ? ` (${detail})` : ''}${hint ? `; ${hint}` : ''}`;
  return new RosterError(code, message, { appName, method, path, status, ...facts });
}
