import { randomBytes } from 'node:crypto';
import type { Hono, MiddlewareHandler } from 'hono';
import { obfuscateApiKey } from './obfuscate.ts';
import { isProblem, invalid } from './input.ts';
import { problem, readJson, SESSION_NOT_VALID, type ZiaEnv } from './http.ts';
import type { SessionStore } from './sessions.ts';
import { sessionIdFromCookie } from './sessions.ts';
import type { RateLimits } from './limits.ts';

export interface ZiaCredentials {
  username: string;
  password: string;
  /** The raw 12-character API key (clients send its obfuscation, never this). */
  apiKey: string;
}

export interface AuthSettings {
  credentials: ZiaCredentials;
  sessions: SessionStore;
  maxClockSkewMs: number;
  now: () => number;
}

const LOGIN_FAILED = { status: 401, code: 'AUTHENTICATION_FAILED', message: 'Authentication failed' };

function sessionInfo() {
  return { authType: 'ADMIN_LOGIN', obfuscateApiKey: true, passwordExpiryTime: 0, passwordExpiryDays: 0 };
}

/** `POST|GET|DELETE /authenticatedSession` on the legacy prefix. */
export function sessionRoutes(api: Hono<ZiaEnv>, s: AuthSettings): void {
  api.post('/authenticatedSession', async (c) => {
    const body = await readJson(c);
    if (isProblem(body)) return problem(c, body);
    const { apiKey, username, password, timestamp } = body;
    if (typeof apiKey !== 'string' || typeof username !== 'string' || typeof password !== 'string') {
      return problem(c, invalid('apiKey, username and password are required'));
    }
    let ts: number;
    if (typeof timestamp === 'number' && Number.isSafeInteger(timestamp)) ts = timestamp;
    else if (typeof timestamp === 'string' && /^\d{1,16}$/.test(timestamp)) ts = Number(timestamp);
    else return problem(c, invalid('timestamp is required'));
    // Every failure looks the same: no hint at which part was wrong.
    if (Math.abs(s.now() - ts) > s.maxClockSkewMs || ts < 100_000) return problem(c, LOGIN_FAILED);
    const { credentials } = s;
    const ok =
      username.toLowerCase() === credentials.username.toLowerCase() &&
      password === credentials.password &&
      apiKey === obfuscateApiKey(credentials.apiKey, ts);
    if (!ok) return problem(c, LOGIN_FAILED);
    const id = s.sessions.open(username);
    c.header('Set-Cookie', `JSESSIONID=${id}; Path=/; Secure; HttpOnly`);
    c.header('Set-Cookie', `ZS_SESSION_CODE=${randomBytes(8).toString('hex')}; Path=/; Secure; HttpOnly`, { append: true });
    return c.json(sessionInfo());
  });

  api.get('/authenticatedSession', (c) => {
    if (!s.sessions.touch(sessionIdFromCookie(c.req.header('cookie')))) return problem(c, SESSION_NOT_VALID);
    return c.json(sessionInfo());
  });

  api.delete('/authenticatedSession', (c) => {
    const id = sessionIdFromCookie(c.req.header('cookie'));
    if (!s.sessions.touch(id) || id === undefined) return problem(c, SESSION_NOT_VALID);
    s.sessions.close(id);
    return c.body(null, 204);
  });
}

/** Legacy prefix: a live JSESSIONID cookie (idle clock restarts on each request). */
export function requireSession(sessions: SessionStore): MiddlewareHandler<ZiaEnv> {
  return async (c, next) => {
    const id = sessionIdFromCookie(c.req.header('cookie'));
    if (id === undefined || !sessions.touch(id)) return problem(c, SESSION_NOT_VALID);
    c.set('sessionKey', `session:${id}`);
    await next();
  };
}

/** OneAPI prefix: `Authorization: Bearer <token>`; cookies mean nothing here. */
export function requireBearer(token: () => string | undefined): MiddlewareHandler<ZiaEnv> {
  return async (c, next) => {
    const expected = token();
    const m = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '');
    if (expected === undefined || !m || m[1] !== expected) {
      return problem(c, { status: 401, code: 'UNAUTHORIZED', message: 'Invalid or missing bearer token' });
    }
    c.set('sessionKey', `bearer:${expected}`);
    await next();
  };
}

/**
 * Per-session, per-method limits. Every answer carries x-ratelimit-*; a refusal is 429 with
 * (style `header`) `retry-after: N` and `{"message":"Rate Limit (1/SECOND) exceeded","Retry-After":"N seconds"}`,
 * or (style `none`) only `{"message":"Rate Limit (…) exceeded"}`.
 */
export function rateLimit(limits: RateLimits | null, style: 'header' | 'none'): MiddlewareHandler<ZiaEnv> {
  return async (c, next) => {
    const verdict = limits?.take(c.get('sessionKey'), c.req.method, c.req.path.replace(/^\/(?:zia\/)?api\/v1/, ''));
    if (!verdict) return next();
    const { exceeded, headers } = verdict;
    if (exceeded) {
      const message = `Rate Limit (${exceeded.label}) exceeded`;
      if (style === 'none') return c.json({ message }, 429, headers);
      const n = exceeded.retryAfterSeconds;
      return c.json({ message, 'Retry-After': `${n} seconds` }, 429, { ...headers, 'retry-after': String(n) });
    }
    await next();
    for (const [k, v] of Object.entries(headers)) c.header(k, v);
  };
}
