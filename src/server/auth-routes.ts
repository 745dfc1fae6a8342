// Signing in and out: the login page, the JSON session API for scripts, and OIDC sign-in.
import { getConnInfo } from '@hono/node-server/conninfo';
import { Hono, type Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { recordAudit } from '../audit/trail.ts';
import { apiError, authenticate, clearSessionCookie, crossOrigin, setSessionCookie, SESSION_COOKIE, type AuthEnv, type AuthOptions } from '../auth/middleware.ts';
import { createOidcSignIn, type OidcSettings } from '../auth/oidc.ts';
import { revokeSession } from '../auth/sessions.ts';
import { signIn, type SignInResult } from '../auth/sign-in.ts';
import type { Database } from '../store/database.ts';

export interface AuthRouteOptions extends AuthOptions {
  /** OIDC sign-in, when roster.yaml configures it (auth.oidc). */
  oidc?: OidcSettings | undefined;
}

/** Where the sign-in routes need no CSRF token (there is no session yet); Origin is still checked. */
export const signInPaths = ['POST /login', 'POST /api/session'];

/** The client address, when the server knows it (not in in-process tests). */
export function clientAddress(c: Context): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined;
  }
}

/** Only a path on this site: never //evil.example or /\evil.example. */
export function safeNext(next: string | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\') || /\p{Cc}/u.test(next)) return '/';
  return next;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

export function loginPage(options: { next: string; message?: string | undefined; username?: string | undefined; oidc: boolean }): string {
  const message = options.message ? `<p role="alert" id="login-error">${escapeHtml(options.message)}</p>` : '';
  const oidc = options.oidc ? `<p><a href="/auth/oidc/start?next=${encodeURIComponent(options.next)}">Sign in with your identity provider</a></p>` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Sign in · roster</title></head>
<body><main>
<h1>Sign in to roster</h1>
${message}
<form method="post" action="/login">
  <input type="hidden" name="next" value="${escapeHtml(options.next)}">
  <p><label for="username">Username</label><br><input id="username" name="username" autocomplete="username" required value="${escapeHtml(options.username ?? '')}"${options.message ? ' aria-describedby="login-error"' : ''}></p>
  <p><label for="password">Password</label><br><input id="password" name="password" type="password" autocomplete="current-password" required></p>
  <p><button type="submit">Sign in</button></p>
</form>
${oidc}
</main></body></html>`;
}

export function messagePage(title: string, message: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} · roster</title></head>
<body><main><h1>${escapeHtml(title)}</h1><p role="alert">${escapeHtml(message)}</p><p><a href="/login">Back to sign in</a></p></main></body></html>`;
}

const statusOf = (result: Extract<SignInResult, { ok: false }>) => (result.reason === 'locked' ? 429 : result.reason === 'disabled' ? 403 : 401);

/**
 * Puts authentication in front of every route after it (except the SCIM endpoint, which has its
 * own push tokens) and adds the sign-in routes. Call it before mounting routes that need c.var.identity.
 */
export function mountAuth<E extends AuthEnv>(app: Hono<E>, db: Database, options: AuthRouteOptions = {}): void {
  const gate = authenticate(db, { ...options, csrfExempt: [...signInPaths, ...(options.csrfExempt ?? [])] });
  app.use('*', async (c, next) => (c.req.path.startsWith('/scim/') ? next() : gate(c as unknown as Context<AuthEnv>, next)));
  app.route('/', authRoutes(db, options) as unknown as Hono<E>);
}

export function authRoutes(db: Database, options: AuthRouteOptions = {}): Hono<AuthEnv> {
  const now = options.now ?? (() => new Date());
  const routes = new Hono<AuthEnv>();

  const attempt = (c: Context, username: string, password: string) =>
    signIn(db, { username, password, address: clientAddress(c), kind: 'browser', now: now(), sessions: options.sessions, throttle: options.throttle });

  routes.get('/login', (c) => c.html(loginPage({ next: safeNext(c.req.query('next')), oidc: options.oidc !== undefined })));

  routes.post('/login', async (c) => {
    if (crossOrigin(c, options)) return c.html(messagePage('Sign-in refused', 'This sign-in came from another site.'), 403);
    const body = await c.req.parseBody();
    const field = (name: string) => (typeof body[name] === 'string' ? body[name] : '');
    const next = safeNext(field('next'));
    const result = await attempt(c, field('username'), field('password'));
    if (!result.ok) {
      if (result.retryAfterSeconds) c.header('retry-after', String(result.retryAfterSeconds));
      return c.html(loginPage({ next, message: result.message, username: field('username').slice(0, 100), oidc: options.oidc !== undefined }), statusOf(result));
    }
    await endCurrentSession(c);
    setSessionCookie(c, result.session.value, result.session.expiresAt);
    return c.redirect(next, 303);
  });

  routes.post('/logout', async (c) => {
    const ended = await endCurrentSession(c);
    clearSessionCookie(c);
    return wantsJson(c) ? c.json({ signedOut: ended }) : c.redirect('/login', 303);
  });

  routes.post('/api/session', async (c) => {
    if (crossOrigin(c, options)) return apiError(c, 403, 'csrf_failed', 'cross-origin sign-in refused');
    const body = (await c.req.json().catch(() => undefined)) as unknown;
    const { username, password } = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    if (typeof username !== 'string' || typeof password !== 'string') return apiError(c, 400, 'input_invalid', 'send JSON {"username": "...", "password": "..."}');
    const result = await attempt(c, username, password);
    if (!result.ok) {
      const code = result.reason === 'locked' ? 'rate_limited' : result.reason === 'disabled' ? 'forbidden' : 'unauthenticated';
      return apiError(c, statusOf(result), code, result.message, result.retryAfterSeconds ? { 'retry-after': String(result.retryAfterSeconds) } : {});
    }
    await endCurrentSession(c);
    setSessionCookie(c, result.session.value, result.session.expiresAt);
    return c.json({ identity: publicIdentity(result.identity), csrfToken: result.session.csrfToken, expiresAt: result.session.expiresAt.toISOString() });
  });

  routes.get('/api/session', (c) => {
    const identity = c.var.identity;
    if (!identity) return apiError(c, 401, 'unauthenticated', 'not signed in: POST /api/session, or send Authorization: Bearer <api token>');
    return c.json({ identity: publicIdentity(identity), ...(c.var.session ? { csrfToken: c.var.session.csrfToken } : {}) });
  });

  routes.delete('/api/session', async (c) => {
    if (!c.var.session) return apiError(c, 401, 'unauthenticated', 'no session to end (bearer tokens are revoked with roster token revoke)');
    await endCurrentSession(c);
    clearSessionCookie(c);
    return c.json({ signedOut: true });
  });

  if (options.oidc) {
    const oidc = createOidcSignIn(db, options.oidc, { refused: (c, status, title, message) => c.html(messagePage(title, message), status) }, options);
    routes.get('/auth/oidc/start', (c) => oidc.start(c, safeNext(c.req.query('next'))));
    routes.get('/auth/oidc/callback', (c) => oidc.callback(c));
  } else {
    const off = (c: Context) => c.html(messagePage('Single sign-on is off', 'roster.yaml configures no OIDC provider (auth.oidc); sign in with a username and password.'), 404);
    routes.get('/auth/oidc/start', off);
    routes.get('/auth/oidc/callback', off);
  }

  /** Ends the session this request came with, if any (signing in again, signing out). */
  async function endCurrentSession(c: Context<AuthEnv>): Promise<boolean> {
    const value = getCookie(c, SESSION_COOKIE);
    if (!value) return false;
    const ended = await revokeSession(db, value);
    if (ended && c.var.identity) await recordAudit(db, { actor: c.var.identity.actor, action: 'auth.signed_out', target: c.var.identity.actor });
    return ended;
  }

  return routes;
}

const wantsJson = (c: Context) => (c.req.header('accept') ?? '').includes('application/json') && !(c.req.header('accept') ?? '').includes('text/html');

export const publicIdentity = (identity: { kind: string; actor: string; role: string }) => ({ kind: identity.kind, actor: identity.actor, role: identity.role });
