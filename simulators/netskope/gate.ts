import { timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { retryAfterHeaders } from '../shared/faults.ts';
import { WindowLimiter } from '../shared/rate-limit.ts';
import type { SimulatorEnv } from '../shared/server.ts';
import { ScimError } from '../scim/protocol.ts';
import { retryForm } from '../scim/throttle.ts';
import { bareForbidden, isScimPath, restError, restJson } from './http.ts';
import type { ErrorAnswer, NetskopeSimulatorSettings } from './settings.ts';

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

/** The REST scope a REST v2 path needs, or undefined for paths this simulator does not serve. */
function scopeFor(path: string): string | undefined {
  if (path.startsWith('/api/v2/events/')) return 'events';
  return undefined;
}

/**
 * Netskope's front door for every /api/v2 request: token auth by kind (a token of the wrong kind
 * gets a bare 403, no body), per-token rate limiting with `ratelimit-*` headers, then any
 * configured 200-with-error answers. Only then does the request reach SCIM or REST routes.
 */
export function netskopeGate(settings: NetskopeSimulatorSettings): MiddlewareHandler<SimulatorEnv> {
  const limiters = new Map<string, WindowLimiter>();
  let limiterKey = '';

  const refuse = (scim: boolean, status: number, message: string, headers: Record<string, string> = {}): Response =>
    scim
      ? new Response(JSON.stringify(new ScimError(status, message).toJSON()), { status, headers: { 'content-type': 'application/scim+json', ...headers } })
      : restError(status, [message], status === 429 ? 'Too Many Requests' : status === 401 ? 'Unauthorized' : 'General Error', headers);

  return async (c, next) => {
    const path = c.req.path;
    const scim = isScimPath(path);
    const token = presentedToken(c);
    if (!token) return refuse(scim, 401, 'Missing API token: send it in the Netskope-Api-Token header');
    const caller = classify(token, settings);
    if (!caller) return refuse(scim, 401, 'Invalid API token');

    if (scim) {
      const restAllowed = caller.kind === 'rest' && settings.restTokensOnScim && caller.scopes.includes('scim');
      if (caller.kind !== 'scim' && !restAllowed) return bareForbidden();
    } else {
      if (caller.kind !== 'rest') return bareForbidden();
      const scope = scopeFor(path);
      if (scope && !caller.scopes.includes(scope)) return restError(403, [`This token lacks the '${scope}' scope needed for ${path}`], 'Forbidden');
    }

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
        const extra = form.kind === 'body' ? {} : retryAfterHeaders(form, now);
        const res = refuse(scim, 429, 'Too many requests: rate limit exceeded for this token', { ...extra, ...headers });
        if (form.kind !== 'body') return res;
        const body = (await res.json()) as Record<string, unknown>;
        return new Response(JSON.stringify({ ...body, 'Retry-After': `${form.seconds} seconds` }), { status: 429, headers: res.headers });
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
