/**
 * How long an app asked roster to wait, in milliseconds, from any of the forms seen in the wild:
 * integer seconds, an HTTP date, "2 seconds" (RSA, ZIA bodies), or a number in a JSON body.
 */
export function parseRetryAfter(value: unknown, now = Date.now()): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.round(value * 1000) : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  const seconds = /^(\d+(?:\.\d+)?)\s*(?:s|secs?|seconds?)?$/i.exec(text);
  if (seconds?.[1]) return Math.round(Number(seconds[1]) * 1000);
  const minutes = /^(\d+(?:\.\d+)?)\s*(?:m|mins?|minutes?)$/i.exec(text);
  if (minutes?.[1]) return Math.round(Number(minutes[1]) * 60_000);
  const date = Date.parse(text);
  if (!Number.isNaN(date) && /[a-z]/i.test(text)) return Math.max(0, date - now);
  return undefined;
}

const bodyFields = ['Retry-After', 'retry-after', 'retryAfter', 'retry_after'];
// Okta writes x-rate-limit-reset (epoch seconds), with a dash between rate and limit.
const resetHeaders = ['ratelimit-reset', 'x-ratelimit-reset', 'x-rate-limit-reset'];

/**
 * The wait a 429 (or 503) asks for: the Retry-After header, else a Retry-After field in the JSON
 * body, else a rate-limit reset header (seconds until the window resets). Undefined when the answer
 * says nothing, and the caller backs off on its own.
 */
export function retryAfterFrom(headers: Record<string, string | string[] | undefined>, body: unknown, now = Date.now()): number | undefined {
  const header = first(headers['retry-after']);
  const fromHeader = parseRetryAfter(header, now);
  if (fromHeader !== undefined) return fromHeader;
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    for (const field of bodyFields) {
      const parsed = parseRetryAfter((body as Record<string, unknown>)[field], now);
      if (parsed !== undefined) return parsed;
    }
  }
  for (const name of resetHeaders) {
    const reset = first(headers[name]);
    // A reset far larger than a window is an epoch timestamp, not a delay.
    const value = reset === undefined ? undefined : Number(reset);
    if (value !== undefined && Number.isFinite(value) && value >= 0) return value > 1e9 ? Math.max(0, value * 1000 - now) : value * 1000;
  }
  return undefined;
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
