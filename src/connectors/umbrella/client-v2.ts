import { z } from 'zod';
import { RosterError } from '../../errors.ts';
import { HttpClient, type HttpClientOptions, type HttpRequest, type HttpResponse } from '../http/client.ts';
import { httpError } from '../http/errors.ts';
import type { UmbrellaRole } from './client-v1.ts';
import { umbrellaManifest } from './manifest.ts';
import type { UmbrellaUserRecord } from './mapping.ts';

const userSchema = z
  .object({
    id: z.number().int(),
    email: z.string(),
    firstname: z.string().optional(),
    lastname: z.string().optional(),
    role: z.string().optional(),
    roleId: z.number().int().optional(),
    timezone: z.string().optional(),
    status: z.string().optional(),
    twoFactorEnable: z.boolean().optional(),
  })
  .loose();
const rolesSchema = z.array(z.object({ roleId: z.number().int(), label: z.string() }).loose());

const { scopes, usersPath, rolesPath } = umbrellaManifest.v2;

/** The scope a v2 call needs, to name it when a key without it gets a bare 403. */
export function scopeNeeded(method: string, path: string): string {
  if (path.startsWith(rolesPath)) return scopes.roles;
  return method === 'GET' ? scopes.read : scopes.write;
}

/** Whether an answer is v2's expired-token answer, 400 `{"error":"invalid_request"}`. */
function isExpiredToken(res: HttpResponse): boolean {
  return res.status === 400 && typeof res.body === 'object' && res.body !== null && (res.body as { error?: unknown }).error === 'invalid_request';
}

/**
 * The HttpClient with API v2's ways of failing read right: the expired-token answer (400
 * invalid_request; a 401 is renewed by HttpClient itself) fetches a new token and tries once more,
 * and a bare 403 names the scope the key lacks.
 */
class UmbrellaV2Http extends HttpClient {
  readonly #renew: (() => Promise<boolean>) | undefined;

  constructor(options: HttpClientOptions) {
    super(options);
    this.#renew = options.auth.renew?.bind(options.auth);
  }

  override async request(req: HttpRequest): Promise<HttpResponse> {
    const caller = req.accept ?? [];
    const handled = [400, 403].filter((s) => !caller.includes(s));
    const send = () => super.request({ ...req, accept: [...caller, ...handled] });
    let res = await send();
    if (handled.includes(400) && isExpiredToken(res) && this.#renew && (await this.#renew())) res = await send();
    if (!handled.includes(res.status)) return res;
    const url = this.url(req.path, req.query);
    const label = `${url.pathname}${url.search}`;
    if (res.status === 403) {
      const scope = scopeNeeded(req.method, req.path);
      return this.#fail(new RosterError('forbidden', `${this.appName}: ${req.method} ${label} answered 403: this API key needs the ${scope} scope (Admin > API Keys); Umbrella does not say which scope is missing`, { appName: this.appName, method: req.method, path: label, status: 403, scope }));
    }
    if (isExpiredToken(res)) return this.#fail(new RosterError('auth_failed', `${this.appName}: ${req.method} ${label} answered 400 invalid_request even with a new token; check the API key in roster.yaml`, { appName: this.appName, method: req.method, path: label, status: 400 }));
    return this.#fail(httpError(this.appName, req.method, label, res.status, res.body));
  }

  #fail(error: RosterError): never {
    throw error;
  }
}

/** Umbrella API v2 admin users and roles (`https://api.umbrella.com/admin/v2`), typed, every answer checked. */
export class UmbrellaV2Client {
  readonly http: HttpClient;

  constructor(options: HttpClientOptions) {
    this.http = new UmbrellaV2Http(options);
  }

  async roles(): Promise<UmbrellaRole[]> {
    const res = await this.http.request({ method: 'GET', path: rolesPath });
    return this.#check(rolesSchema, res.body, `GET ${rolesPath}`);
  }

  async users(page: number, limit: number, priority?: number): Promise<UmbrellaUserRecord[]> {
    const res = await this.http.request({ method: 'GET', path: usersPath, query: { page, limit }, priority });
    return this.#check(z.array(userSchema), res.body, `GET ${usersPath}`);
  }

  async user(id: string, priority?: number): Promise<UmbrellaUserRecord | undefined> {
    const res = await this.http.request({ method: 'GET', path: `${usersPath}/${encodeURIComponent(id)}`, accept: [404], priority });
    return res.status === 404 ? undefined : this.#check(userSchema, res.body, `GET ${usersPath}/{id}`);
  }

  /** POST: the full body for a new person, or only `{email, roleId}` to re-create a deleted one. */
  async create(body: { email: string; roleId: number; password?: string; firstname?: string; lastname?: string; timezone?: string }, priority?: number): Promise<UmbrellaUserRecord> {
    const res = await this.http.request({ method: 'POST', path: usersPath, body, priority });
    return this.#check(userSchema, res.body, `POST ${usersPath}`);
  }

  async delete(id: string, priority?: number): Promise<void> {
    await this.http.request({ method: 'DELETE', path: `${usersPath}/${encodeURIComponent(id)}`, priority });
  }

  #check<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
    const parsed = schema.safeParse(body);
    if (parsed.success) return parsed.data;
    const problem = parsed.error.issues[0];
    throw new RosterError('invalid_response', `${this.http.appName}: ${what} answered something roster cannot read (${problem?.path.join('.') || 'body'}: ${problem?.message})`);
  }
}
