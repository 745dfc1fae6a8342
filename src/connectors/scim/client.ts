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

/** What the app says of itself in /ServiceProviderConfig (nothing, when it has no discovery). */
export interface Discovery {
  /** The largest page it serves (`filter.maxResults`). */
  maxResults: number | undefined;
  /** Whether it filters; undefined when it does not say (RFC 7644 makes filtering optional). */
  filter: boolean | undefined;
}

/** One page of a list, as ScimClient.pages hands it on. */
export interface ResourcePage {
  /** Resources not seen on an earlier page. */
  resources: ScimResource[];
  /** The app's total, or undefined once its totals have proved wrong. */
  total: number | undefined;
}

/** The SCIM 2.0 API of one app, typed, every answer checked before roster trusts it. */
export class ScimClient {
  readonly http: HttpClient;

  constructor(http: HttpClient) {
    this.http = http;
  }

  #discovery: Promise<Discovery> | undefined;

  /** What /ServiceProviderConfig says, read once (absent discovery is not an error). */
  discover(): Promise<Discovery> {
    this.#discovery ??= (async () => {
      const res = await this.http.request({ method: 'GET', path: '/ServiceProviderConfig', accept: [404, 501] });
      const parsed = res.status === 200 ? serviceProviderConfigSchema.safeParse(res.body) : undefined;
      const filter = parsed?.success ? parsed.data.filter : undefined;
      return { maxResults: filter?.maxResults, filter: filter?.supported };
    })();
    this.#discovery.catch(() => (this.#discovery = undefined));
    return this.#discovery;
  }

  /** The largest page the app says it serves, if it says. */
  async maxPageSize(): Promise<number | undefined> {
    return (await this.discover()).maxResults;
  }

  async list(type: ResourceType, params: { startIndex: number; count: number; filter?: string; attributes?: string; excludedAttributes?: string }): Promise<ListResponse> {
    const res = await this.http.request({ method: 'GET', path: `/${type}`, query: { ...params } });
    return this.#check(listResponseSchema, res.body, `GET /${type}`);
  }

  /**
   * Every resource of a type, a page at a time. It advances by what came back, not by what was
   * asked (an app may serve fewer), and stops at totalResults: no request for an empty last page.
   *
   * Broken paging never passes for a whole list. A page answered for another `startIndex` than the
   * one asked, or holding ids already read, means the app does not page: the list is read again in
   * one request as large as the total when the app serves that, else it fails with
   * `invalid_response`. A first page that is full and claims to be everything (`totalResults` equal
   * to the page) is not believed: the read goes on until an empty page. An empty page before the
   * total is reached fails. Each resource is handed on once.
   */
  async *pages(type: ResourceType, params: { count: number; attributes?: string }): AsyncIterable<ResourcePage> {
    const seen = new Set<string>();
    let startIndex = 1;
    /** Once false, the total is not a stopping point: read until an empty page. */
    let totalTrusted = true;
    for (;;) {
      const page = await this.list(type, { startIndex, ...params });
      const resources = page.Resources ?? [];
      const ids = resources.map((r) => String(r.id));
      const repeated = ids.filter((id) => seen.has(id)).length;
      const answeredOther = page.startIndex !== undefined && page.startIndex !== startIndex && resources.length > 0;
      if (answeredOther || repeated > 0) {
        const why = answeredOther
          ? `asked for startIndex=${startIndex}, it answered startIndex=${page.startIndex}${repeated > 0 ? ` with ${repeated} ids it had already sent` : ''}`
          : `asked for startIndex=${startIndex}, it answered ${repeated} of ${resources.length} ids it had already sent`;
        const whole = totalTrusted && page.totalResults > seen.size ? await this.#wholeList(type, params, page.totalResults) : undefined;
        if (!whole) throw this.#brokenPaging(type, why, seen.size, totalTrusted ? page.totalResults : undefined, { answeredStartIndex: page.startIndex, askedStartIndex: startIndex, repeated });
        const fresh = whole.filter((r) => !seen.has(String(r.id)));
        for (const r of fresh) seen.add(String(r.id));
        yield { resources: fresh, total: page.totalResults };
        return;
      }
      for (const id of ids) seen.add(id);
      if (startIndex === 1 && totalTrusted && resources.length > 0 && page.totalResults === resources.length && resources.length >= params.count) {
        // A full first page that says it is everything: true only if the next page is empty.
        totalTrusted = false;
      } else if (totalTrusted && page.totalResults < seen.size) {
        totalTrusted = false;
      }
      if (resources.length === 0 && totalTrusted && page.totalResults > seen.size) {
        throw this.#brokenPaging(type, `it said totalResults=${page.totalResults} but answered an empty page at startIndex=${startIndex}`, seen.size, page.totalResults, { askedStartIndex: startIndex });
      }
      if (resources.length > 0) yield { resources, total: totalTrusted ? page.totalResults : undefined };
      startIndex += resources.length;
      if (resources.length === 0 || (totalTrusted && startIndex > page.totalResults)) return;
    }
  }

  /** The paging fallback for an app that ignores startIndex: every resource in one request, if it serves that many. */
  async #wholeList(type: ResourceType, params: { count: number; attributes?: string }, total: number): Promise<ScimResource[] | undefined> {
    if (total <= params.count) return undefined;
    const page = await this.list(type, { startIndex: 1, ...params, count: total });
    const resources = page.Resources ?? [];
    const unique = new Set(resources.map((r) => String(r.id)));
    return resources.length >= total && unique.size === resources.length ? resources : undefined;
  }

  #brokenPaging(type: ResourceType, why: string, read: number, total: number | undefined, facts: Record<string, unknown>): RosterError {
    const of = total === undefined ? '' : ` of ${total}`;
    return new RosterError(
      'invalid_response',
      `${this.http.appName}: GET /${type} does not page correctly: ${why}; roster read ${read}${of} and will not take that for the whole list`,
      { appName: this.http.appName, path: `/${type}`, brokenPaging: true, read, total, ...facts },
    );
  }

  async get(type: ResourceType, id: string): Promise<ScimResource | undefined> {
    const res = await this.http.request({ method: 'GET', path: `/${type}/${encodeURIComponent(id)}`, accept: [404] });
    return res.status === 404 ? undefined : this.#check(resourceSchema, res.body, `GET /${type}/{id}`);
  }

  /**
   * A group's members as the app answers them: with `projection` (`?attributes=members`, as some
   * apps leave members out unless asked) or the whole group. `unreadable` counts members that came
   * back without a value (a projection answered `[{}, {}]`); `shown` says whether `members` was
   * there at all.
   */
  async groupMembers(groupId: string, options: { projection: boolean }): Promise<{ ids: string[]; unreadable: number; shown: boolean }> {
    const res = await this.http.request({ method: 'GET', path: `/Groups/${encodeURIComponent(groupId)}`, ...(options.projection ? { query: { attributes: 'members' } } : {}) });
    const group = this.#check(resourceSchema, res.body, 'GET /Groups/{id}');
    const members = Array.isArray(group.members) ? (group.members as unknown[]) : [];
    const ids = members.map((m) => (m && typeof m === 'object' ? (m as { value?: unknown }).value : undefined)).filter((v): v is string => typeof v === 'string' && v !== '');
    return { ids, unreadable: members.length - ids.length, shown: Array.isArray(group.members) };
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
