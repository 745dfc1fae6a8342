import { Hono, type Context } from 'hono';
import type { SimulatorEnv } from '../shared/server.ts';
import { basicCredentials, EMAIL, intParam, isText, json, message, objectBody, same } from './http.ts';
import { V1_ROLES, type UmbrellaSimulatorSettings, type V1Key } from './settings.ts';
import { READ_ONLY, roleLabel, type UmbrellaState, type UmbrellaUser } from './state.ts';

export const V1_MAX_LIMIT = 200;

/** A user as v1 renders it, in the configured form. */
export function renderV1(user: UmbrellaUser, form: UmbrellaSimulatorSettings['v1Form']): Record<string, unknown> {
  if (form === 'seed') return { id: user.id, name: user.name, email: user.email, role: roleLabel(user.roleId), organizationId: user.organizationId, status: user.status };
  return {
    id: user.id,
    firstname: user.firstname,
    lastname: user.lastname,
    email: user.email,
    role: roleLabel(user.roleId),
    roleId: user.roleId,
    timezone: user.timezone,
    status: user.status,
    twoFactorEnable: user.twoFactorEnable,
    organizationId: user.organizationId,
  };
}

/** The fields of a v1 create or replace body, in the configured form, or the reason it is refused. */
function fieldsFrom(body: Record<string, unknown>, form: UmbrellaSimulatorSettings['v1Form'], creating: boolean): Omit<UmbrellaUser, 'id' | 'organizationId' | 'status' | 'twoFactorEnable'> | string {
  if (!isText(body.email) || !EMAIL.test(body.email)) return 'email is required and must be an email address';
  if (form === 'seed') {
    if (creating && !isText(body.name)) return 'name is required';
    let roleId = READ_ONLY;
    if (body.role !== undefined || creating) {
      // Case-sensitive: "full admin" is not a role.
      const role = V1_ROLES.find((r) => r.label === body.role);
      if (!role) return `role must be one of ${V1_ROLES.map((r) => r.label).join(', ')}`;
      roleId = role.roleId;
    }
    const name = isText(body.name) ? body.name : '';
    const [firstname = '', ...rest] = name.split(' ');
    return { email: body.email, name, firstname, lastname: rest.join(' '), roleId, timezone: 'UTC' };
  }
  if (creating) {
    for (const field of ['firstname', 'lastname', 'password', 'timezone'] as const) if (!isText(body[field])) return `${field} is required`;
  }
  let roleId = READ_ONLY;
  if (body.roleId !== undefined || creating) {
    if (!V1_ROLES.some((r) => r.roleId === body.roleId)) return `roleId must be one of ${V1_ROLES.map((r) => r.roleId).join(', ')}`;
    roleId = body.roleId as number;
  }
  const firstname = isText(body.firstname) ? body.firstname : '';
  const lastname = isText(body.lastname) ? body.lastname : '';
  return { email: body.email, firstname, lastname, name: [firstname, lastname].filter(Boolean).join(' '), roleId, timezone: isText(body.timezone) ? body.timezone : 'UTC' };
}

/**
 * The Management API v1: HTTP Basic with a Management key (a Reporting key gets a bare 403),
 * organizations, and users under one organization.
 */
export function v1Routes(state: UmbrellaState, settings: UmbrellaSimulatorSettings): Hono<SimulatorEnv> {
  const app = new Hono<SimulatorEnv>();
  const keyOf = (c: Context): V1Key | undefined => {
    const presented = basicCredentials(c.req.header('authorization'));
    if (!presented) return undefined;
    return settings.v1Keys.find((k) => same(k.key, presented.key) && same(k.secret, presented.secret));
  };
  const orgsOf = (key: V1Key) => settings.organizations.filter((o) => !key.organizations || key.organizations.includes(o.id));

  app.use('*', async (c, next) => {
    const key = keyOf(c);
    if (!key) return message('Unauthorized', 401, { 'www-authenticate': 'Basic realm="Umbrella"' });
    // The wrong kind of key fails with nothing to say why.
    if (key.kind !== 'management') return new Response(null, { status: 403 });
    return next();
  });

  app.get('/organizations', (c) => {
    const key = keyOf(c) as V1Key;
    return json(orgsOf(key).map((o) => ({ organizationId: o.id, organizationName: o.name })));
  });

  app.use('/organizations/:org/*', async (c, next) => {
    const key = keyOf(c) as V1Key;
    const org = Number(c.req.param('org'));
    if (!orgsOf(key).some((o) => o.id === org)) return message(`Organization ${c.req.param('org')} not found`, 404);
    return next();
  });

  app.get('/organizations/:org/roles', () => json(V1_ROLES.map((r) => ({ roleId: r.roleId, label: r.label }))));

  app.get('/organizations/:org/users', (c) => {
    const page = intParam(c.req.query('page'), 1, 1, Number.MAX_SAFE_INTEGER);
    const limit = intParam(c.req.query('limit'), 100, 1, V1_MAX_LIMIT);
    if (page === undefined) return message('page must be a whole number from 1', 400);
    if (limit === undefined) return message(`limit must be between 1 and ${V1_MAX_LIMIT}`, 400);
    const users = state.usersOf(Number(c.req.param('org')));
    // An array and nothing else: no total, page until a short page.
    return json(users.slice((page - 1) * limit, page * limit).map((u) => renderV1(u, settings.v1Form)));
  });

  const userIn = (c: Context): UmbrellaUser | undefined => {
    const user = state.users.get(Number(c.req.param('id')));
    return user && user.organizationId === Number(c.req.param('org')) ? user : undefined;
  };

  app.get('/organizations/:org/users/:id', (c) => {
    const user = userIn(c);
    return user ? json(renderV1(user, settings.v1Form)) : message('User not found', 404);
  });

  app.post('/organizations/:org/users', async (c) => {
    const body = await objectBody(c.req);
    if (!body) return message('Request body must be a JSON object', 400);
    const fields = fieldsFrom(body, settings.v1Form, true);
    if (typeof fields === 'string') return message(fields, 400);
    const org = Number(c.req.param('org'));
    if (state.byEmail(org, fields.email)) return message('A user with this email already exists', 400);
    const user = state.add(org, { ...fields, status: settings.invitations === 'accepted' ? 'active' : 'pending' });
    return json(renderV1(user, settings.v1Form), settings.v1Form === 'seed' ? 201 : 200);
  });

  app.put('/organizations/:org/users/:id', async (c) => {
    const user = userIn(c);
    if (!user) return message('User not found', 404);
    const body = await objectBody(c.req);
    if (!body) return message('Request body must be a JSON object', 400);
    // A full replace: what the body leaves out goes back to its default.
    const fields = fieldsFrom(body, settings.v1Form, false);
    if (typeof fields === 'string') return message(fields, 400);
    const other = state.byEmail(user.organizationId, fields.email);
    if (other && other.id !== user.id) return message('A user with this email already exists', 400);
    Object.assign(user, fields);
    return json(renderV1(user, settings.v1Form));
  });

  app.delete('/organizations/:org/users/:id', (c) => {
    const user = userIn(c);
    if (!user) return message('User not found', 404);
    const why = state.undeletable(user);
    if (why) return message(why, 400);
    state.remove(user);
    return new Response(null, { status: 204 });
  });

  app.all('*', (c) => message(`No endpoint ${c.req.method} ${c.req.path}`, 404));
  return app;
}
