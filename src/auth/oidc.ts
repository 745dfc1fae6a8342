// Single sign-on with an OpenID Connect provider: authorization code with PKCE (S256), state and
// nonce, by openid-client. The browser holds a random value (cookie roster_oidc, 10 minutes); its
// hash finds the state, verifier and nonce in oidc_logins, each used once. The signed-in person
// is mapped to an operator account by the linked subject, else by a verified email matching an
// account not yet linked (which is then linked); anyone else is refused unless autoProvision.
import { createHash, randomBytes } from 'node:crypto';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import * as client from 'openid-client';
import { recordAudit } from '../audit/trail.ts';
import type { Secret } from '../config/secret.ts';
import type { Database } from '../store/database.ts';
import { requestOrigin, setSessionCookie, type AuthOptions } from './middleware.ts';
import { createOperator, identityOfOperator, linkOidc, operatorByOidcSubject, unlinkedOperatorByEmail, type OperatorRow } from './operators.ts';
import { createSession, defaultSessionSettings } from './sessions.ts';
import { normaliseUsername } from './usernames.ts';

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: Secret | string;
  redirectUri?: string | undefined;
  allowedDomains?: readonly string[] | undefined;
  autoProvision?: boolean | undefined;
}

/** OIDC sign-in as the routes use it: start sends the browser to the provider, callback finishes. */
export interface OidcSignIn {
  start(c: Context, next: string): Promise<Response>;
  callback(c: Context): Promise<Response>;
}

export interface OidcPages {
  refused(c: Context, status: 400 | 401 | 403 | 502, title: string, message: string): Response;
}

const LOGIN_COOKIE = 'roster_oidc';
const LOGIN_TTL_MS = 10 * 60_000;
const hashOf = (value: string) => createHash('sha256').update(value).digest('hex');
const isLoopback = (url: URL) => ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);

export function createOidcSignIn(db: Database, settings: OidcSettings, pages: OidcPages, options: AuthOptions = {}): OidcSignIn {
  const now = options.now ?? (() => new Date());
  const issuerUrl = new URL(settings.issuer);
  let discovered: Promise<client.Configuration> | undefined;
  const configuration = () => {
    const secret = typeof settings.clientSecret === 'string' ? settings.clientSecret : settings.clientSecret.reveal();
    // Plain HTTP only to a provider on this machine (the simulator); anything else must be HTTPS.
    discovered ??= client.discovery(issuerUrl, settings.clientId, secret, undefined, isLoopback(issuerUrl) ? { execute: [client.allowInsecureRequests] } : undefined).catch((error: unknown) => {
      discovered = undefined;
      throw error;
    });
    return discovered;
  };
  const redirectUriFor = (c: Context) => settings.redirectUri ?? `${requestOrigin(c, options)}/auth/oidc/callback`;
  const domainAllowed = (email: string) => !settings.allowedDomains || settings.allowedDomains.some((d) => email.toLowerCase().endsWith(`@${d.toLowerCase()}`));
  const fail = async (c: Context, status: 400 | 401 | 403 | 502, message: string, detail: Record<string, unknown> = {}) => {
    await recordAudit(db, { actor: 'anonymous', action: 'auth.sign_in_failed', outcome: 'failed', detail: { via: 'oidc', issuer: settings.issuer, reason: message, ...detail } });
    return pages.refused(c, status, 'Single sign-on failed', message);
  };

  return {
    async start(c, next) {
      const config = await configuration().catch(() => undefined);
      if (!config) return pages.refused(c, 502, 'Single sign-on unavailable', `roster cannot read the identity provider’s configuration at ${settings.issuer}; try again, or sign in with a password`);
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const nonce = client.randomNonce();
      const loginId = randomBytes(32).toString('base64url');
      const at = now();
      await db.query('delete from oidc_logins where created_at < $1', [new Date(at.getTime() - LOGIN_TTL_MS)]);
      await db.query('insert into oidc_logins (id_hash, state, code_verifier, nonce, next_path, created_at) values ($1, $2, $3, $4, $5, $6)', [hashOf(loginId), state, verifier, nonce, next, at]);
      setCookie(c, LOGIN_COOKIE, loginId, { httpOnly: true, secure: true, sameSite: 'Lax', path: '/auth/oidc', maxAge: LOGIN_TTL_MS / 1000 });
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: redirectUriFor(c),
        scope: 'openid email profile',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      });
      return c.redirect(url.toString(), 302);
    },

    async callback(c) {
      const loginId = getCookie(c, LOGIN_COOKIE);
      deleteCookie(c, LOGIN_COOKIE, { path: '/auth/oidc', secure: true, httpOnly: true, sameSite: 'Lax' });
      const [login] = loginId
        ? await db.query<{ state: string; code_verifier: string; nonce: string; next_path: string; created_at: Date }>('delete from oidc_logins where id_hash = $1 returning *', [hashOf(loginId)])
        : [];
      if (!login || now().getTime() - login.created_at.getTime() > LOGIN_TTL_MS) {
        return fail(c, 400, 'this sign-in was not started in this browser, was used already, or took longer than 10 minutes; start again');
      }
      const providerError = c.req.query('error');
      if (providerError) return fail(c, 401, `the identity provider refused: ${providerError}${c.req.query('error_description') ? ` (${c.req.query('error_description')})` : ''}`);
      const config = await configuration().catch(() => undefined);
      if (!config) return fail(c, 502, `roster cannot read the identity provider’s configuration at ${settings.issuer}`);
      const current = new URL(redirectUriFor(c));
      current.search = new URL(c.req.url).search;
      let claims: client.IDToken | undefined;
      try {
        const tokens = await client.authorizationCodeGrant(config, current, { pkceCodeVerifier: login.code_verifier, expectedState: login.state, expectedNonce: login.nonce, idTokenExpected: true });
        claims = tokens.claims();
      } catch (error) {
        return fail(c, 401, describeOidcError(error));
      }
      if (!claims) return fail(c, 401, 'the provider sent no ID token');
      const subject = claims.sub;
      const email = typeof claims.email === 'string' ? claims.email.trim().toLowerCase() : undefined;
      const verified = claims.email_verified === true;

      const issuer = config.serverMetadata().issuer;
      let row = await operatorByOidcSubject(db, issuer, subject);
      if (!row && email && verified && domainAllowed(email)) {
        const byEmail = await unlinkedOperatorByEmail(db, email);
        if (byEmail) {
          await linkOidc(db, byEmail.id, issuer, subject);
          await recordAudit(db, { actor: 'system:oidc', action: 'user.oidc_linked', target: `operator:${byEmail.username}`, detail: { issuer, subject, email } });
          row = { ...byEmail, oidc_issuer: issuer, oidc_subject: subject };
        }
      }
      if (!row && settings.autoProvision && email && verified && domainAllowed(email)) {
        row = await provision(db, issuer, subject, email);
      }
      if (!row) {
        const who = email ?? `subject ${subject}`;
        const why = email && !verified ? ' (the provider has not verified that email)' : email && !domainAllowed(email) ? ' (its email domain is not allowed)' : '';
        return fail(c, 403, `roster has no account for ${who}${why}; ask a roster admin to add one (roster user add <username> --role viewer --email ${email ?? '<email>'})`, { subject, ...(email ? { email } : {}) });
      }
      const identity = identityOfOperator(row);
      if (row.disabled_at !== null) return fail(c, 403, `account ${row.username} is disabled; an admin can enable it`, { subject });
      const session = await createSession(db, row.id, 'browser', now(), options.sessions ?? defaultSessionSettings);
      await recordAudit(db, { actor: identity.actor, action: 'auth.signed_in', target: identity.actor, detail: { via: 'browser', method: 'oidc', issuer: settings.issuer, subject } });
      setSessionCookie(c, session.value, session.expiresAt);
      return c.redirect(login.next_path, 303);
    },
  };
}

async function provision(db: Database, issuer: string, subject: string, email: string): Promise<OperatorRow | undefined> {
  const name = normaliseUsername(email);
  if (!name.ok) return undefined;
  const made = await createOperator(db, { username: name.username, role: 'viewer', email, createdBy: 'system:oidc' }).catch(() => undefined);
  if (!made) return undefined;
  await linkOidc(db, made.id, issuer, subject);
  await recordAudit(db, { actor: 'system:oidc', action: 'user.created', target: `operator:${made.username}`, detail: { role: 'viewer', via: 'oidc auto-provisioning', issuer, subject } });
  const [row] = await db.query<OperatorRow>('select * from operators where id = $1', [made.id]);
  return row;
}

/** What went wrong, for the person and the trail: the provider's error code, or which check failed. Never a token. */
export function describeOidcError(error: unknown): string {
  if (error instanceof client.ResponseBodyError) return `the identity provider refused the code: ${error.error}${error.error_description ? ` (${error.error_description})` : ''}`;
  if (error instanceof client.AuthorizationResponseError) return `the identity provider refused: ${error.error}`;
  // openid-client wraps the precise check (oauth4webapi's message, which names the claim or
  // parameter but never its value) in a general one; the innermost Error says what failed.
  let inner: unknown = error;
  while (inner instanceof Error && inner.cause instanceof Error) inner = inner.cause;
  const message = inner instanceof Error ? inner.message : String(error);
  return `the provider’s answer did not check out: ${message.slice(0, 200)}`;
}
