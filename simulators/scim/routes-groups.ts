import type { Hono } from 'hono';
import type { SimulatorEnv } from '../shared/server.ts';
import { SCIM } from './protocol.ts';
import { eqLookup, prefilterEq } from './listing.ts';
import { GROUP_SCHEMA } from './attributes.ts';
import { normalizeGroup } from './normalize.ts';
import { renderGroup } from './render.ts';
import { resourceRoutes, type ResourceKind, type RouteDeps } from './resource-routes.ts';
import type { StoredResource } from './store.ts';

export const groupKind: ResourceKind = {
  type: 'Group',
  coreSchema: SCIM.group,
  extensionSchemas: [],
  all: (store) => store.listGroups(),
  get: (store, id) => store.getGroup(id),
  normalize: normalizeGroup,
  create: (store, body) => store.createGroup(body.attrs),
  replace: (store, id, body) => store.replaceGroup(id, body.attrs),
  remove: (store, id) => store.deleteGroup(id),
  render: renderGroup,
  candidates(store, filter): StoredResource[] | undefined {
    const lookup = eqLookup(filter, SCIM.group);
    if (lookup?.attribute === 'id') {
      const group = store.getGroup(lookup.value);
      return group ? [group] : [];
    }
    return prefilterEq(store.listGroups(), lookup, GROUP_SCHEMA.attributes);
  },
};

/** /Groups: list, search, read, create, replace, patch (members), delete. */
export function groupRoutes(deps: RouteDeps): Hono<SimulatorEnv> {
  return resourceRoutes(groupKind, deps);
}
