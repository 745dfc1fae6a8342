// An Okta org's management API v1, as a service integration reads it: SSWS API tokens or OAuth2
// access tokens with okta.* scopes, users paged by the Link header (limit at most 200; DEPROVISIONED
// users only when a filter asks), groups and their members, app assignments, `filter=lastUpdated gt`
// incremental reads, and per-endpoint rate limits told in x-rate-limit-* headers (reset in epoch seconds).
import { randomBytes } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { FaultInjector } from '../shared/faults.ts';
import { WindowLimiter } from '../shared/rate-limit.ts';
import { startServer, type SimulatorEnv } from '../shared/server.ts';
import { OKTA_STATUSES, OktaTenant, type OktaGroup, type OktaUser } from './tenant.ts';

export const OKTA_SCOPES = ['okta.users.read', 'okta.groups.read', 'okta.apps.read'] as const;

export interface OktaOAuthClient {
  clientId: string;
  clientSecret: string;
  /** Scopes the org granted this service app. */
  scopes: string[];
}

/** One rate-limit bucket: requests per window, for paths starting with any of `prefixes`. */
export interface OktaRateBucket {
  name: string;
  prefixes: string[];
  limit: number;
  windowMs: number;
}

export interface OktaSimulatorSettings {
  /** API tokens (Authorization: SSWS <token>). */
  apiTokens: string[];
  /** OAuth2 service apps (client credentials at /oauth2/v1/token). */
  oauthClients: OktaOAuthClient[];
  tokenLifetimeSeconds: number;
  /** /api/v1/users: default and largest `limit` (Okta: 200 and 200); a larger limit is cut to the largest, silently. */
  usersLimit: { default: number; max: number };
  groupsLimit: { default: number; max: number };
  groupUsersLimit: { default: number; max: number };
  appUsersLimit: { default: number; max: number };
  /**
   * Per-endpoint buckets (Okta's org-wide limits per API); every answer carries the bucket's
   * x-rate-limit-limit, -remaining and -reset (epoch seconds); over it, 429 E0000047 without
   * Retry-After. undefined: no limits.
   */
  rateLimits: OktaRateBucket[] | undefined;
}

export interface OktaSimulatorOptions extends Partial<OktaSimulatorSettings> {
  port?: number;
}

export interface OktaSimulator {
  app: Hono<SimulatorEnv>;
  tenant: OktaTenant;
  settings: OktaSimulatorSettings;
  faults: FaultInjector;
  requests: { method: string; path: string; status: number }[];
}

export interface RunningOktaSimulator extends OktaSimulator {
  /** Stands for https://<org>.okta.com */
  origin: string;
  port: number;
  close(): Promise<void>;
}

export const DEFAULT_OKTA_RATE_LIMITS: OktaRateBucket[] = [
  { name: 'users', prefixes: ['/api/v1/users'], limit: 600, windowMs: 60_000 },
  { name: 'groups', prefixes: ['/api/v1/groups'], limit: 500, windowMs: 60_000 },
  { name: 'apps', prefixes: ['/api/v1/apps'], limit: 100, windowMs: 60_000 },
  { name: 'token', prefixes: ['/oauth2/v1/token'], limit: 600, windowMs: 60_000 },
];

export function resolveOktaSettings(options: Partial<OktaSimulatorSettings> = {}): OktaSimulatorSettings {
  return {
    apiTokens: options.apiTokens ?? [`00${randomBytes(20).toString('base64url')}`],
    oauthClients: options.oauthClients ?? [],
    tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 3600,
    usersLimit: options.usersLimit ?? { default: 200, max: 200 },
    groupsLimit: options.groupsLimit ?? { default: 10_000, max: 10_000 },
    groupUsersLimit: options.groupUsersLimit ?? { default: 1000, max: 1000 },
    appUsersLimit: options.appUsersLimit ?? { default: 50, max: 500 },
    rateLimits: 'rateLimits' in options ? options.rateLimits : DEFAULT_OKTA_RATE_LIMITS.map((b) => ({ ...b })),
  };
}

type Op = 'eq' | 'gt' | 'ge' | 'lt' | 'le';
interface Term {
  field: string;
  op: Op;
  value: string;
}
/** A filter as Okta reads it: terms `field op "value"` joined by `and` (binding tighter) and `or`; no parentheses. */
type Filter = Term[][];

const isoMillis = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const dateFields = new Set(['lastUpdated', 'lastMembershipUpdated', 'created', 'statusChanged']);

export function parseOktaFilter(text: string, fields: readonly string[]): Filter | string {
  if (/[()]/.test(text)) return 'parentheses are not supported in this filter';
  return text.split(/\s+or\s+/).map((part) =>
    part.split(/\s+and\s+/).map((raw) => {
      const m = /^\s*([A-Za-z.]+)\s+(eq|gt|ge|lt|le)\s+"([^"]*)"\s*$/.exec(raw);
      if (!m) throw new Error(`cannot read "${raw.trim()}"`);
      const [, field = '', op = 'eq', value = ''] = m;
      if (!fields.includes(field)) throw new Error(`filtering on ${field} is not supported`);
      if (dateFields.has(field) && !isoMillis.test(value)) throw new Error(`${field} takes a date as yyyy-MM-ddTHH:mm:ss.SSSZ, not ${value}`);
      if (!dateFields.has(field) && op !== 'eq') throw new Error(`${field} supports only eq`);
      if (field === 'status' && !(OKTA_STATUSES as readonly string[]).includes(value)) throw new Error(`unknown status ${value}`);
      return { field, op: op as Op, value };
    }),
  );
}

function read(object: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), object);
}

function matches(object: unknown, filter: Filter): boolean {
  return filter.some((all) =>
    all.every((t) => {
      const v = read(object, t.field);
      if (typeof v !== 'string') return false;
      switch (t.op) {
        case 'eq':
          return v === t.value;
        case 'gt':
          return v > t.value;
        case 'ge':
          return v >= t.value;
        case 'lt':
          return v < t.value;
        case 'le':
          return v <= t.value;
      }
      return false;
    }),
  );
}

export function createOktaSimulator(options: Partial<OktaSimulatorSettings> = {}): OktaSimulator {
  const settings = resolveOktaSettings(options);
  const tenant = new OktaTenant();
  const faults = new FaultInjector();
  const requests: OktaSimulator['requests'] = [];
  const accessTokens = new Map<string, { scopes: string[]; expiresAt: number }>();
  const limiters = new Map<string, WindowLimiter>();
  const app = new Hono<SimulatorEnv>();

  const oktaError = (c: Context<SimulatorEnv>, status: number, code: string, summary: string, causes: string[] = [], headers: Record<string, string> = {}) =>
    c.json({ errorCode: code, errorSummary: summary, errorLink: code, errorId: `oae${randomBytes(11).toString('base64url')}`, errorCauses: causes.map((errorSummary) => ({ errorSummary })) }, status as 400, headers);

  app.use('*', async (c, next) => {
    await next();
    const url = new URL(c.req.url);
    requests.push({ method: c.req.method, path: url.pathname + url.search, status: c.res.status });
  });
  app.use('*', faults.middleware((status, message) => ({ errorCode: status === 429 ? 'E0000047' : 'E0000009', errorSummary: message, errorCauses: [] })));

  // Rate limits per endpoint bucket; every answer says where the bucket stands.
  app.use('*', async (c, next) => {
    const bucket = settings.rateLimits?.find((b) => b.prefixes.some((p) => c.req.path.startsWith(p)));
    if (!bucket) return next();
    const key = `${bucket.name}:${bucket.limit}/${bucket.windowMs}`;
    let limiter = limiters.get(key);
    if (!limiter) limiters.set(key, (limiter = new WindowLimiter(bucket.limit, bucket.windowMs)));
    const now = Date.now();
    const refused = limiter.take(now);
    const state = limiter.state(now);
    const headers = {
      'x-rate-limit-limit': String(bucket.limit),
      'x-rate-limit-remaining': String(state.remaining),
      'x-rate-limit-reset': String(Math.ceil((now + state.resetMs) / 1000)),
    };
    if (refused !== null) return oktaError(c, 429, 'E0000047', 'API call exceeded rate limit due to too many requests.', [], headers);
    await next();
    for (const [k, v] of Object.entries(headers)) c.res.headers.set(k, v);
  });

  app.post('/oauth2/v1/token', async (c) => {
    const form = new URLSearchParams(await c.req.text());
    let clientId = form.get('client_id') ?? undefined;
    let secret = form.get('client_secret') ?? undefined;
    const basic = /^Basic (.+)$/i.exec(c.req.header('authorization') ?? '');
    if (basic?.[1]) [clientId, secret] = Buffer.from(basic[1], 'base64').toString('utf8').split(':').map(decodeURIComponent);
    const client = settings.oauthClients.find((cl) => cl.clientId === clientId);
    if (form.get('grant_type') !== 'client_credentials') return c.json({ error: 'unsupported_grant_type', error_description: 'The authorization grant type is not supported by the authorization server.' }, 400);
    if (!client || client.clientSecret !== secret) return c.json({ error: 'invalid_client', error_description: 'The client secret supplied for a confidential client is invalid.' }, 401);
    const asked = (form.get('scope') ?? '').split(/\s+/).filter(Boolean);
    if (asked.length === 0) return c.json({ error: 'invalid_scope', error_description: 'The authorization server resource does not have any configured default scopes, \'scope\' must be provided.' }, 400);
    const refused = asked.filter((s) => !client.scopes.includes(s));
    if (refused.length > 0) return c.json({ error: 'invalid_scope', error_description: `One or more scopes are not configured for the authorization server resource: ${refused.join(' ')}` }, 400);
    const token = `eyJraWQiOiJzaW0ifQ.${randomBytes(32).toString('base64url')}.sig`;
    accessTokens.set(token, { scopes: asked, expiresAt: Date.now() + settings.tokenLifetimeSeconds * 1000 });
    return c.json({ token_type: 'Bearer', expires_in: settings.tokenLifetimeSeconds, access_token: token, scope: asked.join(' ') });
  });

  app.use('/api/v1/*', async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const ssws = /^SSWS (.+)$/.exec(header)?.[1];
    if (ssws) return settings.apiTokens.includes(ssws) ? next() : oktaError(c, 401, 'E0000011', 'Invalid token provided');
    const bearer = /^Bearer (.+)$/.exec(header)?.[1];
    const token = bearer ? accessTokens.get(bearer) : undefined;
    if (!token || Date.now() >= token.expiresAt) return oktaError(c, 401, 'E0000011', 'Invalid token provided', [], { 'www-authenticate': 'Bearer authorization_uri="http://okta/oauth2/v1/authorize", realm="http://okta", scope="okta.users.read", error="invalid_token", error_description="The token has expired."' });
    const needed = c.req.path.startsWith('/api/v1/users') ? 'okta.users.read' : c.req.path.startsWith('/api/v1/groups') ? 'okta.groups.read' : 'okta.apps.read';
    if (!token.scopes.includes(needed)) return oktaError(c, 403, 'E0000006', 'You do not have permission to perform the requested action', [], { 'www-authenticate': `Bearer error="insufficient_scope", error_description="The access token provided does not contain the required scopes.", scope="${needed}"` });
    return next();
  });

  /** One page of `items` (sorted by id) after the `after` cursor, with Okta's Link headers. */
  // Lists sorted by id, kept until the org changes: a 100,000-person list is not sorted again per page.
  const sortedCache = new Map<string, { version: number; items: unknown[] }>();
  const sortedList = <T extends { id: string }>(key: string, make: () => T[]): T[] => {
    const hit = sortedCache.get(key);
    if (hit && hit.version === tenant.version) return hit.items as T[];
    if (sortedCache.size > 50) sortedCache.clear();
    const items = make().sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    sortedCache.set(key, { version: tenant.version, items });
    return items;
  };

  const page = <T extends { id: string }>(c: Context<SimulatorEnv>, items: T[], limits: { default: number; max: number }, render: (item: T) => unknown = (i) => i) => {
    const url = new URL(c.req.url);
    const limitText = url.searchParams.get('limit');
    const asked = limitText === null ? limits.default : Number(limitText);
    if (!Number.isInteger(asked) || asked < 1) return oktaError(c, 400, 'E0000001', 'Api validation failed: limit', [`limit: ${limitText} is not a whole number of at least 1`]);
    const limit = Math.min(asked, limits.max);
    const after = url.searchParams.get('after');
    let start = 0;
    if (after) {
      let lo = 0;
      let hi = items.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if ((items[mid]?.id ?? '') > after) hi = mid;
        else lo = mid + 1;
      }
      start = lo;
    }
    const slice = items.slice(start, start + limit);
    const self = new URL(url);
    c.header('link', `<${self.toString()}>; rel="self"`, { append: true });
    const last = slice[slice.length - 1];
    if (last && start + limit < items.length) {
      const next = new URL(url);
      next.searchParams.set('after', last.id);
      next.searchParams.set('limit', String(limit));
      c.header('link', `<${next.toString()}>; rel="next"`, { append: true });
    }
    return c.json(slice.map(render));
  };

  const filtered = <T>(c: Context<SimulatorEnv>, items: T[], fields: readonly string[]): T[] | Response => {
    const text = c.req.query('filter');
    if (text === undefined) return items;
    let filter: Filter | string;
    try {
      filter = parseOktaFilter(text, fields);
    } catch (error) {
      filter = (error as Error).message;
    }
    if (typeof filter === 'string') return oktaError(c, 400, 'E0000031', 'Invalid search criteria.', [filter]);
    return items.filter((i) => matches(i, filter));
  };

  const renderUser = (c: Context<SimulatorEnv>) => (u: OktaUser) => ({ ...u, _links: { self: { href: `${new URL(c.req.url).origin}/api/v1/users/${u.id}` } } });

  app.get('/api/v1/users', (c) => {
    if (c.req.query('search') !== undefined || c.req.query('q') !== undefined) return oktaError(c, 400, 'E0000031', 'Invalid search criteria.', ['search and q are not simulated; use filter']);
    const filter = c.req.query('filter');
    const all = sortedList('users', () => [...tenant.users.values()]);
    let users: OktaUser[] | Response;
    // Okta leaves DEPROVISIONED users out of a plain list; a filter (or search) reaches them.
    if (filter === undefined) users = sortedList('users:listed', () => all.filter((u) => u.status !== 'DEPROVISIONED'));
    else {
      const hit = sortedCache.get(`users:${filter}`);
      if (hit && hit.version === tenant.version) users = hit.items as OktaUser[];
      else {
        users = filtered(c, all, ['status', 'lastUpdated', 'id', 'created', 'statusChanged', 'profile.login', 'profile.email']);
        if (!(users instanceof Response)) sortedCache.set(`users:${filter}`, { version: tenant.version, items: users });
      }
    }
    if (users instanceof Response) return users;
    return page(c, users, settings.usersLimit, renderUser(c));
  });

  app.get('/api/v1/users/:id', (c) => {
    const user = tenant.users.get(c.req.param('id')) ?? tenant.findUser(c.req.param('id'));
    return user ? c.json(renderUser(c)(user)) : oktaError(c, 404, 'E0000007', `Not found: Resource not found: ${c.req.param('id')} (User)`);
  });

  app.get('/api/v1/groups', (c) => {
    const groups = filtered(c, sortedList('groups', () => [...tenant.groups.values()]), ['lastUpdated', 'lastMembershipUpdated', 'id', 'type']);
    if (groups instanceof Response) return groups;
    return page<OktaGroup>(c, groups, settings.groupsLimit);
  });

  app.get('/api/v1/groups/:id/users', (c) => {
    const members = tenant.members.get(c.req.param('id'));
    if (!members) return oktaError(c, 404, 'E0000007', `Not found: Resource not found: ${c.req.param('id')} (UserGroup)`);
    const users = sortedList(`members:${c.req.param('id')}`, () => [...members].map((id) => tenant.users.get(id)).filter((u): u is OktaUser => u !== undefined));
    return page(c, users, settings.groupUsersLimit, renderUser(c));
  });

  app.get('/api/v1/apps/:id/users', (c) => {
    const target = tenant.apps.get(c.req.param('id'));
    if (!target) return oktaError(c, 404, 'E0000007', `Not found: Resource not found: ${c.req.param('id')} (AppInstance)`);
    const rows = sortedList(`app:${target.id}`, () => [...target.users].flatMap(([id, a]) => {
      const user = tenant.users.get(id);
      return user ? [{ id, externalId: null, created: a.created, lastUpdated: a.lastUpdated, scope: a.scope, status: 'ACTIVE', statusChanged: a.created, syncState: 'DISABLED', credentials: { userName: user.profile.login }, profile: {}, _links: { app: { href: `/api/v1/apps/${target.id}` }, user: { href: `/api/v1/users/${id}` } } }] : [];
    }));
    return page(c, rows, settings.appUsersLimit);
  });

  app.notFound((c) => oktaError(c, 404, 'E0000022', 'The endpoint does not support the provided HTTP method'));
  return { app, tenant, settings, faults, requests };
}

export async function startOktaSimulator(options: OktaSimulatorOptions = {}): Promise<RunningOktaSimulator> {
  const { port, ...rest } = options;
  const sim = createOktaSimulator(rest);
  const server = await startServer(sim.app, port ?? 0);
  return { ...sim, origin: server.origin, port: server.port, close: server.close };
}
