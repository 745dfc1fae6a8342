import { request } from 'undici';
import type { Secret } from '../../config/secret.ts';
import { systemClock, type Clock } from '../../core/clock.ts';
import { RosterError } from '../../errors.ts';
import type { AuthStrategy } from './auth.ts';
import { errorDetail } from './errors.ts';

export interface ClientCredentialsOptions {
  appName: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: Secret;
  scope?: string | undefined;
  timeoutMs?: number | undefined;
  /** Renew this long before the token says it expires. */
  earlyMs?: number | undefined;
  /** Time, for the token's expiry. Default the system clock. */
  clock?: Clock | undefined;
}

/**
 * OAuth2 client credentials (RFC 6749 §4.4), as Umbrella v2 and Zscaler OneAPI use it: a bearer
 * token fetched with the client's id and secret, cached until shortly before it expires, fetched
 * once for all requests waiting on it, and fetched again when the app answers 401.
 */
export function clientCredentialsAuth(options: ClientCredentialsOptions): AuthStrategy {
  let token: { value: string; expiresAt: number } | undefined;
  let pending: Promise<string> | undefined;
  const early = options.earlyMs ?? 30_000;
  const clock = options.clock ?? systemClock;

  const fetchToken = async (): Promise<string> => {
    const body = new URLSearchParams({ grant_type: 'client_credentials', ...(options.scope ? { scope: options.scope } : {}) }).toString();
    const basic = Buffer.from(`${encodeURIComponent(options.clientId)}:${encodeURIComponent(options.clientSecret.reveal())}`).toString('base64');
    let res;
    try {
      res = await request(options.tokenUrl, {
        method: 'POST',
        headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body,
        headersTimeout: options.timeoutMs ?? 30_000,
        bodyTimeout: options.timeoutMs ?? 30_000,
      });
    } catch (error) {
      throw new RosterError('app_unreachable', `${options.appName}: cannot reach the token endpoint ${new URL(options.tokenUrl).origin} (${(error as Error).message})`);
    }
    const text = await res.body.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
    if (res.statusCode !== 200) {
      const detail = errorDetail(parsed);
      const code = res.statusCode === 429 ? 'rate_limited' : res.statusCode >= 500 ? 'app_error' : 'auth_failed';
      throw new RosterError(code, `${options.appName}: the token endpoint answered ${res.statusCode}${detail ? ` (${detail})` : ''}; check the client id and secret in roster.yaml`);
    }
    const answer = parsed as { access_token?: unknown; expires_in?: unknown };
    if (typeof answer.access_token !== 'string' || answer.access_token === '') throw new RosterError('invalid_response', `${options.appName}: the token endpoint answered without an access_token`);
    const lifetime = typeof answer.expires_in === 'number' ? answer.expires_in * 1000 : 3_600_000;
    token = { value: answer.access_token, expiresAt: clock.now() + Math.max(0, lifetime - early) };
    return token.value;
  };

  const current = async (): Promise<string> => {
    if (token && clock.now() < token.expiresAt) return token.value;
    pending ??= fetchToken().finally(() => (pending = undefined));
    return pending;
  };

  return {
    kind: 'oauth2-client-credentials',
    headers: async () => ({ authorization: `Bearer ${await current()}` }),
    async renew() {
      token = undefined;
      await current();
      return true;
    },
  };
}
