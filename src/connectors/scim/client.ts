import { z } from 'zod';
import { RosterError } from '../../errors.ts';
import { SCIM } from '../../scim/schemas.ts';
import type { HttpClient } from '../http/client.ts';
import type { ScimResource } from './mapping.ts';

const listResponseSchema = z.object({
  totalResults: z.number().int().nonnegative(),
  startIndex: z.number().int().optional(),
  itemsPerPage: z.number().int().optional(),
  Resources: z.array(z.record(z.string(), z.unknown())).optional(),
});

export type ListResponse = z.infer<typeof listResponseSchema>;

const resourceSchema = z.record(z.string(), z.unknown()).refine((r) => typeof r.id === 'string' && r.id !== '', 'a SCIM resource must carry an id');

const serviceProviderConfigSchema = z
  .object({ filter: z.object({ supported: z.boolean().optional(), maxResults: z.number().int().positive().optional() }).partial().optional() })
  .loose();

export type ResourceType = 'Users' | 'Groups';

/** The SCIM 2.0 API of one app, typed, every answer checked before roster trusts it. */
export class ScimClient {
  readonly http: HttpClient;

  constructor(http: HttpClient) {
    this.http = http;
  }

  /** The largest page the app says it serves, if it says (absent discovery is not an error). */
  async maxPageSize(): Promise<number | undefined> {
    const res = await this.http.request({ method: 'GET', path: '/ServiceProviderConfig', accept: [404, 501] });
    if (res.status !== 200) return undefined;
    const parsed = serviceProviderConfigSchema.safeParse(res.body);
    return parsed.success ? parsed.data.filter?.maxResults : undefined;
  }

  async list(type: ResourceType, params: { startIndex: number; count: number; filter?: string; attributes?: string; excludedAttributes?: string }): Promise<ListResponse> {
    const res = await this.http.request({ method: 'GET', path: `/${type}`, query: { ...params } });
    return this.#check(listResponseSchema, res.body, `GET /${type}`);
  }

  /**
   * Every resource of a type, a page at a time. It advances by what came back, not by what was
   * asked (an app may serve fewer), and stops at totalResults: no request for an empty last page.
   */
  async *pages(type: ResourceType, params: { count: number; attributes?: string }): AsyncIterable<{ resources: ScimResource[]; total: number }> {
    let startIndex = 1;
    for (;;) {
      const page = await this.list(type, { startIndex, ...params });
      const resources = page.Resources ?? [];
      yield { resources, total: page.totalResults };
      startIndex += resources.length;
      if (resources.length === 0 || startIndex > page.totalResults) return;
    }
  }

  async get(type: ResourceType, id: string): Promise<ScimResource | undefined> {
    const res = await this.http.request({ method: 'GET', path: `/${type}/${encodeURIComponent(id)}`, accept: [404] });
    return res.status === 404 ? undefined : this.#check(resourceSchema, res.body, `GET /${type}/{id}`);
  }

  /** The ids of a group's members (asked for explicitly: some apps leave members out unless asked). */
  async groupMembers(groupId: string): Promise<string[]> {
    const res = await this.http.request({ method: 'GET', path: `/Groups/${encodeURIComponent(groupId)}`, query: { attributes: 'members' } });
    const group = this.#check(resourceSchema, res.body, 'GET /Groups/{id}');
    const members = Array.isArray(group.members) ? (group.members as { value?: unknown }[]) : [];
    return members.map((m) => String(m.value));
  }

  async create(type: ResourceType, resource: ScimResource): Promise<ScimResource> {
    const res = await this.http.request({ method: 'POST', path: `/${type}`, body: resource });
    return this.#check(resourceSchema, res.body, `POST /${type}`);
  }

  async replace(type: ResourceType, id: string, resource: ScimResource): Promise<ScimResource> {
    const res = await this.http.request({ method: 'PUT', path: `/${type}/${encodeURIComponent(id)}`, body: { ...resource, id } });
    return this.#check(resourceSchema, res.body, `PUT /${type}/{id}`);
  }

  /** PATCH; answers the resource, fetching it when the app replies 204 with no body. */
  async patch(type: ResourceType, id: string, operations: readonly unknown[]): Promise<ScimResource> {
    const res = await this.http.request({ method: 'PATCH', path: `/${type}/${encodeURIComponent(id)}`, body: { schemas: [SCIM.patchOp], Operations: operations } });
    if (res.status === 204 || res.body === undefined) {
      const fresh = await this.get(type, id);
      if (!fresh) throw new RosterError('not_found', `${this.http.appName}: ${type} ${id} vanished after PATCH`);
      return fresh;
    }
    return this.#check(resourceSchema, res.body, `PATCH /${type}/{id}`);
  }

  async delete(type: ResourceType, id: string): Promise<void> {
    await this.http.request({ method: 'DELETE', path: `/${type}/${encodeURIComponent(id)}` });
  }

  #check<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
    const parsed = schema.safeParse(body);
    if (parsed.success) return parsed.data;
    const problem = parsed.error.issues[0];
    throw new RosterError('invalid_response', `${this.http.appName}: ${what} answered something that is not SCIM (${problem?.path.join('.') || 'body'}: ${problem?.message})`);
  }
}
