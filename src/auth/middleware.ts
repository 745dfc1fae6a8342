// Hono middleware: who is asking (a session cookie or a bearer API/agent token), CSRF for
// cookie-authenticated writes, and a permission gate that answers 401/403 in JSON for API calls
// and a redirect to the sign-in page for pages.
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Database } from '../store/database.ts';
import { can, type Identity, type Permission } from './identity.ts';
import { csrfTokenFor, csrfTokenMatches, defaultSessionSettings, resolveSession, type SessionSettings } from './sessions.ts';
import type { ThrottleSettings } from './throttle.ts';
import { verifyToken } from './tokens.ts';

export const SESSION_COOKIE = 'roster_session';

export interface AuthOptions {
  sessions?: SessionSettings | undefined;
  throttle?: ThrottleSettings | undefined;
  /** The clock (tests move it instead of sleeping). */
  now?: (() => Date) | undefined;
  /** The origin browsers see (behind a TLS proxy); default: the request's own. */
  publicOrigin?: string | undefined;
  /** Requests that need no CSRF token, as `METHOD /path` (sign-in: there is no session yet; Origin is checked there). */
  csrfExempt?: readonly string[] | undefined;
}

export interface AuthVariables {
  /** Who is asking, or undefined when no one signed in. */
  identity: Identity | undefined;
  /** The browser session the request came with (cookie-authenticated requests only). */
  session: { value: string; csrfToken: string } | undefined;
}

/** Type routes with this (or intersect its Variables with your own). */
export type AuthEnv = { Variables: AuthVariables };

const unsafe = (method: string) => !['GET', 'HEAD', 'OPTIONS'].includes(method.toUpperCase());

/** The JSON error shape of roster's API. */
export function apiError(c: Context, status: 401 | 403 | 400 | 404 | 409 | 429, code: string, message: string, headers: Record<string, string> = {}): Response {
  for (const [k, v] of Object.entries(headers)) c.header(k, v);
  return c.json({ error: { code, message } }, status);
}

/** Whether the caller wants a page (a browser navigating), not JSON. */
export function wantsPage(c: Context): boolean {
  if (c.req.path.startsWith('/api/')) return false;
  if (c.req.header('authorization')) return false;
  return (c.req.header('accept') ?? '').includes('text/html');
}

export function requestOrigin(c: Context, options: Pick<AuthOptions, 'publicOrigin'> = {}): string {
  return options.publicOrigin ?? new URL(c.req.url).origin;
}

/** An Origin (or, lacking it, Referer) naming another site; absent headers pass (the token still guards). */
export function crossOrigin(c: Context, options: Pick<AuthOptions, 'publicOrigin'> = {}): boolean {
  const expected = requestOrigin(c, options);
  const origin = c.req.header('origin');
  if (origin !== undefined) return origin !== expected;
  const referer = c.req.header('referer');
  if (referer === undefined) return false;
  try {
    return new URL(referer).origin !== expected;
  } catch {
    return true;
  }
}

async function presentedCsrfToken(c: Context): Promise<string | undefined> {
  const header = c.req.header('x-csrf-token');
  if (header) return header;
  const type = c.req.header('content-type') ?? '';
  if (type.startsWith('application/x-www-form-urlencoded') || type.startsWith('multipart/form-data')) {
    const body = await c.req.parseBody();
    const field = body._csrf;
    return typeof field === 'string' ? field : undefined;
  }
  return undefined;
}

export function setSessionCookie(c: Context, value: string, expiresAt: Date): void {
  setCookie(c, SESSION_COOKIE, value, { httpOnly: true, secure: true, sameSite: 'Lax', path: '/', expires: expiresAt });
}

export function clearSessionCookie(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { httpOnly: true, secure: true, sameSite: 'Lax', path: '/' });
}

/**
 * Sets c.var.identity from `Authorization: Bearer <api or agent token>` or the session cookie.
 * A bearer token carries no ambient authority, so it needs no CSRF token; a cookie does: its
 * unsafe requests need the session's token (x-csrf-token or form field _csrf) and, when the
 * browser names one, a same-origin Origin/Referer — else 403 csrf_failed.
 */
export function authenticate(db: Database, options: AuthOptions = {}): MiddlewareHandler<AuthEnv> {
  const now = options.now ?? (() => new Date());
  const sessions = options.sessions ?? defaultSessionSettings;
  const exempt = new Set(options.csrfExempt ?? []);
  return async (c, next) => {
    c.set('identity', undefined);
    c.set('session', undefined);
    const authorization = c.req.header('authorization');
    if (authorization !== undefined) {
      const bearer = /^bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
      c.set('identity', bearer ? await verifyToken(db, bearer) : undefined);
      return next();
    }
    const value = getCookie(c, SESSION_COOKIE);
    if (!value) return next();
    const live = await resolveSession(db, value, now(), sessions, 'browser');
    if (!live) return next();
    if (unsafe(c.req.method) && !exempt.has(`${c.req.method.toUpperCase()} ${c.req.path}`)) {
      if (crossOrigin(c, options)) return apiError(c, 403, 'csrf_failed', 'cross-origin request refused');
      if (!csrfTokenMatches(value, await presentedCsrfToken(c))) {
        return apiError(c, 403, 'csrf_failed', 'this request needs the session’s CSRF token (header x-csrf-token or form field _csrf); GET /api/session answers it');
      }
    }
    c.set('identity', live.identity);
    c.set('session', { value, csrfToken: csrfTokenFor(value) });
    return next();
  };
}

/** 401 when no one signed in, 403 when the identity may not do this (pages: a redirect to /login). */
export function requirePermission(permission: Permission): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    const identity = c.var.identity;
    if (!identity) {
      if (wantsPage(c)) {
        const url = new URL(c.req.url);
        return c.redirect(`/login?next=${encodeURIComponent(url.pathname + url.search)}`, 303);
      }
      c.header('www-authenticate', 'Bearer realm="roster"');
      return apiError(c, 401, 'unauthenticated', 'sign in first: POST /api/session, or send Authorization: Bearer <api token> (roster token create --kind api)');
    }
    if (!can(identity, permission)) {
      return apiError(c, 403, 'forbidden', `${identity.actor} (${identity.kind === 'agent' ? 'agent' : identity.role}) may not ${permission}`);
    }
    return next();
  };
}
