import type { MiddlewareHandler } from 'hono';
import type { SimulatorEnv } from '../shared/server.ts';
import type { Attributes } from '../scim/normalize.ts';
import { parseFilter, ScimError, type Filter } from '../scim/protocol.ts';
import type { ScimStore } from '../scim/store.ts';
import { ZIA_SCIM_FILTERS, type ZiaScimSimulatorSettings } from './settings.ts';

function filterAttribute(filter: Filter): string | undefined {
  if (filter.kind !== 'compare' || filter.op !== 'eq' || filter.path.schema !== undefined || filter.path.subAttribute !== undefined) return undefined;
  return filter.path.attribute.toLowerCase();
}

/** `filter=` on /Users or /Groups: one `eq` on the attributes ZIA searches, else 400 invalidFilter. */
export function ziaFilters(resource: keyof typeof ZIA_SCIM_FILTERS): MiddlewareHandler<SimulatorEnv> {
  const allowed = ZIA_SCIM_FILTERS[resource];
  const lower = new Set<string>(allowed.map((a) => a.toLowerCase()));
  return async (c, next) => {
    const text = c.req.method === 'GET' ? c.req.query('filter') : undefined;
    if (text === undefined || text.trim() === '') return next();
    let attribute: string | undefined;
    try {
      attribute = filterAttribute(parseFilter(text));
    } catch (error) {
      if (error instanceof ScimError) throw error;
      throw new ScimError(400, `Invalid filter: ${(error as Error).message}`, 'invalidFilter');
    }
    if (attribute === undefined || !lower.has(attribute)) {
      throw new ScimError(400, `Unsupported filter '${text}': ${resource} can be filtered only with ${allowed.map((a) => `${a} eq`).join(', ')}`, 'invalidFilter');
    }
    return next();
  };
}

function memberIds(attrs: Attributes | undefined): string[] {
  const members = Array.isArray(attrs?.['members']) ? (attrs['members'] as { value?: unknown }[]) : [];
  return members.map((m) => String(m.value));
}

/**
 * ZIA's cap on every group write (POST, PUT, PATCH): a user already in `maxGroupsPerUser` groups
 * cannot join another. The write is checked once done (after auth and the rate limit, as the
 * service would) and undone when it broke the cap: 400, and nothing changed.
 */
export function ziaGroupCap(store: () => ScimStore, settings: ZiaScimSimulatorSettings, basePath: string): MiddlewareHandler<SimulatorEnv> {
  const groupPath = new RegExp(`^${basePath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/Groups(?:/([^/]+))?$`);
  return async (c, next) => {
    const match = groupPath.exec(c.req.path);
    if (!match || !['POST', 'PUT', 'PATCH'].includes(c.req.method)) return next();
    const id = match[1];
    const before = id ? store().getGroup(id) : undefined;
    const snapshot = before ? structuredClone(before.attrs) : undefined;
    const was = new Set(memberIds(snapshot));
    await next();
    if (c.res.status < 200 || c.res.status >= 300) return;
    const groupId = id ?? ((await c.res.clone().json().catch(() => ({}))) as { id?: string }).id;
    const after = groupId ? store().getGroup(groupId) : undefined;
    if (!after) return;
    for (const member of memberIds(after.attrs)) {
      if (was.has(member) || store().memberType(member) !== 'User') continue;
      const count = store().groupIdsOf(member).size;
      if (count <= settings.maxGroupsPerUser) continue;
      if (snapshot && id) store().replaceGroup(id, snapshot);
      else store().deleteGroup(after.id);
      const name = store().getUser(member)?.attrs['userName'];
      const error = new ScimError(400, `User ${typeof name === 'string' ? name : member} is already in ${count - 1} groups; ZIA allows at most ${settings.maxGroupsPerUser} groups per user`, 'invalidValue');
      c.res = new Response(JSON.stringify(error.toJSON()), { status: 400, headers: { 'content-type': 'application/scim+json' } });
      return;
    }
  };
}
