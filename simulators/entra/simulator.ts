// A Microsoft Entra ID tenant as Microsoft Graph v1.0 serves it to an app-only client: the
// tenant's token endpoint (client credentials), /users/delta and /groups/delta with Graph's delta
// semantics, and the app role assignments of enterprise apps. Strict where Graph is strict.
import { randomBytes, randomUUID } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { FaultInjector } from '../shared/faults.ts';
import { startServer, type SimulatorEnv } from '../shared/server.ts';
import { DEFAULT_USER_SELECT, EntraTenant, GROUP_PROPERTIES, USER_PROPERTIES, type DeltaRound } from './tenant.ts';

export const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';

export interface EntraClient {
  clientId: string;
  clientSecret: string;
}

/** Live settings: assign to change behaviour while it runs. */
export interface EntraSimulatorSettings {
  tenantId: string;
  /** App registrations allowed the client credentials grant. */
  clients: EntraClient[];
  /** Access token lifetime (Entra: about an hour). Default 3599 s. */
  tokenLifetimeSeconds: number;
  /** Objects per delta page without `Prefer: odata.maxpagesize` (Graph: 100 users). */
  defaultPageSize: number;
  /** Largest page a `Prefer: odata.maxpagesize` gets (Graph: 999); larger asks are clamped. */
  maxPageSize: number;
  /** Largest `$top` of appRoleAssignedTo (Graph: 999; default page 100). */
  maxTop: number;
  /** Members per group object in /groups/delta: a bigger group appears once per chunk, across pages. Default 20. */
  membersChunk: number;
  /** How long a delta token stays good (Graph: 7 days for directory objects). */
  deltaTokenLifetimeMs: number;
  /** How an expired or forgotten delta token is refused: both are 410 Gone. Default `syncStateNotFound`. */
  expiredTokenCode: 'syncStateNotFound' | 'resyncRequired';
  /**
   * Graph's directory throttling: resource units per app per window (a delta request costs 5, any
   * other 1); over it, 429 with Retry-After in seconds. Default 3,500 per 10 s; undefined: off.
   */
  throttle: { resourceUnits: number; windowMs: number } | undefined;
}

export interface EntraSimulatorOptions extends Partial<EntraSimulatorSettings> {
  port?: number;
}

export interface RequestRecord {
  method: string;
  path: string;
  status: number;
}

export interface EntraSimulator {
  app: Hono<SimulatorEnv>;
  tenant: EntraTenant;
  settings: EntraSimulatorSettings;
  faults: FaultInjector;
  /** Every request answered (tokens too), in order. */
  requests: RequestRecord[];
  /** Makes every delta token issued so far expire (as a token older than its lifetime does). */
  expireDeltaTokens(): void;
}

export interface RunningEntraSimulator extends EntraSimulator {
  origin: string;
  port: number;
  /** `<origin>/<tenant>/oauth2/v2.0/token` */
  tokenUrl: string;
  /** `<origin>/v1.0` */
  graphUrl: string;
  close(): Promise<void>;
}

export function resolveEntraSettings(options: Partial<EntraSimulatorSettings> = {}): EntraSimulatorSettings {
  return {
    tenantId: options.tenantId ?? randomUUID(),
    clients: options.clients ?? [{ clientId: randomUUID(), clientSecret: randomBytes(20).toString('base64url') }],
    tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 3599,
    defaultPageSize: options.defaultPageSize ?? 100,
    maxPageSize: options.maxPageSize ?? 999,
    maxTop: options.maxTop ?? 999,
    membersChunk: options.membersChunk ?? 20,
    deltaTokenLifetimeMs: options.deltaTokenLifetimeMs ?? 7 * 24 * 3600 * 1000,
    expiredTokenCode: options.expiredTokenCode ?? 'syncStateNotFound',
    throttle: 'throttle' in options ? options.throttle : { resourceUnits: 3500, windowMs: 10_000 },
  };
}

interface Round extends DeltaRound {
  kind: 'users' | 'groups';
  select: string[];
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
function unb64<T>(text: string): T | undefined {
  try {
    return JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as T;
  } catch {
    return undefined;
  }
}

export function createEntraSimulator(options: Partial<EntraSimulatorSettings> = {}): EntraSimulator {
  const settings = resolveEntraSettings(options);
  const tenant = new EntraTenant();
  const faults = new FaultInjector();
  const requests: RequestRecord[] = [];
  const tokens = new Map<string, { clientId: string; expiresAt: number }>();
  const rounds = new Map<string, Round>();
  const rendered = new Map<string, Record<string, unknown>[]>();
  let epoch = 0;
  const throttleState = new Map<string, { start: number; used: number }>();
  const app = new Hono<SimulatorEnv>();

  const graphError = (c: Context<SimulatorEnv>, status: number, code: string, message: string, headers: Record<string, string> = {}) =>
    c.json({ error: { code, message, innerError: { date: new Date().toISOString(), 'request-id': randomUUID(), 'client-request-id': randomUUID() } } }, status as 400, headers);

  app.use('*', async (c, next) => {
    await next();
    requests.push({ method: c.req.method, path: new URL(c.req.url).pathname + new URL(c.req.url).search, status: c.res.status });
  });
  app.use('*', faults.middleware((status, message) => ({ error: { code: status === 429 ? 'TooManyRequests' : 'ServiceUnavailable', message } })));

  // The tenant's token endpoint (login.microsoftonline.com/<tenant>/oauth2/v2.0/token).
  app.post('/:tenant/oauth2/v2.0/token', async (c) => {
    const aad = (status: number, error: string, code: string, text: string) =>
      c.json({ error, error_description: `${code}: ${text} Trace ID: ${randomUUID()} Timestamp: ${new Date().toISOString()}`, error_codes: [Number(code.slice(5))], timestamp: new Date().toISOString() }, status as 400);
    if (c.req.param('tenant') !== settings.tenantId) return aad(400, 'invalid_request', 'AADSTS90002', `Tenant '${c.req.param('tenant')}' not found.`);
    if (!(c.req.header('content-type') ?? '').startsWith('application/x-www-form-urlencoded')) return aad(400, 'invalid_request', 'AADSTS900144', "The request body must contain the following parameter: 'grant_type'.");
    const form = new URLSearchParams(await c.req.text());
    let clientId = form.get('client_id') ?? undefined;
    let clientSecret = form.get('client_secret') ?? undefined;
    const basic = /^Basic (.+)$/i.exec(c.req.header('authorization') ?? '');
    if (basic?.[1]) {
      const [id, secret] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
      clientId = decodeURIComponent(id ?? '');
      clientSecret = decodeURIComponent(secret ?? '');
    }
    if (form.get('grant_type') !== 'client_credentials') return aad(400, 'unsupported_grant_type', 'AADSTS70003', 'The app requested an unsupported grant type.');
    if (!form.get('scope')) return aad(400, 'invalid_request', 'AADSTS90014', "The required field 'scope' is missing from the credential.");
    if (form.get('scope') !== GRAPH_SCOPE) return aad(400, 'invalid_scope', 'AADSTS1002012', `The provided value for scope ${form.get('scope')} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`);
    const client = settings.clients.find((cl) => cl.clientId === clientId);
    if (!client) return aad(400, 'unauthorized_client', 'AADSTS700016', `Application with identifier '${clientId ?? ''}' was not found in the directory.`);
    if (client.clientSecret !== clientSecret) return aad(401, 'invalid_client', 'AADSTS7000215', 'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.');
    const token = `eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.${randomBytes(32).toString('base64url')}.`;
    tokens.set(token, { clientId: client.clientId, expiresAt: Date.now() + settings.tokenLifetimeSeconds * 1000 });
    return c.json({ token_type: 'Bearer', expires_in: settings.tokenLifetimeSeconds, ext_expires_in: settings.tokenLifetimeSeconds, access_token: token });
  });

  app.use('/v1.0/*', async (c, next) => {
    const bearer = /^Bearer (.+)$/.exec(c.req.header('authorization') ?? '')?.[1];
    if (!bearer) return graphError(c, 401, 'InvalidAuthenticationToken', 'Access token is empty.');
    const token = tokens.get(bearer);
    if (!token) return graphError(c, 401, 'InvalidAuthenticationToken', 'Access token validation failure. Invalid audience.');
    if (Date.now() >= token.expiresAt) return graphError(c, 401, 'InvalidAuthenticationToken', 'Lifetime validation failed, the token is expired.');
    const limit = settings.throttle;
    if (limit) {
      const cost = c.req.path.endsWith('/delta') ? 5 : 1;
      const now = Date.now();
      let state = throttleState.get(token.clientId);
      if (!state || now - state.start >= limit.windowMs) throttleState.set(token.clientId, (state = { start: now, used: 0 }));
      if (state.used + cost > limit.resourceUnits) {
        const seconds = Math.max(1, Math.ceil((state.start + limit.windowMs - now) / 1000));
        return graphError(c, 429, 'TooManyRequests', 'Too many requests.', { 'retry-after': String(seconds) });
      }
      state.used += cost;
    }
    return next();
  });

  /** The page size a request asks for with Prefer: odata.maxpagesize, clamped. */
  const pageSize = (c: Context<SimulatorEnv>, fallback: number): { size: number; applied: boolean } => {
    const prefer = /odata\.maxpagesize=(\d+)/i.exec(c.req.header('prefer') ?? '')?.[1];
    if (!prefer) return { size: fallback, applied: false };
    return { size: Math.max(1, Math.min(Number(prefer), settings.maxPageSize)), applied: true };
  };

  const delta = (kind: 'users' | 'groups') => (c: Context<SimulatorEnv>) => {
    const url = new URL(c.req.url);
    const q = url.searchParams;
    const type = kind === 'users' ? 'microsoft.graph.user' : 'microsoft.graph.group';
    for (const key of q.keys()) {
      if (!['$select', '$deltatoken', '$skiptoken', '$deltaToken', '$skipToken'].includes(key)) {
        return graphError(c, 400, 'Request_UnsupportedQuery', `Unsupported query parameter ${key} on ${kind} delta; page with Prefer: odata.maxpagesize.`);
      }
    }
    const deltaToken = q.get('$deltatoken') ?? q.get('$deltaToken');
    const skipToken = q.get('$skiptoken') ?? q.get('$skipToken');
    if ((deltaToken || skipToken) && q.has('$select')) return graphError(c, 400, 'Request_BadRequest', 'Query options cannot be combined with a $skiptoken or $deltatoken; follow the nextLink or deltaLink as it is.');
    const { size, applied } = pageSize(c, settings.defaultPageSize);
    let round: Round | undefined;
    let offset = 0;
    let chunk = 0;
    let roundKey: string;
    if (skipToken) {
      const state = unb64<{ r: string; o: number; c: number }>(skipToken);
      round = state ? rounds.get(state.r) : undefined;
      if (!state || !round || round.kind !== kind) return graphError(c, 400, 'Request_BadRequest', 'Invalid or expired $skiptoken.');
      roundKey = state.r;
      offset = state.o;
      chunk = state.c;
    } else {
      let since = 0;
      let select: string[];
      if (deltaToken) {
        const state = unb64<{ k: string; s: number; sel: string[]; e: number; t: number }>(deltaToken);
        if (!state || state.k !== kind || !Array.isArray(state.sel)) return graphError(c, 400, 'Request_BadRequest', 'Badly formed token.');
        if (state.e < epoch || Date.now() - state.t > settings.deltaTokenLifetimeMs) {
          return graphError(c, 410, settings.expiredTokenCode, 'The delta token has expired or its sync state was not found. Start again without a delta token (a full synchronization).', {
            location: `${url.origin}/v1.0/${kind}/delta`,
          });
        }
        since = state.s;
        select = state.sel;
      } else {
        const raw = q.get('$select');
        const known: readonly string[] = kind === 'users' ? USER_PROPERTIES : GROUP_PROPERTIES;
        select = raw ? raw.split(',').map((s) => s.trim()).filter(Boolean) : kind === 'users' ? [...DEFAULT_USER_SELECT] : ['displayName', 'description', 'members'];
        const unknown = select.find((p) => !known.includes(p));
        if (unknown) return graphError(c, 400, 'Request_BadRequest', `Could not find a property named '${unknown}' on type '${type}'.`);
      }
      const base = kind === 'users' ? tenant.userRound(since) : tenant.groupRound(since);
      round = { ...base, kind, select };
      roundKey = randomBytes(9).toString('base64url');
      rounds.set(roundKey, round);
    }
    const value: Record<string, unknown>[] = [];
    while (value.length < size && offset < round.ids.length) {
      const id = round.ids[offset] ?? '';
      if (kind === 'users') {
        const item = tenant.renderUser(id, round.since, round.select);
        if (item) value.push({ '@odata.type': '#microsoft.graph.user', ...item });
        offset += 1;
        continue;
      }
      // A big group is cut into many parts across pages: render it once per round, not once per part.
      const cacheKey = `${roundKey}:${id}`;
      let parts = rendered.get(cacheKey);
      if (!parts) {
        parts = tenant.renderGroup(id, round.since, round.select, settings.membersChunk);
        rendered.clear();
        rendered.set(cacheKey, parts);
      }
      const part = parts[chunk];
      if (part) value.push({ '@odata.type': '#microsoft.graph.group', ...part });
      chunk += 1;
      if (chunk >= parts.length) {
        chunk = 0;
        offset += 1;
      }
    }
    const body: Record<string, unknown> = { '@odata.context': `https://graph.microsoft.com/v1.0/$metadata#${kind}(${round.select.join(',')})`, value };
    if (offset < round.ids.length) body['@odata.nextLink'] = `${url.origin}/v1.0/${kind}/delta?$skiptoken=${b64({ r: roundKey, o: offset, c: chunk })}`;
    else body['@odata.deltaLink'] = `${url.origin}/v1.0/${kind}/delta?$deltatoken=${b64({ k: kind, s: round.upto, sel: round.select, e: epoch, t: Date.now() })}`;
    return c.json(body, 200, applied ? { 'preference-applied': `odata.maxpagesize=${size}` } : {});
  };

  app.get('/v1.0/users/delta', delta('users'));
  app.get('/v1.0/groups/delta', delta('groups'));

  app.get('/v1.0/servicePrincipals/:id/appRoleAssignedTo', (c) => {
    const sp = tenant.servicePrincipals.get(c.req.param('id'));
    if (!sp) return graphError(c, 404, 'Request_ResourceNotFound', `Resource '${c.req.param('id')}' does not exist or one of its queried reference-property objects are not present.`);
    const url = new URL(c.req.url);
    const topText = url.searchParams.get('$top');
    const top = topText === null ? 100 : Number(topText);
    if (!Number.isInteger(top) || top < 1 || top > settings.maxTop) return graphError(c, 400, 'Request_BadRequest', `Invalid page size specified: '${topText}'. Must be between 1 and ${settings.maxTop} inclusive.`);
    const skip = url.searchParams.get('$skiptoken');
    const start = skip === null ? 0 : Number(unb64<{ o: number }>(skip)?.o ?? NaN);
    if (!Number.isInteger(start)) return graphError(c, 400, 'Request_BadRequest', 'Invalid or expired $skiptoken.');
    const all = [...sp.assignments.values()];
    const value = all.slice(start, start + top);
    const body: Record<string, unknown> = { '@odata.context': `https://graph.microsoft.com/v1.0/$metadata#servicePrincipals('${sp.id}')/appRoleAssignedTo`, value };
    if (start + top < all.length) body['@odata.nextLink'] = `${url.origin}/v1.0/servicePrincipals/${sp.id}/appRoleAssignedTo?$top=${top}&$skiptoken=${b64({ o: start + top })}`;
    return c.json(body);
  });

  app.notFound((c) => graphError(c, 400, 'BadRequest', `Resource not found for the segment '${c.req.path.split('/').pop() ?? ''}'.`));

  return {
    app,
    tenant,
    settings,
    faults,
    requests,
    expireDeltaTokens: () => {
      epoch += 1;
    },
  };
}

export async function startEntraSimulator(options: EntraSimulatorOptions = {}): Promise<RunningEntraSimulator> {
  const { port, ...rest } = options;
  const sim = createEntraSimulator(rest);
  const server = await startServer(sim.app, port ?? 0);
  return { ...sim, origin: server.origin, port: server.port, tokenUrl: `${server.origin}/${sim.settings.tenantId}/oauth2/v2.0/token`, graphUrl: `${server.origin}/v1.0`, close: server.close };
}
