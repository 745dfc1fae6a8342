import type { Hono } from 'hono';
import type { SimulatorEnv } from '../shared/server.ts';
import { DEFAULT_READ_ONLY, SCIM } from './protocol.ts';
import { eqLookup, prefilterEq } from './listing.ts';
import { USER_SCHEMA } from './attributes.ts';
import { normalizeUser } from './normalize.ts';
import { renderUser } from './render.ts';
import { resourceRoutes, type ResourceKind, type RouteDeps } from './resource-routes.ts';
import type { StoredResource } from './store.ts';

export const userKind: ResourceKind = {
  type: 'User',
  coreSchema: SCIM.user,
  extensionSchemas: [SCIM.enterpriseUser],
  all: (store) => store.listUsers(),
  get: (store, id) => store.getUser(id),
  normalize: normalizeUser,
  create: (store, body) => store.createUser(body.attrs),
  replace: (store, id, body) => store.replaceUser(id, body.attrs),
  remove: (store, id) => store.deleteUser(id),
  render: renderUser,
  candidates(store, filter): StoredResource[] | undefined {
    const lookup = eqLookup(filter, SCIM.user);
    if (lookup?.attribute === 'username') {
      const user = store.findUserByUserName(lookup.value);
      return user ? [user] : [];
    }
    if (lookup?.attribute === 'id') {
      const user = store.getUser(lookup.value);
      return user ? [user] : [];
    }
    return prefilterEq(store.listUsers(), lookup, USER_SCHEMA.attributes);
  },
  // `groups` is derived from group membership: a PATCH writing it answers 400 mutability.
  patchOptions: { readOnly: [...DEFAULT_READ_ONLY, 'groups'] },
};

/** /Users: list, search, read, create, replace, patch, delete. */
export function userRoutes(deps: RouteDeps): Hono<SimulatorEnv> {
  return resourceRoutes(userKind, deps);
}
