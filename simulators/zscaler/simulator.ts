import { Hono, type MiddlewareHandler } from 'hono';
import { FaultInjector } from '../shared/faults.ts';
import { startServer, type SimulatorEnv } from '../shared/server.ts';
import { requireBearer, requireSession, rateLimit, sessionRoutes, type ZiaCredentials } from './auth.ts';
import { problem, type ZiaEnv } from './http.ts';
import { DEFAULT_RATE_LIMITS, DEFAULT_SLOW_READS, RateLimits, type RateLimitConfig, type RateWindow, type ZiaMethod } from './limits.ts';
import { directoryRoutes } from './routes.ts';
import { SessionStore } from './sessions.ts';
import { ZiaState, type OrgLock, type ZiaSeed } from './state.ts';

/** Fixed, well-known credentials for tests (a simulator's, not a secret). main.ts generates its own. */
export const DEFAULT_CREDENTIALS: ZiaCredentials = {
  username: 'admin@example.com',
  password: 'Simulat0r!pass',
  apiKey: 'AbCdEfGhIjKl',
};

export interface ZiaSimulatorOptions extends ZiaSeed {
  /** Admin login. Default DEFAULT_CREDENTIALS. The apiKey must have exactly 12 characters. */
  credentials?: ZiaCredentials;
  /** A session dies after this long without a request. Default 5 minutes. */
  sessionIdleMs?: number;
  /** Login timestamps further than this from the simulator's clock fail. Default 5 minutes. */
  maxClockSkewMs?: number;
  /** Per-method windows (merged over DEFAULT_RATE_LIMITS), or false for no limits. */
  rateLimits?: Partial<Record<ZiaMethod, RateWindow[]>> | false;
  /** Multiplies every rate window: 1/3600 makes an hour last a second. Default 1. */
  timeScale?: number;
  /** 429 form: `header` (recorded traffic: retry-after header and body field) or `none` (the seed). Default `header`. */
  retryAfterStyle?: 'header' | 'none';
  /** Largest pageSize. Default 10000. */
  maxPageSize?: number;
  /** A pageSize above maxPageSize: 400 (`reject`, default) or silently served as maxPageSize (`clamp`). */
  oversizePage?: 'reject' | 'clamp';
  /** Bearer token accepted on the OneAPI prefix (/zia/api/v1). Unset: OneAPI answers 401 to all. */
  oneApiToken?: string;
  /** The next N writes answer 409 EDIT_LOCK_NOT_AVAILABLE. Default 0. */
  editLockConflicts?: number;
  /** The org lock held from the start (any method refused; see OrgLock). Tests may call state.lockOrg() at any time. */
  orgLock?: OrgLock;
  /**
   * Per-path GET windows on top of the GET limits (paths below the API prefix). Default
   * DEFAULT_SLOW_READS (/users, /groups, /departments at 1 a second, as recorded); `{}` for the
   * documented 2 a second only. Off with rateLimits: false.
   */
  slowReads?: Record<string, RateWindow[]>;
  /** `search` on lists: `ignore` (recorded: the unfiltered first page) or `filter` (contains, on name or email). Default `ignore`. */
  search?: 'ignore' | 'filter';
  /** PUT changing the email: `ignore` (read-only: the old email stays, 200) or `refuse` (400). Default `ignore`. */
  emailOnPut?: 'ignore' | 'refuse';
  /** `disabled` in writes: `honour` or `ignore` (stored as false: a tenant with no soft-delete). Default `honour`. */
  disabledField?: 'honour' | 'ignore';
  /** How long an activation stays INPROGRESS before the live policy changes. Default 100 ms. */
  activationMs?: number;
  /** The simulator's clock (sessions, login skew, activation, rate windows). Default Date.now. */
  now?: () => number;
}

export interface ZiaRequestRecord {
  method: string;
  /** Full path, e.g. /api/v1/users (no query). */
  path: string;
  /** The query string with its `?`, or ''. */
  query: string;
  status: number;
  at: number;
}

export interface ZiaSimulator {
  app: Hono<SimulatorEnv>;
  state: ZiaState;
  sessions: SessionStore;
  faults: FaultInjector;
  /** Every request answered, in order. */
  requests: ZiaRequestRecord[];
  /** The OneAPI token in force (tests may change it). */
  oneApi: { token: string | undefined };
}

export interface RunningZiaSimulator extends ZiaSimulator {
  origin: string;
  port: number;
  /** Legacy API base: `<origin>/api/v1`. */
  baseUrl: string;
  /** OneAPI base: `<origin>/zia/api/v1`. */
  oneApiBaseUrl: string;
  close(): Promise<void>;
}

export function createZiaSimulator(options: ZiaSimulatorOptions = {}): ZiaSimulator {
  const now = options.now ?? Date.now;
  const credentials = options.credentials ?? DEFAULT_CREDENTIALS;
  if (credentials.apiKey.length !== 12) throw new RangeError('ZIA API keys have exactly 12 characters');
  const state = new ZiaState(options, { activationMs: options.activationMs ?? 100, now });
  state.editLockConflicts = options.editLockConflicts ?? 0;
  if (options.orgLock) state.lockOrg(options.orgLock);
  const sessions = new SessionStore(options.sessionIdleMs ?? 5 * 60_000, now);
  const limits =
    options.rateLimits === false
      ? null
      : new RateLimits({ ...DEFAULT_RATE_LIMITS, ...(options.rateLimits ?? {}) } as RateLimitConfig, options.timeScale ?? 1, now, options.slowReads ?? DEFAULT_SLOW_READS);
  const faults = new FaultInjector();
  const requests: ZiaRequestRecord[] = [];
  const oneApi = { token: options.oneApiToken };
  const paging = { maxPageSize: options.maxPageSize ?? 10_000, oversizePage: options.oversizePage ?? 'reject' } as const;
  const rules = { search: options.search ?? 'ignore', emailOnPut: options.emailOnPut ?? 'ignore', disabledField: options.disabledField ?? 'honour' } as const;
  const orgLock: MiddlewareHandler<ZiaEnv> = async (c, next) => {
    const refusal = state.takeOrgLock();
    if (refusal) return problem(c, refusal);
    await next();
  };
  const style = options.retryAfterStyle ?? 'header';

  const legacy = new Hono<ZiaEnv>();
  sessionRoutes(legacy, { credentials, sessions, maxClockSkewMs: options.maxClockSkewMs ?? 5 * 60_000, now });
  legacy.use('*', requireSession(sessions), rateLimit(limits, style), orgLock);
  directoryRoutes(legacy, state, paging, rules);

  const oneapi = new Hono<ZiaEnv>();
  oneapi.use('*', requireBearer(() => oneApi.token), rateLimit(limits, style), orgLock);
  directoryRoutes(oneapi, state, paging, rules);

  const app = new Hono<SimulatorEnv>();
  app.use('*', async (c, next) => {
    const at = now();
    await next();
    const url = new URL(c.req.url);
    requests.push({ method: c.req.method, path: url.pathname, query: url.search, status: c.res.status, at });
  });
  app.use(
    '*',
    faults.middleware((status) =>
      status === 429
        ? { message: 'Rate Limit (1/SECOND) exceeded' }
        : { code: 'UNEXPECTED_ERROR', message: 'An unexpected error occurred' },
    ),
  );
  app.route('/api/v1', legacy);
  app.route('/zia/api/v1', oneapi);
  app.notFound((c) => c.body(null, 404));
  app.onError((_err, c) => problem(c, { status: 500, code: 'UNEXPECTED_ERROR', message: 'An unexpected error occurred' }));

  return { app, state, sessions, faults, requests, oneApi };
}

/** Creates the simulator and serves it on 127.0.0.1 (`port` 0, the default, picks a free one). */
export async function startZiaSimulator(options: ZiaSimulatorOptions & { port?: number } = {}): Promise<RunningZiaSimulator> {
  const sim = createZiaSimulator(options);
  const server = await startServer(sim.app, options.port ?? 0);
  return {
    ...sim,
    origin: server.origin,
    port: server.port,
    baseUrl: `${server.origin}/api/v1`,
    oneApiBaseUrl: `${server.origin}/zia/api/v1`,
    close: () => server.close(),
  };
}
