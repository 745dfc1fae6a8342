// A strict OpenID Connect provider for tests and trying roster's single sign-on: discovery, JWKS,
// /authorize (signs in the configured test user at once, no consent page), /token (authorization
// code + PKCE S256 only), /userinfo. It refuses what a real provider refuses: an unregistered
// redirect_uri, a missing or wrong code_verifier, a reused or expired code, a wrong client secret.
import { createHash, generateKeyPairSync, randomBytes, sign, timingSafeEqual, type KeyObject } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { startServer, type SimulatorEnv } from '../shared/server.ts';

export interface OidcUser {
  sub: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
  preferred_username?: string;
}

export interface OidcClient {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
}

export interface OidcSimulatorOptions {
  port?: number;
  clients: OidcClient[];
  users: OidcUser[];
  /** The sub /authorize signs in (default: the first user); a login_hint naming a user's sub or email wins. */
  signInAs?: string;
  codeTtlMs?: number;
}

/** Faults a test switches on to see roster refuse a bad answer. */
export interface OidcFaults {
  /** Put this nonce in the next id_tokens instead of the one asked for. */
  nonce?: string | undefined;
  /** Sign id_tokens with a key not in the JWKS. */
  foreignKey?: boolean | undefined;
}

interface IssuedCode {
  clientId: string;
  redirectUri: string;
  challenge: string;
  nonce: string | undefined;
  scope: string;
  sub: string;
  expiresAt: number;
  used: boolean;
  accessTokens: string[];
}

export interface TokenRequestRecord {
  status: number;
  error?: string | undefined;
}

export interface RunningOidcSimulator {
  issuer: string;
  settings: { clients: OidcClient[]; users: OidcUser[]; signInAs: string | undefined };
  faults: OidcFaults;
  /** Answers of /token, in order (what a test asserts the provider refused). */
  tokenRequests: TokenRequestRecord[];
  close(): Promise<void>;
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');
const random = () => randomBytes(32).toString('base64url');

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function createOidcApp(options: OidcSimulatorOptions, issuerOf: () => string) {
  const settings = { clients: options.clients, users: options.users, signInAs: options.signInAs };
  const faults: OidcFaults = {};
  const tokenRequests: TokenRequestRecord[] = [];
  const codes = new Map<string, IssuedCode>();
  const accessTokens = new Map<string, { sub: string; expiresAt: number }>();
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const foreign = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const kid = createHash('sha256').update(publicKey.export({ format: 'der', type: 'spki' })).digest('base64url').slice(0, 16);
  const codeTtlMs = options.codeTtlMs ?? 60_000;

  const signJwt = (claims: Record<string, unknown>, key: KeyObject) => {
    const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid }));
    const body = b64url(JSON.stringify(claims));
    const signature = sign('RSA-SHA256', Buffer.from(`${header}.${body}`), key).toString('base64url');
    return `${header}.${body}.${signature}`;
  };

  const app = new Hono<SimulatorEnv>();
  app.get('/.well-known/openid-configuration', (c) => {
    const issuer = issuerOf();
    return c.json({
      issuer,
      authorization_endpoint: `${issuer}/authorize`,
      token_endpoint: `${issuer}/token`,
      userinfo_endpoint: `${issuer}/userinfo`,
      jwks_uri: `${issuer}/jwks`,
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      scopes_supported: ['openid', 'email', 'profile'],
      claims_supported: ['sub', 'email', 'email_verified', 'name', 'preferred_username'],
      authorization_response_iss_parameter_supported: true,
    });
  });
  app.get('/jwks', (c) => c.json({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' }] }));

  app.get('/authorize', (c) => {
    const q = (name: string) => c.req.query(name);
    const client = settings.clients.find((x) => x.clientId === q('client_id'));
    if (!client) return c.text('unknown client_id', 400);
    const redirectUri = q('redirect_uri') ?? '';
    // Never redirect to an unregistered address: show the error here, as real providers do.
    if (!client.redirectUris.includes(redirectUri)) return c.text('redirect_uri is not registered for this client', 400);
    const back = (params: Record<string, string | undefined>) => {
      const url = new URL(redirectUri);
      for (const [k, v] of Object.entries({ ...params, state: q('state'), iss: issuerOf() })) if (v !== undefined) url.searchParams.set(k, v);
      return c.redirect(url.toString(), 302);
    };
    if (q('response_type') !== 'code') return back({ error: 'unsupported_response_type', error_description: 'only response_type=code' });
    if (!(q('scope') ?? '').split(' ').includes('openid')) return back({ error: 'invalid_scope', error_description: 'scope must include openid' });
    if (!q('code_challenge') || q('code_challenge_method') !== 'S256') return back({ error: 'invalid_request', error_description: 'PKCE with code_challenge_method=S256 is required' });
    const hint = q('login_hint');
    const user = (hint && settings.users.find((u) => u.sub === hint || u.email === hint)) || settings.users.find((u) => u.sub === settings.signInAs) || settings.users[0];
    if (!user) return back({ error: 'access_denied', error_description: 'no test user to sign in' });
    const code = random();
    codes.set(code, { clientId: client.clientId, redirectUri, challenge: q('code_challenge') ?? '', nonce: q('nonce'), scope: q('scope') ?? 'openid', sub: user.sub, expiresAt: Date.now() + codeTtlMs, used: false, accessTokens: [] });
    return back({ code });
  });

  app.post('/token', async (c) => {
    const refuse = (status: 400 | 401, error: string, description: string) => {
      tokenRequests.push({ status, error });
      if (status === 401) c.header('www-authenticate', 'Basic realm="oidc-simulator"');
      return c.json({ error, error_description: description }, status);
    };
    const form = await c.req.parseBody();
    const field = (name: string) => (typeof form[name] === 'string' ? form[name] : undefined);
    let clientId = field('client_id');
    let secret = field('client_secret');
    const basic = /^Basic\s+(\S+)$/i.exec(c.req.header('authorization') ?? '');
    if (basic?.[1]) {
      const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      clientId = decodeURIComponent(decoded.slice(0, colon));
      secret = decodeURIComponent(decoded.slice(colon + 1));
    }
    const client = settings.clients.find((x) => x.clientId === clientId);
    if (!client || secret === undefined || !safeEqual(secret, client.clientSecret)) return refuse(401, 'invalid_client', 'client authentication failed');
    if (field('grant_type') !== 'authorization_code') return refuse(400, 'unsupported_grant_type', 'only authorization_code');
    const code = codes.get(field('code') ?? '');
    if (!code || code.clientId !== client.clientId) return refuse(400, 'invalid_grant', 'unknown authorization code');
    if (code.used) {
      // A replayed code: refuse it and revoke what it gave (RFC 6749 §4.1.2).
      for (const token of code.accessTokens) accessTokens.delete(token);
      return refuse(400, 'invalid_grant', 'authorization code already used');
    }
    if (Date.now() > code.expiresAt) return refuse(400, 'invalid_grant', 'authorization code expired');
    if (field('redirect_uri') !== code.redirectUri) return refuse(400, 'invalid_grant', 'redirect_uri does not match the authorization request');
    const verifier = field('code_verifier');
    if (!verifier || !/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)) return refuse(400, 'invalid_grant', 'code_verifier missing or malformed');
    if (!safeEqual(createHash('sha256').update(verifier).digest('base64url'), code.challenge)) return refuse(400, 'invalid_grant', 'code_verifier does not match the code_challenge');
    code.used = true;
    const user = settings.users.find((u) => u.sub === code.sub);
    if (!user) return refuse(400, 'invalid_grant', 'the user is gone');
    const now = Math.floor(Date.now() / 1000);
    const accessToken = random();
    accessTokens.set(accessToken, { sub: user.sub, expiresAt: Date.now() + 3600_000 });
    code.accessTokens.push(accessToken);
    const nonce = faults.nonce ?? code.nonce;
    const idToken = signJwt({ iss: issuerOf(), sub: user.sub, aud: client.clientId, iat: now, exp: now + 300, auth_time: now, ...(nonce ? { nonce } : {}), ...claimsOf(user) }, faults.foreignKey ? foreign : privateKey);
    tokenRequests.push({ status: 200 });
    c.header('cache-control', 'no-store');
    return c.json({ access_token: accessToken, token_type: 'Bearer', expires_in: 3600, id_token: idToken, scope: code.scope });
  });

  const userinfo = (c: Context<SimulatorEnv>) => {
    const token = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
    const grant = token ? accessTokens.get(token) : undefined;
    if (!grant || grant.expiresAt < Date.now()) {
      c.header('www-authenticate', 'Bearer error="invalid_token"');
      return c.json({ error: 'invalid_token' }, 401);
    }
    const user = settings.users.find((u) => u.sub === grant.sub);
    return c.json({ sub: grant.sub, ...(user ? claimsOf(user) : {}) });
  };
  app.get('/userinfo', userinfo);
  app.post('/userinfo', userinfo);

  return { app, settings, faults, tokenRequests };
}

function claimsOf(user: OidcUser): Record<string, unknown> {
  const { sub: _sub, ...rest } = user;
  return rest;
}

export async function startOidcSimulator(options: OidcSimulatorOptions): Promise<RunningOidcSimulator> {
  let issuer = '';
  const made = createOidcApp(options, () => issuer);
  const server = await startServer(made.app, options.port ?? 0);
  issuer = server.origin;
  return { issuer, settings: made.settings, faults: made.faults, tokenRequests: made.tokenRequests, close: () => server.close() };
}
