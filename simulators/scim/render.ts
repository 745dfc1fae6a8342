import { SCIM } from './protocol.ts';
import { isObject, type Attributes } from './normalize.ts';
import { membersOf, type ScimStore, type StoredResource } from './store.ts';

export interface RenderContext {
  store: ScimStore;
  /** e.g. http://127.0.0.1:41234/scim/v2 */
  baseUrl: string;
  /** Whether users show their `groups`. */
  groups: boolean;
  etags: boolean;
}

export type Resource = Record<string, unknown>;

export function etagOf(resource: StoredResource): string {
  return `W/"${resource.version}"`;
}

function meta(resourceType: 'User' | 'Group', resource: StoredResource, ctx: RenderContext): Attributes {
  const out: Attributes = {
    resourceType,
    created: resource.created,
    lastModified: resource.lastModified,
    location: `${ctx.baseUrl}/${resourceType}s/${resource.id}`,
  };
  if (ctx.etags) out['version'] = etagOf(resource);
  return out;
}

/** A user as the wire shows it: password left out, groups derived, manager's name filled in. */
export function renderUser(user: StoredResource, ctx: RenderContext): Resource {
  const { password: _password, ...attrs } = user.attrs;
  const enterprise = attrs[SCIM.enterpriseUser];
  const out: Resource = { schemas: enterprise ? [SCIM.user, SCIM.enterpriseUser] : [SCIM.user], id: user.id, ...attrs };
  if (isObject(enterprise) && isObject(enterprise['manager'])) {
    const manager = { ...enterprise['manager'] };
    const managerUser = typeof manager['value'] === 'string' ? ctx.store.getUser(manager['value']) : undefined;
    if (managerUser) {
      manager['$ref'] = `${ctx.baseUrl}/Users/${managerUser.id}`;
      const name = managerUser.attrs['displayName'] ?? managerUser.attrs['userName'];
      manager['displayName'] = name;
    }
    out[SCIM.enterpriseUser] = { ...enterprise, manager };
  }
  if (ctx.groups) {
    const groupIds = ctx.store.groupIdsOf(user.id);
    if (groupIds.size > 0) {
      out['groups'] = [...groupIds].map((id) => ({
        value: id,
        $ref: `${ctx.baseUrl}/Groups/${id}`,
        display: ctx.store.getGroup(id)?.attrs['displayName'],
        type: 'direct',
      }));
    }
  }
  out['meta'] = meta('User', user, ctx);
  return out;
}

export function renderGroup(group: StoredResource, ctx: RenderContext): Resource {
  const out: Resource = { schemas: [SCIM.group], id: group.id, ...group.attrs };
  const members = membersOf(group.attrs);
  if (members.length > 0) {
    out['members'] = members.map(({ value, type }) => {
      const member = type === 'Group' ? ctx.store.getGroup(value) : ctx.store.getUser(value);
      const display = type === 'Group' ? member?.attrs['displayName'] : (member?.attrs['displayName'] ?? member?.attrs['userName']);
      return { value, $ref: `${ctx.baseUrl}/${type}s/${value}`, display, type };
    });
  }
  out['meta'] = meta('Group', group, ctx);
  return out;
}

/** The resource a PATCH works on: stored attributes (password included), no derived ones. */
export function patchable(resource: StoredResource, schemas: string[]): Resource {
  return { schemas, id: resource.id, ...resource.attrs };
}

// ---- attributes / excludedAttributes (RFC 7644 §3.4.2.5) ----

/** Attributes that are returned whatever the client asks ("returned": "always"). */
const ALWAYS = new Set(['id', 'schemas']);

/** Splits an attribute path into lowercase keys; an extension URN prefix becomes the first key. */
export function splitPath(path: string, extensionUrns: readonly string[], coreUrns: readonly string[]): string[] {
  let rest = path.trim().toLowerCase();
  for (const urn of extensionUrns) {
    const lower = urn.toLowerCase();
    if (rest === lower) return [lower];
    if (rest.startsWith(`${lower}:`)) return [lower, ...rest.slice(lower.length + 1).split('.')];
  }
  for (const urn of coreUrns) {
    const lower = urn.toLowerCase();
    if (rest.startsWith(`${lower}:`)) rest = rest.slice(lower.length + 1);
  }
  return rest.split('.');
}

/** Which parts of a resource a list of paths names; `whole` means the attribute and all inside it. */
interface PathTree {
  whole: boolean;
  children: Map<string, PathTree>;
}

function toTree(paths: readonly string[][]): PathTree {
  const root: PathTree = { whole: false, children: new Map() };
  for (const parts of paths) {
    let node = root;
    for (const part of parts) {
      if (node.whole) break;
      let child = node.children.get(part);
      if (!child) node.children.set(part, (child = { whole: false, children: new Map() }));
      node = child;
    }
    node.whole = true;
  }
  return root;
}

function include(value: unknown, tree: PathTree): unknown {
  if (tree.whole) return value;
  if (Array.isArray(value)) return value.map((item) => include(item, tree));
  if (!isObject(value)) return value;
  const out: Resource = {};
  for (const [key, item] of Object.entries(value)) {
    const sub = tree.children.get(key.toLowerCase());
    if (sub) out[key] = include(item, sub);
  }
  return out;
}

function exclude(value: unknown, tree: PathTree, top: boolean): unknown {
  if (Array.isArray(value)) return value.map((item) => exclude(item, tree, false));
  if (!isObject(value)) return value;
  const out: Resource = {};
  for (const [key, item] of Object.entries(value)) {
    const sub = tree.children.get(key.toLowerCase());
    if (!sub || (top && ALWAYS.has(key))) out[key] = item;
    else if (!sub.whole) out[key] = exclude(item, sub, false);
  }
  return out;
}

export interface Projection {
  attributes?: string[][] | undefined;
  excludedAttributes?: string[][] | undefined;
}

/** Applies `attributes` (only those, plus id and schemas) or else `excludedAttributes`. */
export function project(resource: Resource, projection: Projection): Resource {
  if (projection.attributes && projection.attributes.length > 0) {
    return include(resource, toTree([...projection.attributes, ...[...ALWAYS].map((key) => [key])])) as Resource;
  }
  if (projection.excludedAttributes && projection.excludedAttributes.length > 0) {
    return exclude(resource, toTree(projection.excludedAttributes), true) as Resource;
  }
  return resource;
}
