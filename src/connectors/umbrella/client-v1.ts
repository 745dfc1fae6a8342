import { z } from 'zod';
import { RosterError } from '../../errors.ts';
import { HttpClient, type HttpClientOptions, type HttpRequest, type HttpResponse } from '../http/client.ts';
import { errorDetail, httpError } from '../http/errors.ts';
import type { UmbrellaUserRecord } from './mapping.ts';

const userSchema = z
  .object({
    id: z.number().int(),
    email: z.string(),
    name: z.string().optional(),
    firstname: z.string().optional(),
    lastname: z.string().optional(),
    role: z.string().optional(),
    roleId: z.number().int().optional(),
    timezone: z.string().optional(),
    status: z.string().optional(),
    organizationId: z.number().int().optional(),
    twoFactorEnable: z.boolean().optional(),
  })
  .loose();
const organizationsSchema = z.array(z.object({ organizationId: z.number().int(), organizationName: z.string().optional() }).loose());
const rolesSchema = z.array(z.object({ roleId: z.number().int(), label: z.string() }).loose());

export type V1Organization = z.infer<typeof organizationsSchema>[number];
export interface UmbrellaRole {
  roleId: number;
  label: string;
}

/** What roster says when a Management API v1 call is refused with a bare 403. */
export const WRONG_V1_KEY = 'this needs a Management API key; a Reporting key is refused without a reason (Admin > API Keys > Management API)';

/** A v1 create body, in either form the sources show. */
export type V1CreateBody = { name: string; email: string; role: string } | { firstname: string; lastname: string; email: string; password: string; roleId: number; timezone: string };

/**
 * The HttpClient with v1's ways of failing read right: a 403 with nothing in it is a key of the
 * wrong kind, said in plain words.
 */
class UmbrellaV1Http extends HttpClient {
  override async request(req: HttpRequest): Promise<HttpResponse> {
    const caller = req.accept ?? [];
    const res = await super.request({ ...req, accept: caller.includes(403) ? caller : [...caller, 403] });
    if (res.status === 403 && !caller.includes(403)) {
      const url = this.url(req.path, req.query);
      const label = `${url.pathname}${url.search}`;
      if (errorDetail(res.body) === undefined) {
        throw new RosterError('forbidden', `${this.appName}: ${req.method} ${label} answered 403 with no reason: ${WRONG_V1_KEY}`, { appName: this.appName, method: req.method, path: label, status: 403, wrongKeyKind: true });
      }
      throw httpError(this.appName, req.method, label, 403, res.body);
    }
    return res;
  }
}

/** The Management API v1 (`https://management.api.umbrella.com/v1`), typed, every answer checked. */
export class UmbrellaV1Client {
  readonly http: HttpClient;

  constructor(options: HttpClientOptions) {
    this.http = new UmbrellaV1Http(options);
  }

  async organizations(): Promise<V1Organization[]> {
    const res = await this.http.request({ method: 'GET', path: '/organizations' });
    return this.#check(organizationsSchema, res.body, 'GET /organizations');
  }

  async roles(org: number): Promise<UmbrellaRole[]> {
    const res = await this.http.request({ method: 'GET', path: `/organizations/${org}/roles` });
    return this.#check(rolesSchema, res.body, 'GET /organizations/{org}/roles');
  }

  /** One page of users (an array, no total). */
  async users(org: number, page: number, limit: number, priority?: number): Promise<UmbrellaUserRecord[]> {
    const res = await this.http.request({ method: 'GET', path: `/organizations/${org}/users`, query: { page, limit }, priority });
    return this.#check(z.array(userSchema), res.body, 'GET /organizations/{org}/users');
  }

  async user(org: number, id: string, priority?: number): Promise<UmbrellaUserRecord | undefined> {
    const res = await this.http.request({ method: 'GET', path: `/organizations/${org}/users/${encodeURIComponent(id)}`, accept: [404], priority });
    return res.status === 404 ? undefined : this.#check(userSchema, res.body, 'GET /organizations/{org}/users/{id}');
  }

  async create(org: number, body: V1CreateBody, priority?: number): Promise<UmbrellaUserRecord> {
    const res = await this.http.request({ method: 'POST', path: `/organizations/${org}/users`, body, priority });
    return this.#check(userSchema, res.body, 'POST /organizations/{org}/users');
  }

  /** PUT: a full replace — send every field, or it resets. */
  async replace(org: number, id: string, body: Record<string, unknown>, priority?: number): Promise<UmbrellaUserRecord> {
    const res = await this.http.request({ method: 'PUT', path: `/organizations/${org}/users/${encodeURIComponent(id)}`, body, priority });
    return this.#check(userSchema, res.body, 'PUT /organizations/{org}/users/{id}');
  }

  async delete(org: number, id: string, priority?: number): Promise<void> {
    await this.http.request({ method: 'DELETE', path: `/organizations/${org}/users/${encodeURIComponent(id)}`, priority });
  }

  #check<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
    const parsed = schema.safeParse(body);
    if (parsed.success) return parsed.data;
    const problem = parsed.error.issues[0];
    throw new RosterError('invalid_response', `${this.http.appName}: ${what} answered something roster cannot read (${problem?.path.join('.') || 'body'}: ${problem?.message})`);
  }
}
