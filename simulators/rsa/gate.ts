import { timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { retryAfterHeaders, type RetryAfterForm } from '../shared/faults.ts';
import { WindowLimiter } from '../shared/rate-limit.ts';
import type { SimulatorEnv } from '../shared/server.ts';
import { scimErrorResponse } from '../scim/http.ts';
import { parseFilter, ScimError, type Filter } from '../scim/protocol.ts';
import type { RsaRateLimit, RsaSimulatorSettings } from './settings.ts';

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The bearer token a request carries, if any. */
function bearer(c: Context): string | undefined {
  const [scheme, credentials] = (c.req.header('authorization') ?? '').trim().split(/\s+/, 2);
  return scheme?.toLowerCase() === 'bearer' && credentials ? credentials : undefined;
}

/**
 * `Authorization: Bearer <client secret>`: only the published secret works. A generated secret that
 * was never published is refused like any wrong one (the console's Publish Changes makes it live).
 */
export function rsaAuth(settings: RsaSimulatorSettings): MiddlewareHandler<SimulatorEnv> {
  return async (c, next) => {
    const token = bearer(c);
    if (token && same(token, settings.clientSecret)) return next();
    return scimErrorResponse(new ScimError(401, token ? 'Unauthorized: invalid client secret' : 'Unauthorized: no bearer client secret'), { 'www-authenticate': 'Bearer' });
  };
}

function retryForm(limit: RsaRateLimit, waitMs: number): RetryAfterForm {
  const setting = limit.retryAfter ?? { kind: 'text', seconds: 2 };
  if (setting === 'text') return { kind: 'text', seconds: Math.max(1, Math.ceil(waitMs / 1000)) };
  return setting;
}

/** A fixed window across every request; over it, 429 with `Retry-After: <n> seconds`. */
export function rsaThrottle(settings: RsaSimulatorSettings): MiddlewareHandler<SimulatorEnv> {
  let limiter: WindowLimiter | undefined;
  let key = '';
  return async (c, next) => {
    const limit = settings.rateLimit;
    if (!limit) return next();
    const wanted = `${limit.requests}/${limit.perMs}`;
    if (!limiter || key !== wanted) {
      limiter = new WindowLimiter(limit.requests, limit.perMs);
      key = wanted;
    }
    const now = Date.now();
    const wait = limiter.take(now);
    if (wait === null) return next();
    return scimErrorResponse(new ScimError(429, 'Too Many Requests'), retryAfterHeaders(retryForm(limit, wait), now));
  };
}

/** The attributes RSA searches on, lowercase: `userName`, `emails` (or `emails.value`), `id`. */
const SEARCHABLE = new Set(['username', 'emails', 'emails.value', 'id']);

/** Whether a filter is one RSA answers: a single `eq` on userName, emails or id. */
export function supportedSearch(filter: Filter): boolean {
  if (filter.kind !== 'compare' || filter.op !== 'eq' || typeof filter.value !== 'string') return false;
  if (filter.path.schema !== undefined) return false;
  const name = `${filter.path.attribute}${filter.path.subAttribute === undefined ? '' : `.${filter.path.subAttribute}`}`.toLowerCase();
  return SEARCHABLE.has(name);
}

const unsupportedSearch = () => new ScimError(400, 'Unsupported Search Filter', 'invalidFilter');

/** GET /Users?filter=…: anything but `eq` on userName, emails or id answers 400 "Unsupported Search Filter". */
export function rsaSearch(): MiddlewareHandler<SimulatorEnv> {
  return async (c, next) => {
    if (c.req.method !== 'GET') return next();
    const text = c.req.query('filter');
    if (text === undefined || text.trim() === '') return next();
    let filter: Filter;
    try {
      filter = parseFilter(text);
    } catch {
      throw unsupportedSearch();
    }
    if (!supportedSearch(filter)) throw unsupportedSearch();
    return next();
  };
}

const STANDARD_OPS = new Set(['add', 'replace', 'remove']);

/**
 * PATCH ops must be `add`, `replace` or `remove`. Entra's title case (`Replace`) is taken only when
 * the tenant is set up for Entra's `aadOptscim062020` flag.
 */
export function rsaPatchOps(settings: RsaSimulatorSettings): MiddlewareHandler<SimulatorEnv> {
  return async (c, next) => {
    if (c.req.method !== 'PATCH') return next();
    let body: unknown;
    try {
      body = JSON.parse(await c.req.text());
    } catch {
      return next(); // the SCIM layer answers malformed JSON
    }
    if (!body || typeof body !== 'object' || Array.isArray(body)) return next();
    const key = Object.keys(body).find((k) => k.toLowerCase() === 'operations');
    const operations = key ? (body as Record<string, unknown>)[key] : undefined;
    if (!Array.isArray(operations)) return next();
    for (const [i, operation] of operations.entries()) {
      const op = operation && typeof operation === 'object' ? (operation as Record<string, unknown>)['op'] : undefined;
      if (typeof op !== 'string' || STANDARD_OPS.has(op)) continue;
      if (settings.aadOptscim062020 && STANDARD_OPS.has(op.toLowerCase())) continue;
      throw new ScimError(400, `Operations[${i}]: unsupported op '${op}': use add, replace or remove (Entra sends title case unless the tenant URL carries aadOptscim062020)`, 'invalidSyntax');
    }
    return next();
  };
}
