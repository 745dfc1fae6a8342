// roster's HTTP app: /scim/v2 (inbound SCIM from Entra ID and Okta), /healthz, /readyz and /metrics.
import { createHash } from 'node:crypto';
import { Hono, type Context } from 'hono';
import type { FanOut } from '../engine/inbound.ts';
import { mcpRoutes, type McpHttpOptions } from '../mcp/http.ts';
import { log } from '../log.ts';
import { ScimError } from '../scim/errors.ts';
import { namesAttribute, project } from '../scim/projection.ts';
import { allSchemas, resourceTypeDocument, resourceTypes, schemaDocument, userResourceType, type ResourceTypeDefinition } from '../scim/resource-schemas.ts';
import { listResponse, SCIM } from '../scim/schemas.ts';
import type { Database } from '../store/database.ts';
import { getGroup, listGroups, listUsers, type Doc } from '../store/directory.ts';
import { touchScimToken, verifyScimToken, type ScimToken } from '../store/scim-tokens.ts';
import { healthRoutes, timeRequests, type Readiness } from './health.ts';
import { checkIfMatch, etagOf, maxResults, notModified, readJson, readSearch, scimErrorResponse, scimJson, type Search, type SearchParameters } from './scim-http.ts';
import { ScimService, type Caller } from './scim-service.ts';
import type { SurfaceOptions } from './surface-options.ts';
import { mountSurfaces } from './surfaces.ts';
import { mountAuth, type AuthRouteOptions } from './auth-routes.ts';
import type { AuthVariables } from '../auth/middleware.ts';

export interface ServerOptions {
  db: Database;
  /** Plans and queues what each accepted change means for the apps; absent: changes are stored only. */
  fanOut?: FanOut | undefined;
  /** How long a verified token is trusted before it is looked up again (revocation takes this long at most). */
  tokenCacheMs?: number;
  /** The configured apps (for the API and dashboard: planning, applying, policy, limits). */
  apps?: SurfaceOptions['apps'] | undefined;
  connectorFor?: SurfaceOptions['connectorFor'];
  /** The queue roster serve's worker works: an apply from the API or dashboard queues onto it. */
  queue?: SurfaceOptions['queue'];
  /** Sign-in, sessions and OIDC (src/server/auth-routes.ts). */
  auth?: AuthRouteOptions | undefined;
  /** What /readyz answers (starting, ready, shutting down); absent: ready once the database answers. */
  readiness?: Readiness | undefined;
  /** Serves MCP at /mcp for agent tokens; absent: no /mcp. */
  mcp?: McpHttpOptions | undefined;
}

type Env = { Variables: { caller: Caller } & AuthVariables };

const SCIM_BASE = '/scim/v2';

export function createServerApp(options: ServerOptions): Hono<Env> {
  const { db } = options;
  const service = new ScimService(db, options.fanOut);
  const tokens = new TokenCache(db, options.tokenCacheMs ?? 5000);
  const app = new Hono<Env>();

  app.onError((error, c) => {
    if (error instanceof ScimError) return scimErrorResponse(c, error);
    // A body or filter too deep for the stack is the caller's mistake, never the server's.
    if (error instanceof RangeError) return scimErrorResponse(c, new ScimError(400, 'the request is nested too deeply', 'invalidSyntax'));
    log.error({ err: error.message, path: c.req.path }, 'request failed');
    return c.req.path.startsWith(SCIM_BASE) ? scimErrorResponse(c, new ScimError(500, 'roster failed to handle the request; nothing was changed')) : c.json({ error: 'internal error' }, 500);
  });
  app.notFound((c) => (c.req.path.startsWith(SCIM_BASE) ? scimErrorResponse(c, new ScimError(404, `no SCIM endpoint ${c.req.method} ${c.req.path}`)) : c.json({ error: 'not found' }, 404)));

  timeRequests(app);
  healthRoutes(app, db, options.readiness);
  mountAuth(app, db, options.auth);

  const scim = new Hono<Env>();
  scim.use('*', async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^bearer\s+(\S+)\s*$/i.exec(header);
    const token = match?.[1] ? await tokens.verify(match[1]) : undefined;
    if (!token) {
      const detail = header === '' ? 'send a roster SCIM token as Authorization: Bearer <token> (roster token create)' : 'the bearer token is not a live roster SCIM token';
      return scimErrorResponse(c, new ScimError(401, detail), { 'www-authenticate': 'Bearer realm="roster"' });
    }
    c.set('caller', { actor: `idp:${token.name}` });
    await next();
  });

  const base = (c: Context) => `${new URL(c.req.url).origin}${SCIM_BASE}`;
  // schemas, id and externalId first and meta last, as people read them (jsonb keeps no order).
  const located = (c: Context, type: ResourceTypeDefinition, doc: Doc): Doc => {
    const { schemas, id, externalId, meta, ...rest } = doc;
    return { schemas, id, ...(externalId === undefined ? {} : { externalId }), ...rest, meta: { ...(meta as object), location: `${base(c)}${type.endpoint}/${String(id)}` } };
  };
  const precondition = (c: Context) => (current: Doc) => checkIfMatch(c, current);
  const single = (c: Context, type: ResourceTypeDefinition, doc: Doc, status = 200): Response => {
    const withLocation = located(c, type, doc);
    const headers: Record<string, string> = { etag: etagOf(doc) };
    if (status === 201) headers.location = String((withLocation.meta as { location: string }).location);
    return scimJson(c, status, projected(c, type, withLocation), headers);
  };
  const projected = (c: Context, type: ResourceTypeDefinition, doc: Doc): Doc => {
    const search = readSearch(type, { attributes: c.req.queries('attributes'), excludedAttributes: c.req.queries('excludedAttributes') });
    return project(doc, search.attributes, search.excluded);
  };

  const search = async (c: Context, type: ResourceTypeDefinition, parameters: SearchParameters) => {
    const s = readSearch(type, parameters);
    const members = wantsMembers(s);
    const result = type === userResourceType ? await listUsers(db, s.query, service.states, service.reads.byUserName) : await listGroups(db, { ...s.query, members });
    const resources = result.resources.map((doc) => project(located(c, type, doc), s.attributes, s.excluded));
    return scimJson(c, 200, listResponse(resources, result.total, s.startIndex));
  };
  const queryParameters = (c: Context): SearchParameters => ({
    filter: c.req.query('filter'),
    startIndex: c.req.query('startIndex'),
    count: c.req.query('count'),
    sortBy: c.req.query('sortBy'),
    sortOrder: c.req.query('sortOrder'),
    attributes: c.req.queries('attributes'),
    excludedAttributes: c.req.queries('excludedAttributes'),
  });
  const searchBody = async (c: Context): Promise<SearchParameters> => {
    const body = await readJson(c);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ScimError(400, 'a search request must be a JSON object', 'invalidSyntax');
    const b = body as Record<string, unknown>;
    const schemas = b.schemas;
    if (!Array.isArray(schemas) || !schemas.includes('urn:ietf:params:scim:api:messages:2.0:SearchRequest')) {
      throw new ScimError(400, '"schemas" must list "urn:ietf:params:scim:api:messages:2.0:SearchRequest"', 'invalidSyntax');
    }
    const text = (key: string): string | undefined => {
      const value = b[key];
      if (value === undefined || value === null) return undefined;
      if (typeof value !== 'string') throw new ScimError(400, `"${key}" must be a string`, 'invalidValue');
      return value;
    };
    const list = (key: string): string | undefined => {
      const value = b[key];
      if (value === undefined || value === null) return undefined;
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw new ScimError(400, `"${key}" must be an array of attribute names`, 'invalidValue');
      return value.join(',');
    };
    return { filter: text('filter'), sortBy: text('sortBy'), sortOrder: text('sortOrder'), startIndex: b.startIndex, count: b.count, attributes: list('attributes'), excludedAttributes: list('excludedAttributes') };
  };

  for (const type of resourceTypes) {
    const isUser = type === userResourceType;
    const get = async (id: string, members: boolean) => (isUser ? (await service.reads.byId(id))?.doc : getGroup(db, id, { members }));
    scim.get(type.endpoint, (c) => search(c, type, queryParameters(c)));
    scim.post(`${type.endpoint}/.search`, async (c) => search(c, type, await searchBody(c)));
    scim.get(`${type.endpoint}/:id`, async (c) => {
      const s = readSearch(type, { attributes: c.req.queries('attributes'), excludedAttributes: c.req.queries('excludedAttributes') });
      const members = wantsMembers(s);
      const doc = await get(c.req.param('id'), members);
      if (!doc) throw new ScimError(404, `no ${type.name} with id "${c.req.param('id')}"`);
      if (notModified(c, doc)) return new Response(null, { status: 304, headers: { etag: etagOf(doc) } });
      return single(c, type, doc);
    });
    scim.post(type.endpoint, async (c) => {
      const body = await readJson(c);
      const doc = isUser ? await service.createUser(body, c.var.caller) : await service.createGroup(body, c.var.caller);
      return single(c, type, doc, 201);
    });
    scim.put(`${type.endpoint}/:id`, async (c) => {
      const body = await readJson(c);
      const id = c.req.param('id');
      const doc = isUser ? await service.replaceUser(id, body, c.var.caller, precondition(c)) : await service.replaceGroup(id, body, c.var.caller, precondition(c));
      return single(c, type, doc);
    });
    scim.patch(`${type.endpoint}/:id`, async (c) => {
      const body = await readJson(c);
      const id = c.req.param('id');
      if (isUser) return single(c, type, await service.patchUser(id, body, c.var.caller, precondition(c)));
      const doc = await service.patchGroup(id, body, c.var.caller, precondition(c));
      // Entra and Okta expect 204 from a group PATCH; a client asking for attributes gets the group.
      if (c.req.query('attributes') === undefined) return new Response(null, { status: 204, headers: { etag: etagOf(doc) } });
      return single(c, type, doc);
    });
    scim.delete(`${type.endpoint}/:id`, async (c) => {
      const id = c.req.param('id');
      if (isUser) await service.deleteUser(id, c.var.caller, precondition(c));
      else await service.deleteGroup(id, c.var.caller, precondition(c));
      return new Response(null, { status: 204 });
    });
  }

  scim.get('/ServiceProviderConfig', (c) => scimJson(c, 200, serviceProviderConfig(base(c))));
  scim.get('/ResourceTypes', (c) => scimJson(c, 200, listResponse(resourceTypes.map((t) => resourceTypeDocument(t, base(c))), resourceTypes.length, 1)));
  scim.get('/ResourceTypes/:name', (c) => {
    const type = resourceTypes.find((t) => t.name === c.req.param('name'));
    if (!type) throw new ScimError(404, `no resource type "${c.req.param('name')}"; roster serves User and Group`);
    return scimJson(c, 200, resourceTypeDocument(type, base(c)));
  });
  scim.get('/Schemas', (c) => scimJson(c, 200, listResponse(allSchemas.map((s) => schemaDocument(s, base(c))), allSchemas.length, 1)));
  scim.get('/Schemas/:id', (c) => {
    const schema = allSchemas.find((s) => s.id.toLowerCase() === c.req.param('id').toLowerCase());
    if (!schema) throw new ScimError(404, `no schema "${c.req.param('id')}"`);
    return scimJson(c, 200, schemaDocument(schema, base(c)));
  });
  // RFC 7644 §3.4.3: a search across every resource type, Users first, then Groups, one paging
  // over both. A type the filter (or attribute list) cannot apply to holds nothing that matches.
  scim.post('/.search', async (c) => {
    const parameters = await searchBody(c);
    const searches: { type: ResourceTypeDefinition; s: ReturnType<typeof readSearch>; total: number }[] = [];
    let refusal: unknown;
    for (const type of resourceTypes) {
      try {
        const s = readSearch(type, parameters);
        const { total } = type === userResourceType ? await listUsers(db, { ...s.query, count: 0 }) : await listGroups(db, { ...s.query, offset: 0, count: 0, members: false });
        searches.push({ type, s, total });
      } catch (error) {
        if (!(error instanceof ScimError) || error.status !== 400) throw error;
        refusal ??= error;
      }
    }
    if (searches.length === 0) throw refusal;
    const first = searches[0]!.s;
    let skip = first.startIndex - 1;
    let room = first.query.count;
    const resources: Doc[] = [];
    for (const { type, s, total } of searches) {
      if (room > 0 && skip < total) {
        const members = wantsMembers(s);
        const query = { ...s.query, offset: skip, count: room };
        const page = type === userResourceType ? await listUsers(db, query, service.states) : await listGroups(db, { ...query, members });
        resources.push(...page.resources.map((doc) => project(located(c, type, doc), s.attributes, s.excluded)));
        room -= page.resources.length;
      }
      skip = Math.max(0, skip - total);
    }
    return scimJson(c, 200, listResponse(resources, searches.reduce((n, x) => n + x.total, 0), first.startIndex));
  });
  scim.post('/Bulk', () => {
    throw new ScimError(501, 'bulk operations are not supported (ServiceProviderConfig bulk.supported is false)');
  });
  scim.get('/Me', () => {
    throw new ScimError(501, '/Me is not supported: a SCIM push token is not a person');
  });

  app.route(SCIM_BASE, scim);
  mountSurfaces(app, { db, apps: options.apps ?? [], connectorFor: options.connectorFor, queue: options.queue });
  if (options.mcp) app.route('/mcp', mcpRoutes(options.mcp));
  return app;
}

function serviceProviderConfig(baseUrl: string): Doc {
  return {
    schemas: [SCIM.serviceProviderConfig],
    documentationUri: 'https://github.com/roster/roster#connect-entra-id--okta',
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults },
    changePassword: { supported: false },
    sort: { supported: true },
    etag: { supported: true },
    authenticationSchemes: [
      { type: 'oauthbearertoken', name: 'OAuth Bearer Token', description: 'A roster SCIM push token (roster token create), sent as Authorization: Bearer <token>', primary: true },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${baseUrl}/ServiceProviderConfig` },
  };
}

/** Verified tokens by the hash of their value, for a few seconds: no database read per request. */
class TokenCache {
  readonly #db: Database;
  readonly #ttlMs: number;
  readonly #entries = new Map<string, { token: ScimToken; until: number }>();
  readonly #touched = new Map<string, number>();

  constructor(db: Database, ttlMs: number) {
    this.#db = db;
    this.#ttlMs = ttlMs;
  }

  async verify(presented: string): Promise<ScimToken | undefined> {
    const key = createHash('sha256').update(presented).digest('hex');
    const now = Date.now();
    const cached = this.#entries.get(key);
    if (cached && cached.until > now) return cached.token;
    const token = await verifyScimToken(this.#db, presented);
    if (!token) {
      this.#entries.delete(key);
      return undefined;
    }
    if (this.#entries.size > 1000) this.#entries.clear();
    this.#entries.set(key, { token, until: now + this.#ttlMs });
    if ((this.#touched.get(token.id) ?? 0) < now - 60_000) {
      this.#touched.set(token.id, now);
      await touchScimToken(this.#db, token.id);
    }
    return token;
  }
}

/** Whether a search's attribute lists ask for a Group's members (they are the costly part). */
function wantsMembers(s: Pick<Search, 'attributes' | 'excluded'>): boolean {
  return !namesAttribute(s.excluded, 'members') && (s.attributes === undefined || namesAttribute(s.attributes, 'members'));
}
