import type { Hono } from 'hono';
import type { SimulatorEnv } from '../shared/server.ts';
import type { Attributes, NormalizedBody } from '../scim/normalize.ts';
import { ScimError } from '../scim/protocol.ts';
import { resourceRoutes, type ResourceKind, type RouteDeps } from '../scim/resource-routes.ts';
import { userKind } from '../scim/routes-users.ts';
import type { ScimStore } from '../scim/store.ts';
import { CONSOLE_ATTRIBUTES, type RsaSimulatorSettings } from './settings.ts';

/** Where each user lives: SCIM-provisioned (`'SCIM Managed'`) or created in the console (`'Local'`). */
export type IdentitySource = 'SCIM Managed' | 'Local';

/** Users of a Local identity source, by id (everything else is SCIM managed). */
export class IdentitySources {
  readonly #local = new Set<string>();

  set(id: string, source: IdentitySource): void {
    if (source === 'Local') this.#local.add(id);
    else this.#local.delete(id);
  }

  of(id: string): IdentitySource {
    return this.#local.has(id) ? 'Local' : 'SCIM Managed';
  }

  forget(id: string): void {
    this.#local.delete(id);
  }
}

function workEmail(attrs: Attributes): string | undefined {
  const emails = Array.isArray(attrs['emails']) ? (attrs['emails'] as Record<string, unknown>[]) : [];
  const work = emails.find((e) => typeof e['type'] === 'string' && e['type'].toLowerCase() === 'work' && typeof e['value'] === 'string' && e['value'].trim() !== '');
  return work?.['value'] as string | undefined;
}

/** What the console keeps of a user: the mapped attributes only (name: first and last). */
export function consoleAttributes(attrs: Attributes): Attributes {
  const kept: Attributes = {};
  for (const name of CONSOLE_ATTRIBUTES) if (attrs[name] !== undefined) kept[name] = attrs[name];
  const name = attrs['name'];
  if (name && typeof name === 'object') {
    const { givenName, familyName } = name as Record<string, unknown>;
    const short: Attributes = {};
    if (givenName !== undefined) short['givenName'] = givenName;
    if (familyName !== undefined) short['familyName'] = familyName;
    if (Object.keys(short).length > 0) kept['name'] = short;
    else delete kept['name'];
  }
  return kept;
}

/**
 * RSA's /Users: the strict SCIM simulator's user routes, with RSA's rules on every write (POST,
 * PUT, and the result of a PATCH): a work email is required besides userName, only the console's
 * attributes are kept, and a Local identity source's user cannot be deleted (405).
 */
export function rsaUserRoutes(deps: RouteDeps, settings: RsaSimulatorSettings, sources: IdentitySources): Hono<SimulatorEnv> {
  const normalize: ResourceKind['normalize'] = (body, options) => {
    const normal: NormalizedBody = userKind.normalize(body, options);
    if (!workEmail(normal.attrs)) throw new ScimError(400, 'Required attribute missing: emails[type eq "work"].value', 'invalidValue');
    return settings.attributes === 'console' ? { ...normal, attrs: consoleAttributes(normal.attrs) } : normal;
  };
  const kind: ResourceKind = {
    ...userKind,
    normalize,
    remove(store: ScimStore, id: string): boolean {
      if (sources.of(id) === 'Local') throw new ScimError(405, 'Method Not Allowed: users of a Local identity source cannot be deleted through SCIM');
      sources.forget(id);
      return userKind.remove(store, id);
    },
  };
  return resourceRoutes(kind, deps);
}
