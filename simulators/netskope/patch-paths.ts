import type { MiddlewareHandler } from 'hono';
import type { SimulatorEnv } from '../shared/server.ts';
import { ScimError } from '../scim/protocol.ts';
import { NETSKOPE_SCIM_PATH, type NetskopeSimulatorSettings } from './settings.ts';

const resourcePath = new RegExp(`^${NETSKOPE_SCIM_PATH}/(Users|Groups)/[^/]+$`);

/** The attribute paths an operation writes: its `path`, or each key of a pathless value. */
function pathsOf(operation: Record<string, unknown>): string[] {
  if (typeof operation['path'] === 'string') return [operation['path']];
  const value = operation['value'];
  if (!value || typeof value !== 'object' || Array.isArray(value)) return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, inner]) =>
    key.toLowerCase().startsWith('urn:') && inner && typeof inner === 'object' && !Array.isArray(inner) ? Object.keys(inner).map((sub) => `${key}:${sub}`) : [key],
  );
}

/**
 * Netskope's PATCH takes a fixed list of attribute paths per resource (settings `userPatchPaths`,
 * `groupPatchPaths`), compared without case, and no value filters (`members[value eq "x"]`):
 * anything else is 400 invalidPath and nothing changes.
 */
export function patchPathCheck(settings: NetskopeSimulatorSettings): MiddlewareHandler<SimulatorEnv> {
  return async (c, next) => {
    const match = c.req.method === 'PATCH' ? resourcePath.exec(c.req.path) : null;
    if (!match) return next();
    let body: unknown;
    try {
      body = JSON.parse(await c.req.text());
    } catch {
      return next(); // the SCIM layer answers malformed JSON in its own words
    }
    const operations = body && typeof body === 'object' ? (body as Record<string, unknown>)['Operations'] : undefined;
    if (!Array.isArray(operations)) return next();
    const allowed = (match[1] === 'Users' ? settings.userPatchPaths : settings.groupPatchPaths).map((p) => p.toLowerCase());
    for (const operation of operations) {
      if (!operation || typeof operation !== 'object') continue;
      for (const path of pathsOf(operation as Record<string, unknown>)) {
        if (path.includes('[')) throw new ScimError(400, `Value filters are not supported in PATCH paths: '${path}'`, 'invalidPath');
        if (!allowed.includes(path.trim().toLowerCase())) throw new ScimError(400, `Unsupported PATCH path '${path}' for ${match[1]}; supported: ${allowed.join(', ')}`, 'invalidPath');
      }
    }
    return next();
  };
}
