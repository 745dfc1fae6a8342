import { setTimeout as sleep } from 'node:timers/promises';
import { vendorExcerpt } from '../../core/redact.ts';
import { RosterError } from '../../errors.ts';
import { backoffDelay } from '../http/backoff.ts';
import { HttpClient, type HttpClientOptions, type HttpRequest, type HttpResponse } from '../http/client.ts';
import { httpError } from '../http/errors.ts';
import { BARE_403_ON_REST, BARE_403_ON_SCIM, netskopeManifest } from './manifest.ts';

/** Which Netskope API a client talks to: it decides what a bare 403 means. */
export type NetskopeApi = 'scim' | 'rest';

/**
 * What a 200 body says when it is really a failure: `{"status":"error","errorCode","errors"}` or
 * `{"ok":0}`. Undefined for a body that is not one.
 */
export function errorInBody(body: unknown): string | undefined {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const b = body as Record<string, unknown>;
  const failed = (typeof b['status'] === 'string' && b['status'].toLowerCase() === 'error') || b['ok'] === 0 || b['ok'] === '0' || b['ok'] === false;
  if (!failed) return undefined;
  return netskopeDetail(b) ?? 'no reason given';
}

/** Netskope's own words from an error body: errorCode plus errors[], or message / error. */
function netskopeDetail(b: Record<string, unknown>): string | undefined {
  const errors = Array.isArray(b['errors']) ? b['errors'].map((e) => (typeof e === 'string' ? e : JSON.stringify(e))) : [];
  const single = [b['detail'], b['message'], b['error']].find((v): v is string => typeof v === 'string' && v.trim() !== '');
  const words = [...errors, ...(single ? [single] : [])].join('; ');
  const code = typeof b['errorCode'] === 'string' ? b['errorCode'] : undefined;
  const text = [code, words].filter(Boolean).join(': ');
  return text === '' ? undefined : vendorExcerpt(text);
}

export interface NetskopeHttpClientOptions extends HttpClientOptions {
  api: NetskopeApi;
}

/**
 * The shared HttpClient with Netskope's ways of failing read right: a 403 with an empty body is
 * explained with every cause it can have (Netskope names none), and an HTTP 200 whose body says `status: error`
 * or `ok: 0` is a failure (a read is tried again a couple of times; a write never).
 */
export class NetskopeHttpClient extends HttpClient {
  readonly api: NetskopeApi;
  readonly #backoffBaseMs: number;

  constructor(options: NetskopeHttpClientOptions) {
    const { api, ...rest } = options;
    super({ contentType: api === 'scim' ? netskopeManifest.contentType : 'application/json', ...rest });
    this.api = api;
    this.#backoffBaseMs = options.backoffBaseMs ?? 250;
  }

  override async request(req: HttpRequest): Promise<HttpResponse> {
    const callerAccepts = req.accept ?? [];
    const handled = [400, 403].filter((s) => !callerAccepts.includes(s));
    const url = this.url(req.path, req.query);
    const label = `${url.pathname}${url.search}`;
    const attempts = req.method === 'GET' ? netskopeManifest.errorBodyReadAttempts : 1;
    for (let attempt = 1; ; attempt += 1) {
      const res = await super.request({ ...req, accept: [...callerAccepts, ...handled] });
      if (handled.includes(res.status)) throw this.#refusal(req.method, label, res);
      const failure = res.status >= 200 && res.status < 300 ? errorInBody(res.body) : undefined;
      if (failure === undefined) return res;
      if (attempt < attempts) {
        await sleep(backoffDelay(attempt, this.#backoffBaseMs, 5_000));
        continue;
      }
      const tail = req.method === 'GET' ? `, ${attempts} times` : '; roster does not assume it was done';
      throw new RosterError('app_error', `${this.appName}: ${req.method} ${label} answered 200 but its body reports a failure (${failure})${tail}`, {
        appName: this.appName,
        method: req.method,
        path: label,
        status: res.status,
        errorInBody: true,
        attempts: attempt,
      });
    }
  }

  #refusal(method: string, label: string, res: HttpResponse): RosterError {
    const empty = res.body === undefined || (typeof res.body === 'string' && res.body.trim() === '');
    if (res.status === 403 && empty) {
      const why = this.api === 'scim' ? BARE_403_ON_SCIM : BARE_403_ON_REST;
      return new RosterError('forbidden', `${this.appName}: ${method} ${label} answered 403 with no body: ${why}`, {
        appName: this.appName,
        method,
        path: label,
        status: 403,
        bare403: true,
      });
    }
    const detail = res.body && typeof res.body === 'object' && !Array.isArray(res.body) ? netskopeDetail(res.body as Record<string, unknown>) : undefined;
    return httpError(this.appName, method, label, res.status, detail ? { message: detail } : res.body);
  }
}
