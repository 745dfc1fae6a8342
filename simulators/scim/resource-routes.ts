import { Hono, type Context } from 'hono';
import type { SimulatorEnv } from '../shared/server.ts';
import { applyPatch, ScimError, type Filter, type PatchOptions } from './protocol.ts';
import { checkIfMatch, etagListMatches, readJsonBody, scimJson } from './http.ts';
import { listResources, parseListQuery, pathListParam, searchParams, type ListParams } from './listing.ts';
import type { NormalizedBody, NormalizeOptions } from './normalize.ts';
import { etagOf, patchable, project, type Projection, type RenderContext, type Resource } from './render.ts';
import type { ScimSimulatorSettings } from './settings.ts';
import { notFound, type ScimStore, type StoredResource } from './store.ts';

/** What differs between /Users and /Groups; the routes themselves are shared. */
export interface ResourceKind {
  type: 'User' | 'Group';
  coreSchema: string;
  extensionSchemas: readonly string[];
  all(store: ScimStore): readonly StoredResource[];
  get(store: ScimStore, id: string): StoredResource | undefined;
  normalize(body: unknown, options: NormalizeOptions & { requireSchemas?: boolean }): NormalizedBody;
  create(store: ScimStore, body: NormalizedBody): StoredResource;
  replace(store: ScimStore, id: string, body: NormalizedBody): StoredResource;
  remove(store: ScimStore, id: string): boolean;
  render(resource: StoredResource, ctx: RenderContext): Resource;
  /** For filters an index answers (e.g. userName eq): the few resources that can match. */
  candidates?(store: ScimStore, filter: Filter): StoredResource[] | undefined;
  /** Options for the PATCH engine (e.g. which attributes are read-only). */
  patchOptions?: PatchOptions;
}

export interface RouteDeps {
  store: ScimStore;
  settings: ScimSimulatorSettings;
  /** Where the SCIM endpoints live. Default /scim/v2. */
  basePath?: string;
}

export function renderContext(c: Context, deps: RouteDeps): RenderContext {
  const groups = deps.settings.groups && deps.settings.userGroups;
  return { store: deps.store, baseUrl: `${new URL(c.req.url).origin}${deps.basePath ?? '/scim/v2'}`, groups, etags: deps.settings.etags };
}

/** With `groupMembers: 'when-asked'`, a group's members are left out unless `attributes` asks for them. */
function withDefaultExclusions<P extends Projection>(kind: ResourceKind, settings: ScimSimulatorSettings, projection: P): P {
  if (kind.type !== 'Group' || settings.groupMembers !== 'when-asked') return projection;
  if (projection.attributes && projection.attributes.length > 0) return projection;
  return { ...projection, excludedAttributes: [...(projection.excludedAttributes ?? []), ['members']] };
}

/** `requiredUserAttributes`: each dotted path must hold a value, else 400 invalidValue. */
function requireAttributes(attrs: Record<string, unknown>, required: readonly string[]): void {
  const missing = required.filter((path) => {
    let value: unknown = attrs;
    for (const part of path.split('.')) {
      if (!value || typeof value !== 'object' || Array.isArray(value)) return true;
      const key = Object.keys(value).find((k) => k.toLowerCase() === part.toLowerCase());
      value = key === undefined ? undefined : (value as Record<string, unknown>)[key];
    }
    return value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);
  });
  if (missing.length > 0) throw new ScimError(400, `Required attribute${missing.length > 1 ? 's' : ''} missing: ${missing.join(', ')}`, 'invalidValue');
}

/**
 * With `projectedMembers: 'empty'`, a group read whose `attributes` names `members` shows each
 * member as `{}`: the members are counted, but no one can tell who they are.
 */
function emptyProjectedMembers(kind: ResourceKind, settings: ScimSimulatorSettings, projection: Projection, resource: Resource): Resource {
  if (kind.type !== 'Group' || settings.projectedMembers !== 'empty') return resource;
  if (!projection.attributes?.some((path) => path.length === 1 && path[0] === 'members')) return resource;
  if (!Array.isArray(resource['members'])) return resource;
  return { ...resource, members: resource['members'].map(() => ({})) };
}

/** GET (list, one), POST, POST /.search, PUT, PATCH, DELETE for one resource type. */
export function resourceRoutes(kind: ResourceKind, deps: RouteDeps): Hono<SimulatorEnv> {
  const { store, settings } = deps;
  const urns = { core: [kind.coreSchema], extensions: kind.extensionSchemas };
  const app = new Hono<SimulatorEnv>();
  /** Resources deleted since start (for `totalResults: 'counts-deleted'`). */
  let deleted = 0;

  const etagHeaders = (resource: StoredResource): Record<string, string> => (settings.etags ? { etag: etagOf(resource) } : {});
  const projectionOf = (c: Context) =>
    withDefaultExclusions(kind, settings, {
      attributes: pathListParam('attributes', c.req.query('attributes'), urns.extensions, urns.core),
      excludedAttributes: pathListParam('excludedAttributes', c.req.query('excludedAttributes'), urns.extensions, urns.core),
    });
  const existing = (id: string): StoredResource => {
    const resource = kind.get(store, id);
    if (!resource) throw notFound(kind.type, id);
    return resource;
  };
  const answer = (c: Context, resource: StoredResource, status: number, extra: Record<string, string> = {}): Response => {
    const projection = projectionOf(c);
    const body = emptyProjectedMembers(kind, settings, projection, project(kind.render(resource, renderContext(c, deps)), projection));
    return scimJson(body, status, { ...etagHeaders(resource), ...extra });
  };
  const list = (c: Context, params: ListParams): Response => {
    const query = withDefaultExclusions(kind, settings, parseListQuery(params, settings, urns));
    const ctx = renderContext(c, deps);
    const body = listResources(
      query,
      {
        all: kind.all(store),
        candidates: query.filter === undefined ? undefined : kind.candidates?.(store, query.filter),
        render: (r) => kind.render(r, ctx),
      },
      settings,
      deleted,
    );
    return scimJson({ ...body, Resources: body.Resources.map((r) => emptyProjectedMembers(kind, settings, query, r)) });
  };

  app.get('/', (c) => list(c, c.req.query()));
  app.post('/.search', async (c) => list(c, searchParams(await readJsonBody(c))));

  app.get('/:id', (c) => {
    const resource = existing(c.req.param('id'));
    const ifNoneMatch = c.req.header('if-none-match');
    if (settings.etags && ifNoneMatch !== undefined && etagListMatches(ifNoneMatch, etagOf(resource))) {
      return new Response(null, { status: 304, headers: etagHeaders(resource) });
    }
    return answer(c, resource, 200);
  });

  app.post('/', async (c) => {
    const body = kind.normalize(await readJsonBody(c), {});
    if (kind.type === 'User') requireAttributes(body.attrs, settings.requiredUserAttributes);
    const created = kind.create(store, body);
    return answer(c, created, 201, { location: `${renderContext(c, deps).baseUrl}/${kind.type}s/${created.id}` });
  });

  app.put('/:id', async (c) => {
    const id = c.req.param('id');
    const current = existing(id);
    checkIfMatch(c, etagOf(current), settings.etags);
    const body = kind.normalize(await readJsonBody(c), {});
    if (body.id !== undefined && body.id !== id) throw new ScimError(400, `'id' is immutable: the body says ${JSON.stringify(body.id)}, the URL ${id}`, 'mutability');
    return answer(c, kind.replace(store, id, body), 200);
  });

  app.patch('/:id', async (c) => {
    const id = c.req.param('id');
    const current = existing(id);
    checkIfMatch(c, etagOf(current), settings.etags);
    const schemas = [kind.coreSchema, ...kind.extensionSchemas.filter((urn) => urn in current.attrs)];
    const result = applyPatch(patchable(current, schemas), await readJsonBody(c), kind.patchOptions);
    const body = kind.normalize(result, { requireSchemas: false, coerceBooleanStrings: true });
    if (body.id !== id) throw new ScimError(400, "'id' is immutable", 'mutability');
    const updated = kind.replace(store, id, body);
    if (settings.patchStatus === 204) return new Response(null, { status: 204, headers: etagHeaders(updated) });
    return answer(c, updated, 200);
  });

  app.delete('/:id', (c) => {
    const id = c.req.param('id');
    checkIfMatch(c, etagOf(existing(id)), settings.etags);
    kind.remove(store, id);
    deleted += 1;
    return new Response(null, { status: 204 });
  });

  return app;
}
