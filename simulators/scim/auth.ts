import { timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { SimulatorEnv } from '../shared/server.ts';
import { scimErrorResponse } from './http.ts';
import { ScimError } from './protocol.ts';
import type { ScimSimulatorSettings } from './settings.ts';

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Whether an Authorization header carries the configured bearer token or Basic credentials. */
export function authorized(header: string | undefined, settings: ScimSimulatorSettings): boolean {
  if (!header) return false;
  const [scheme, credentials = ''] = header.trim().split(/\s+/, 2);
  switch (scheme?.toLowerCase()) {
    case 'bearer':
      return same(credentials, settings.token);
    case 'basic': {
      if (!settings.basic) return false;
      const decoded = Buffer.from(credentials, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0) return false;
      // Evaluate both comparisons, so timing does not tell which one failed.
      const user = same(decoded.slice(0, colon), settings.basic.username);
      const pass = same(decoded.slice(colon + 1), settings.basic.password);
      return user && pass;
    }
    default:
      return false;
  }
}

/** 401 with a SCIM error body unless the request is authenticated. */
export function authMiddleware(settings: ScimSimulatorSettings): MiddlewareHandler<SimulatorEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization');
    if (authorized(header, settings)) return next();
    const detail = header ? 'Invalid credentials' : 'Authorization required';
    const challenge = settings.basic ? 'Bearer realm="scim", Basic realm="scim"' : 'Bearer realm="scim"';
    return scimErrorResponse(new ScimError(401, detail), { 'www-authenticate': challenge });
  };
}
