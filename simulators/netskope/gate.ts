import { timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { retryAfterHeaders } from '../shared/faults.ts';
import { WindowLimiter } from '../shared/rate-limit.ts';
import type { SimulatorEnv } from '../shared/server.ts';
import { ScimError } from '../scim/protocol.ts';
import { retryForm } from '../scim/throttle.ts';
import { bareForbidden, isScimPath, restError, restJson } from './http.ts';
import { SCOPE_ENDPOINTS, type ErrorAnswer, type NetskopeSimulatorSettings } from './settings.ts';

/** Who is calling: the SCIM token, or one REST API v2 token and its scopes. */
export type Caller = { kind: 'scim'; token: string } | { kind: 'rest'; token: string; scopes: readonly string[] };

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The token a request carries: `Netskope-Api-Token: <t>`, else `Authorization: Bearer <t>`. */
export function presentedToken(c: Context): string | undefined {
  const own = c.req.header('netskope-api-token')?.trim();
  if (own) return own;
  const [scheme, credentials] = (c.req.header('authorization') ?? '').trim().split(/\s+/, 2);
  return scheme?.toLowerCase() === 'bearer' && credentials ? credentials : undefined;
}

export function classify(token: string, settings: NetskopeSimulatorSettings): Caller | undefined {
  if (same(token, settings.scimToken)) return { kind: 'scim', token };
  const rest = settings.restTokens.find((t) => same(token, t.token));
  return rest ? { kind: 'rest', token, scopes: rest.scopes } : undefined;
}

/** Whether one granted endpoint (a path, or a prefix ending in /) covers a request path. */
function covers(endpoint: string, path: string): boolean {
  const e = endpoint.toLowerCase();
  const p = path.toLowerCase();
  return e.endsWith('/') ? p.startsWith(e) : p === e || p.startsWith(`${e}/`);
}

const DISCOVERY = /^\/api\/v2\/scim\/(ServiceProviderConfig|ResourceTypes|Schemas)(\/|$)/i;

/**
 * Whether a caller may reach a path: the legacy SCIM token reaches SCIM and nothing else; a REST
 * API v2 token reaches the endpoints it was granted (SCIM discovery with any SCIM endpoint).
 */
export function mayReach(caller: Caller, path: string): boolean {
  const scim = isScimPath(path);
  if (caller.kind === 'scim') return scim;
  const endpoints = caller.scopes.flatMap((scope) => SCOPE_ENDPOINTS[scope] ?? (scope.startsWith('/') ? [scope] : []));
  if (scim && DISCOVERY.test(path)) return endpoints.some((e) => isScimPath(e));
  return endpoints.some((e) => covers(e, path));
}

/** The caller's address, IPv4-mapped IPv6 written as IPv4. */
function remoteAddress(c: Context<SimulatorEnv>): string | undefined {
  const address = (c.env as SimulatorEnv['Bindings'] | undefined)?.incoming?.socket?.remoteAddress;
  return address?.replace(/^::ffff:/, '');
}

/** Netskope's 429 body (no Retry-After unless the setting adds one). */
function rateLimited(headers: Record<string, string>, retryAfterInBody?: number): Response {
  const body: Record<string, unknown> = { message: 'API rate limit exceeded' };
  if (retryAfterInBody !== undefined) body['Retry-After'] = `${retryAfterInBody} seconds`;
  return new Response(JSON.stringify(body), { status: 429, headers: { 'content-type': 'application/json', ...headers } });
}

/**
 * Netskope's front door for every /api/v2 request: token auth — a token without the endpoint
 * asked, a revoked token, an address off the IP allow list (and, if set, a token nobody issued)
 * all get the same bare 403, no body — per-token rate limiting with `ratelimit-*` headers, then
 * any configured 200-with-error answers. Only then does the request reach SCIM or REST routes.
 */
export function netskopeGate(settings: NetskopeSimulatorSettings): MiddlewareHandler<SimulatorEnv> {
  const limiters = new Map<string, WindowLimiter>();
  let limiterKey = '';

  const refuse = (scim: boolean, status: number, message: string): Response =>
    scim
      ? new Response(JSON.stringify(new ScimError(status, message).toJSON()), { status, headers: { 'content-type': 'application/scim+json' } })
      : restError(status, [message], status === 401 ? 'Unauthorized' : 'General Error');

  return async (c, next) => {
    const path = c.req.path;
    const scim = isScimPath(path);
    const token = presentedToken(c);
    if (!token) return refuse(scim, 401, 'Missing API token: send it in the Netskope-Api-Token header');
    if (settings.ipAllowList) {
      const from = remoteAddress(c);
      if (!from || !settings.ipAllowList.includes(from)) return bareForbidden();
    }
    if (settings.revokedTokens.some((revoked) => same(token, revoked))) return bareForbidden();
    const caller = classify(token, settings);
    if (!caller) return settings.invalidToken === 'bare-403' ? bareForbidden() : refuse(scim, 401, 'Invalid API token');
    if (!mayReach(caller, path)) return bareForbidden();

    const limit = settings.rateLimit;
    let headers: Record<string, string> = {};
    if (limit) {
      const wanted = `${limit.requests}/${limit.perMs}`;
      if (wanted !== limiterKey) {
        limiters.clear();
        limiterKey = wanted;
      }
      let limiter = limiters.get(caller.token);
      if (!limiter) limiters.set(caller.token, (limiter = new WindowLimiter(limit.requests, limit.perMs)));
      const now = Date.now();
      const wait = limiter.take(now);
      const state = limiter.state(now);
      headers = { 'ratelimit-limit': String(limit.requests), 'ratelimit-remaining': String(state.remaining), 'ratelimit-reset': String(state.resetSeconds) };
      if (wait !== null) {
        const form = retryForm(limit, wait);
        if (form.kind === 'body') return rateLimited(headers, form.seconds);
        return rateLimited({ ...retryAfterHeaders(form, now), ...headers });
      }
    }

    const injected = takeErrorAnswer(settings, c.req.method, path);
    if (injected) {
      const body = injected.form === 'ok-0' ? { ok: 0, error: injected.errors?.[0] ?? 'Internal error, please retry' } : { status: 'error', errorCode: injected.errorCode ?? 'General Error', errors: injected.errors ?? ['Internal error, please retry'] };
      const res = restJson(body, 200);
      for (const [name, value] of Object.entries(headers)) res.headers.set(name, value);
      return res;
    }

    await next();
    for (const [name, value] of Object.entries(headers)) c.res.headers.set(name, value);
  };
}

/** The first configured error answer matching this call, counting it down. */
function takeErrorAnswer(settings: NetskopeSimulatorSettings, method: string, path: string): ErrorAnswer | undefined {
  const index = settings.errorAnswers.findIndex(
    (a) => (a.method === undefined || a.method.toUpperCase() === method.toUpperCase()) && (a.pathIncludes === undefined || path.includes(a.pathIncludes)) && (a.count === undefined || a.count > 0),
  );
  if (index < 0) return undefined;
  const answer = settings.errorAnswers[index];
  if (answer?.count !== undefined) {
    answer.count -= 1;
    if (answer.count <= 0) settings.errorAnswers.splice(index, 1);
  }
  return answer;
}
