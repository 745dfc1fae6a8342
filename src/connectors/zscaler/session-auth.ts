import type { Secret } from '../../config/secret.ts';
import { RosterError, isRosterError } from '../../errors.ts';
import type { AuthStrategy } from '../http/auth.ts';
import { HttpClient, type HttpExchange } from '../http/client.ts';
import { zscalerManifest } from './manifest.ts';
import { obfuscateApiKey } from './obfuscate.ts';

export interface ZiaSessionAuthOptions {
  appName: string;
  /** The legacy API base, e.g. https://zsapi.zscalertwo.net/api/v1. */
  baseUrl: string;
  username: string;
  password: Secret;
  /** The raw 12-character API key; only its obfuscation goes on the wire. */
  apiKey: Secret;
  timeoutMs?: number | undefined;
  maxWaitMs?: number | undefined;
  /** Clock for the login timestamp (epoch ms). Default Date.now. */
  now?: () => number;
}

/** A 401 this soon after a login may belong to the session that login replaced. */
const FRESH_MS = 2000;

const noAuth: AuthStrategy = { kind: 'none', headers: () => ({}) };

/**
 * ZIA's legacy session login as an AuthStrategy: logs in on first use (POST /authenticatedSession
 * with the obfuscated key), sends `Cookie: JSESSIONID=…`, logs in again when the app answers 401
 * SESSION_NOT_VALID, and logs out (DELETE /authenticatedSession) on close. Concurrent callers
 * share one login.
 */
export class ZiaSessionAuth implements AuthStrategy {
  readonly kind = 'zscaler-session';
  readonly #options: ZiaSessionAuthOptions;
  readonly #http: HttpClient;
  #session: string | undefined;
  #loggedInAt = 0;
  #pending: Promise<string> | undefined;
  #closed = false;
  /** Logins made so far (for tests and metrics). */
  logins = 0;

  constructor(options: ZiaSessionAuthOptions) {
    this.#options = options;
    // Its own client, with no credentials: the login must not ask this strategy for headers.
    this.#http = new HttpClient({
      appName: options.appName,
      baseUrl: options.baseUrl,
      auth: noAuth,
      contentType: zscalerManifest.contentType,
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.maxWaitMs !== undefined ? { maxWaitMs: options.maxWaitMs } : {}),
    });
  }

  /** Reports the login and logout requests (the API requests are reported by the API's client). */
  observe(observer: (exchange: HttpExchange) => void): () => void {
    return this.#http.observe(observer);
  }

  async headers(): Promise<Record<string, string>> {
    const session = this.#session ?? (await this.#login());
    return { cookie: `${zscalerManifest.session.cookie}=${session}` };
  }

  async renew(): Promise<boolean> {
    if (this.#closed) return false;
    // Several requests may fail on the same dead session; they share one new login.
    if (this.#pending) {
      await this.#pending;
      return true;
    }
    // A login that just finished may already have replaced the session this request died on:
    // ask the app whether the current one lives before making another.
    if (this.#session !== undefined && Date.now() - this.#loggedInAt < FRESH_MS && (await this.#alive(this.#session))) return true;
    if (this.#pending) {
      await this.#pending;
      return true;
    }
    this.#session = undefined;
    await this.#login();
    return true;
  }

  async #alive(session: string): Promise<boolean> {
    const res = await this.#http.request({ method: 'GET', path: zscalerManifest.session.loginPath, headers: { cookie: `${zscalerManifest.session.cookie}=${session}` }, accept: [401] });
    return res.status === 200;
  }

  /** Ends the session on the app. Best effort: a session that cannot be closed dies idle anyway. */
  async close(): Promise<void> {
    this.#closed = true;
    const session = this.#session;
    this.#session = undefined;
    try {
      if (session !== undefined) {
        await this.#http.request({
          method: 'DELETE',
          path: zscalerManifest.session.loginPath,
          headers: { cookie: `${zscalerManifest.session.cookie}=${session}` },
          accept: [401],
        });
      }
    } catch {
      // Logging out is a courtesy; the session expires after five idle minutes.
    } finally {
      await this.#http.close();
    }
  }

  #login(): Promise<string> {
    if (this.#closed) return Promise.reject(new RosterError('auth_failed', `${this.#options.appName}: the ZIA session was closed`));
    this.#pending ??= this.#doLogin().finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  async #doLogin(): Promise<string> {
    const { appName, username } = this.#options;
    const timestamp = (this.#options.now ?? Date.now)();
    let res;
    try {
      res = await this.#http.request({
        method: 'POST',
        path: zscalerManifest.session.loginPath,
        body: { apiKey: obfuscateApiKey(this.#options.apiKey.reveal(), timestamp), username, password: this.#options.password.reveal(), timestamp },
      });
    } catch (error) {
      if (error instanceof RangeError) {
        throw new RosterError('config_invalid', `${appName}: the ZIA API key must have exactly 12 characters (from ${this.#options.apiKey.source})`);
      }
      if (isRosterError(error, 'auth_failed')) {
        throw new RosterError(
          'auth_failed',
          `${appName}: ZIA refused the login for ${username} (AUTHENTICATION_FAILED); check the username, password and API key in roster.yaml, that baseUrl names the tenant's cloud, and this machine's clock`,
          { appName, username },
          { cause: error },
        );
      }
      throw error;
    }
    const session = jsessionFrom(res.headers['set-cookie']);
    if (session === undefined) {
      throw new RosterError('invalid_response', `${appName}: ZIA login answered ${res.status} without a JSESSIONID cookie`, { appName, status: res.status });
    }
    this.#session = session;
    this.#loggedInAt = Date.now();
    this.logins += 1;
    return session;
  }
}

/**
 * The JSESSIONID value from the login answer's Set-Cookie. The shared client joins several
 * Set-Cookie headers with ", "; the first JSESSIONID (with its `;`) is the session.
 */
export function jsessionFrom(setCookie: string | undefined): string | undefined {
  if (!setCookie) return undefined;
  const match = /(?:^|[,\s])JSESSIONID=([^;,\s]+);/.exec(setCookie) ?? /(?:^|[,\s])JSESSIONID=([^;,\s]+)$/.exec(setCookie);
  return match?.[1];
}

/** An AuthStrategy that can report its own requests (the session login does). */
export function isObservableAuth(auth: AuthStrategy): auth is AuthStrategy & { observe(observer: (exchange: HttpExchange) => void): () => void } {
  return typeof (auth as { observe?: unknown }).observe === 'function';
}
