import { Agent, request as undiciRequest } from 'undici';
import { systemClock, type Clock } from '../../core/clock.ts';
import { isRosterError, RosterError } from '../../errors.ts';
import type { AuthStrategy } from './auth.ts';
import { backoffDelay } from './backoff.ts';
import { httpError } from './errors.ts';
import type { RateBudget, Release } from './rate-budget.ts';
import { requestPriority } from './request-priority.ts';
import { retryAfterFrom } from './retry-after.ts';

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path below the base URL, e.g. /Users/123. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
  /** Statuses the caller handles itself instead of getting an error (e.g. 404 on a lookup). */
  accept?: readonly number[];
  /** Who goes first when the credential's rate budget makes requests wait (see priorities). */
  priority?: number;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON, or the text when the body is not JSON, or undefined when empty. */
  body: unknown;
}

/** One request on the wire, reported to observers (audit, metrics, benchmarks). Never holds secrets. */
export interface HttpExchange {
  method: string;
  path: string;
  status: number | undefined;
  attempt: number;
  ms: number;
  /** Milliseconds roster will wait before the next attempt, when it retries. */
  waitMs?: number;
  error?: string;
}

export interface HttpClientOptions {
  appName: string;
  baseUrl: string;
  auth: AuthStrategy;
  timeoutMs?: number;
  /** Longest wait roster sits out in place; longer ones fail with rate_limited and the wait in facts. */
  maxWaitMs?: number;
  /** Attempts for 5xx answers and dropped connections. */
  maxAttempts?: number;
  /** Attempts for 429 answers (each waits as told). */
  maxRateLimitAttempts?: number;
  backoffBaseMs?: number;
  backoffCapMs?: number;
  contentType?: string;
  /** The credential's shared rate budget; requests wait their turn in it. */
  budget?: RateBudget | undefined;
  /** Time, for every wait (Retry-After, backoff) and for Retry-After dates. Default the system clock. */
  clock?: Clock | undefined;
  onExchange?: (exchange: HttpExchange) => void;
}

const idempotent = new Set(['GET', 'PUT', 'DELETE']);
const transientStatuses = new Set([500, 502, 503, 504]);

/**
 * The shared HTTP layer: pooled keep-alive connections, credentials from an auth strategy, waits
 * as the app asks (Retry-After in any form), backoff with jitter otherwise, and failures mapped to
 * roster's error codes. Non-idempotent requests are not re-sent after the app may have acted.
 */
export class HttpClient {
  readonly appName: string;
  readonly #base: URL;
  readonly #auth: AuthStrategy;
  readonly #agent: Agent;
  readonly #options: Required<Omit<HttpClientOptions, 'onExchange' | 'appName' | 'baseUrl' | 'auth' | 'budget' | 'clock'>>;
  readonly #budget: RateBudget | undefined;
  /** The client's time: vendor code built on it waits through this too (activation polls, edit-lock waits). */
  readonly clock: Clock;
  readonly #observers: ((exchange: HttpExchange) => void)[] = [];

  constructor(options: HttpClientOptions) {
    this.appName = options.appName;
    this.#base = new URL(options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`);
    this.#auth = options.auth;
    this.#options = {
      timeoutMs: options.timeoutMs ?? 30_000,
      maxWaitMs: options.maxWaitMs ?? 60_000,
      maxAttempts: options.maxAttempts ?? 4,
      maxRateLimitAttempts: options.maxRateLimitAttempts ?? 20,
      backoffBaseMs: options.backoffBaseMs ?? 250,
      backoffCapMs: options.backoffCapMs ?? 10_000,
      contentType: options.contentType ?? 'application/json',
    };
    this.#budget = options.budget;
    this.clock = options.clock ?? systemClock;
    if (options.onExchange) this.#observers.push(options.onExchange);
    this.#agent = new Agent({ keepAliveTimeout: 10_000, connections: 8 });
  }

  observe(observer: (exchange: HttpExchange) => void): () => void {
    this.#observers.push(observer);
    return () => {
      const index = this.#observers.indexOf(observer);
      if (index >= 0) this.#observers.splice(index, 1);
    };
  }

  url(path: string, query?: HttpRequest['query']): URL {
    const url = new URL(path.replace(/^\//, ''), this.#base);
    for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined) url.searchParams.set(key, String(value));
    return url;
  }

  async request(req: HttpRequest): Promise<HttpResponse> {
    const url = this.url(req.path, req.query);
    const label = `${url.pathname}${url.search}`;
    let failures = 0;
    let rateLimited = 0;
    let renewed = false;
    for (let attempt = 1; ; attempt += 1) {
      const release = await this.#waitForBudget(req, label);
      const started = performance.now();
      let response: HttpResponse;
      try {
        response = await this.#send(url, req);
        release();
        this.#budget?.observe(response.headers, req.method);
      } catch (error) {
        release();
        // An auth strategy's own failure (a refused login) is already in roster's words: not a network error.
        if (error instanceof RosterError) throw error;
        const reason = describeNetworkError(error);
        failures += 1;
        // A refused connection never reached the app, so even a POST is safe to send again.
        const safe = idempotent.has(req.method) || isConnectRefused(error);
        const retry = safe && failures < this.#options.maxAttempts;
        const waitMs = retry ? backoffDelay(failures, this.#options.backoffBaseMs, this.#options.backoffCapMs) : undefined;
        this.#emit({ method: req.method, path: label, status: undefined, attempt, ms: performance.now() - started, error: reason, ...(waitMs !== undefined ? { waitMs } : {}) });
        if (!retry) {
          throw new RosterError('app_unreachable', `${this.appName}: cannot reach ${url.origin} (${reason}); check the app's baseUrl and that it is up`, { appName: this.appName, method: req.method, path: label, attempts: attempt });
        }
        await this.clock.sleep(waitMs ?? 0);
        continue;
      }
      const ms = performance.now() - started;
      const { status } = response;
      if (req.accept?.includes(status) || (status >= 200 && status < 300)) {
        this.#emit({ method: req.method, path: label, status, attempt, ms });
        return response;
      }
      if (status === 401 && !renewed && this.#auth.renew) {
        renewed = true;
        this.#emit({ method: req.method, path: label, status, attempt, ms, waitMs: 0 });
        if (await this.#auth.renew()) continue;
      }
      if (status === 429 && rateLimited + 1 < this.#options.maxRateLimitAttempts) {
        rateLimited += 1;
        const told = retryAfterFrom(response.headers, response.body, this.clock.now());
        const asked = told === undefined ? undefined : (this.#budget?.scaleWait(told) ?? told);
        const waitMs = asked ?? backoffDelay(rateLimited, Math.max(this.#options.backoffBaseMs, 500), 60_000);
        if (waitMs > this.#options.maxWaitMs) {
          this.#emit({ method: req.method, path: label, status, attempt, ms });
          throw new RosterError('rate_limited', `${this.appName}: rate limited; the app asks to wait ${Math.ceil(waitMs / 1000)} s, longer than roster waits in place (${Math.ceil(this.#options.maxWaitMs / 1000)} s)`, { appName: this.appName, retryAfterMs: waitMs, path: label });
        }
        this.#emit({ method: req.method, path: label, status, attempt, ms, waitMs });
        this.#budget?.pause(waitMs);
        await this.clock.sleep(waitMs);
        continue;
      }
      if (transientStatuses.has(status) && idempotent.has(req.method)) {
        failures += 1;
        if (failures < this.#options.maxAttempts) {
          const asked = retryAfterFrom(response.headers, response.body, this.clock.now());
          const waitMs = Math.min(asked ?? backoffDelay(failures, this.#options.backoffBaseMs, this.#options.backoffCapMs), this.#options.maxWaitMs);
          this.#emit({ method: req.method, path: label, status, attempt, ms, waitMs });
          await this.clock.sleep(waitMs);
          continue;
        }
      }
      this.#emit({ method: req.method, path: label, status, attempt, ms });
      throw httpError(this.appName, req.method, label, status, response.body, { attempts: attempt });
    }
  }

  /** Waits for the credential's budget; a wait longer than roster sits out is a rate_limited failure to reschedule. */
  async #waitForBudget(req: HttpRequest, label: string): Promise<Release> {
    if (!this.#budget) return () => undefined;
    const delay = this.#budget.delayFor(req.method, req.path);
    if (delay > this.#options.maxWaitMs) {
      throw new RosterError('rate_limited', `${this.appName}: the ${req.method} budget for this credential is spent for ${Math.ceil(delay / 1000)} s`, { appName: this.appName, retryAfterMs: delay, path: label });
    }
    try {
      return await this.#budget.acquire(req.method, req.priority ?? requestPriority(), req.path, this.#options.maxWaitMs);
    } catch (error) {
      if (!isRosterError(error, 'rate_limited')) throw error;
      throw new RosterError('rate_limited', `${this.appName}: ${error.message}`, { appName: this.appName, retryAfterMs: error.facts.retryAfterMs, path: label });
    }
  }

  async close(): Promise<void> {
    await this.#auth.close?.();
    await this.#agent.close();
  }

  async #send(url: URL, req: HttpRequest): Promise<HttpResponse> {
    const headers: Record<string, string> = { accept: `${this.#options.contentType}, application/json`, ...(await this.#auth.headers()), ...req.headers };
    let body: string | undefined;
    if (req.body !== undefined) {
      body = JSON.stringify(req.body);
      headers['content-type'] ??= this.#options.contentType;
    }
    const res = await undiciRequest(url, {
      method: req.method,
      headers,
      body,
      dispatcher: this.#agent,
      headersTimeout: this.#options.timeoutMs,
      bodyTimeout: this.#options.timeoutMs,
    });
    const text = await res.body.text();
    const flat: Record<string, string> = {};
    for (const [key, value] of Object.entries(res.headers)) if (value !== undefined) flat[key] = Array.isArray(value) ? value.join(', ') : value;
    return { status: res.statusCode, headers: flat, body: parseBody(text) };
  }

  #emit(exchange: HttpExchange): void {
    for (const observer of this.#observers) observer(exchange);
  }
}

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function isConnectRefused(error: unknown): boolean {
  return (error as { code?: string }).code === 'ECONNREFUSED';
}

function describeNetworkError(error: unknown): string {
  const e = error as { code?: string; message?: string; cause?: { code?: string } };
  const code = e.code ?? e.cause?.code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND') return 'host not found';
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return 'timed out';
  if (code === 'UND_ERR_SOCKET' || code === 'ECONNRESET') return 'connection dropped';
  return e.message ?? String(error);
}
