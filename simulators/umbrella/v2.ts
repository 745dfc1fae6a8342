import { randomBytes } from 'node:crypto';
import { Hono, type Context } from 'hono';
import type { SimulatorEnv } from '../shared/server.ts';
import { basicCredentials, EMAIL, intParam, isText, json, message, objectBody, same } from './http.ts';
import type { SlidingWindows } from './limits.ts';
import { V2_ROLES, type UmbrellaSimulatorSettings, type V2Key } from './settings.ts';
import { roleLabel, type UmbrellaState, type UmbrellaUser } from './state.ts';

export const V2_MAX_LIMIT = 100;

export function renderV2(user: UmbrellaUser): Record<string, unknown> {
  return { id: user.id, email: user.email, firstname: user.firstname, lastname: user.lastname, roleId: user.roleId, role: roleLabel(user.roleId), timezone: user.timezone, status: user.status, twoFactorEnable: user.twoFactorEnable };
}

export interface IssuedToken {
  key: string;
  expiresAt: number;
}

/** The API v2 token endpoint: Basic key:secret, form grant_type=client_credentials, its own limit. */
export function tokenRoute(settings: UmbrellaSimulatorSettings, tokens: Map<string, IssuedToken>, limits: SlidingWindows) {
  return async (c: Context<SimulatorEnv>): Promise<Response> => {
    const presented = basicCredentials(c.req.header('authorization'));
    const key = presented && settings.v2Keys.find((k) => same(k.key, presented.key) && same(k.secret, presented.secret));
    if (!key) return json({ error: 'invalid_client' }, 401);
    if (settings.tokenLimit) {
      const wait = limits.take(`token:${key.key}`, [settings.tokenLimit], settings.timeScale);
      if (wait !== null) return message('Too Many Requests', 429, { 'retry-after': String(Math.max(1, Math.ceil(wait / settings.timeScale / 1000))) });
    }
    const type = (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
    const form = new URLSearchParams(await c.req.text());
    if (type !== 'application/x-www-form-urlencoded' || form.get('grant_type') !== 'client_credentials') return json({ error: 'unsupported_grant_type' }, 400);
    const token = randomBytes(24).toString('base64url');
    tokens.set(token, { key: key.key, expiresAt: Date.now() + settings.tokenLifetimeSeconds * 1000 });
    return json({ token_type: 'bearer', access_token: token, expires_in: settings.tokenLifetimeSeconds });
  };
}

/** The scope a v2 request needs. */
export function scopeFor(method: string, path: string): string {
  if (path.includes('/roles')) return 'admin.roles:read';
  return method === 'GET' ? 'admin.users:read' : 'admin.users:write';
}

type V2Env = SimulatorEnv & { Variables: { key: V2Key } };

/**
 * API v2 admin users and roles: a bearer token from /auth/v2/token (expired: 400 invalid_request
 * or 401, a setting), scopes per key (a missing one: a 403 that names nothing), the documented
 * limits per key (429, Retry-After sometimes), no PUT or PATCH.
 */
export function v2Routes(state: UmbrellaState, settings: UmbrellaSimulatorSettings, tokens: Map<string, IssuedToken>, limits: SlidingWindows): Hono<V2Env> {
  const app = new Hono<V2Env>();
  let refusals = 0;
  const orgOf = (key: V2Key) => key.organizationId ?? settings.organizations[0]?.id ?? 0;

  app.use('*', async (c, next) => {
    const [scheme, token = ''] = (c.req.header('authorization') ?? '').trim().split(/\s+/, 2);
    const issued = scheme?.toLowerCase() === 'bearer' ? tokens.get(token) : undefined;
    if (!issued) return message('Unauthorized', 401);
    if (Date.now() >= issued.expiresAt) return settings.expiredTokenStatus === 400 ? json({ error: 'invalid_request' }, 400) : message('Token expired', 401);
    const key = settings.v2Keys.find((k) => k.key === issued.key);
    if (!key) return message('Unauthorized', 401);
    const wait = limits.take(`v2:${key.key}`, settings.v2Limits, settings.timeScale);
    if (wait !== null) {
      refusals += 1;
      const tell = settings.retryAfter === 'always' || (settings.retryAfter === 'sometimes' && refusals % 2 === 1);
      return message('Too Many Requests', 429, tell ? { 'retry-after': String(Math.max(1, Math.ceil(wait / settings.timeScale / 1000))) } : {});
    }
    // A missing scope: 403, and not a word about which.
    if (!key.scopes.includes(scopeFor(c.req.method, c.req.path))) return message('Forbidden', 403);
    c.set('key', key);
    return next();
  });

  app.get('/roles', () => json(V2_ROLES.map((r) => ({ roleId: r.roleId, label: r.label }))));

  app.get('/users', (c) => {
    const page = intParam(c.req.query('page'), 1, 1, Number.MAX_SAFE_INTEGER);
    const limit = intParam(c.req.query('limit'), 100, 1, V2_MAX_LIMIT);
    if (page === undefined) return message('page must be a whole number from 1', 400);
    if (limit === undefined) return message(`limit must be between 1 and ${V2_MAX_LIMIT}`, 400);
    const users = state.usersOf(orgOf(c.get('key')));
    return json(users.slice((page - 1) * limit, page * limit).map(renderV2));
  });

  const userOf = (c: Context<V2Env>): UmbrellaUser | undefined => {
    const user = state.users.get(Number(c.req.param('id')));
    return user && user.organizationId === orgOf(c.get('key')) ? user : undefined;
  };

  app.get('/users/:id', (c) => {
    const user = userOf(c);
    return user ? json(renderV2(user)) : message('User not found', 404);
  });

  app.post('/users', async (c) => {
    const body = await objectBody(c.req);
    if (!body) return message('Request body must be a JSON object', 400);
    if (!isText(body.email) || !EMAIL.test(body.email)) return message('email is required and must be an email address', 400);
    if (!V2_ROLES.some((r) => r.roleId === body.roleId)) return message(`roleId must be one of ${V2_ROLES.map((r) => r.roleId).join(', ')}`, 400);
    const org = orgOf(c.get('key'));
    if (state.byEmail(org, body.email)) return message('Email already in use', 400);
    const former = state.deleted.get(org)?.get(body.email.toLowerCase());
    const onlyEmailAndRole = Object.keys(body).every((k) => k === 'email' || k === 'roleId');
    let user: UmbrellaUser;
    if (former) {
      // A deleted user comes back with {email, roleId} only, names and timezone as they were; the full body is refused.
      if (!onlyEmailAndRole) return message('Email already in use', 400);
      user = state.add(org, { email: body.email, firstname: former.firstname, lastname: former.lastname, name: former.name, roleId: body.roleId as number, timezone: former.timezone, status: settings.invitations === 'accepted' ? 'active' : 'pending' });
    } else {
      for (const field of ['password', 'firstname', 'lastname', 'timezone'] as const) if (!isText(body[field])) return message(`${field} is required`, 400);
      const fields = body as { firstname: string; lastname: string; timezone: string; roleId: number; email: string };
      user = state.add(org, { email: fields.email, firstname: fields.firstname, lastname: fields.lastname, name: `${fields.firstname} ${fields.lastname}`, roleId: fields.roleId, timezone: fields.timezone, status: settings.invitations === 'accepted' ? 'active' : 'pending' });
    }
    return json(renderV2(user), 200);
  });

  app.on(['PUT', 'PATCH'], '/users/:id', () => message('Method Not Allowed', 405));

  app.delete('/users/:id', (c) => {
    const user = userOf(c);
    if (!user) return message('User not found', 404);
    const why = state.undeletable(user);
    if (why) return message(why, 400);
    state.remove(user);
    return new Response(null, { status: 204 });
  });

  app.all('*', (c) => message(`No endpoint ${c.req.method} ${c.req.path}`, 404));
  return app;
}
