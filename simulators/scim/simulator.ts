import { Hono, type MiddlewareHandler } from 'hono';
import { FaultInjector } from '../shared/faults.ts';
import { startServer, type SimulatorEnv } from '../shared/server.ts';
import { authMiddleware } from './auth.ts';
import { discoveryRoutes } from './discovery.ts';
import { scimErrorResponse } from './http.ts';
import { ScimError } from './protocol.ts';
import { RequestLog } from './request-log.ts';
import { groupRoutes } from './routes-groups.ts';
import { userRoutes } from './routes-users.ts';
import { resolveSettings, type ScimSimulatorOptions, type ScimSimulatorSettings } from './settings.ts';
import { ScimStore } from './store.ts';
import { throttle } from './throttle.ts';

export const SCIM_BASE_PATH = '/scim/v2';

export interface ScimSimulator {
  app: Hono<SimulatorEnv>;
  store: ScimStore;
  faults: FaultInjector;
  requests: RequestLog;
  /** Live settings: assign to change behaviour while the simulator runs. */
  settings: ScimSimulatorSettings;
}

export interface RunningScimSimulator extends ScimSimulator {
  /** e.g. http://127.0.0.1:41234 */
  origin: string;
  port: number;
  /** `<origin>/scim/v2` (or the basePath hook's path) */
  baseUrl: string;
  close(): Promise<void>;
}

export interface StartOptions extends ScimSimulatorOptions {
  /** Port to listen on (127.0.0.1 only). Default 0: any free port. */
  port?: number;
}

/**
 * How a vendor simulator builds on this one (Netskope serves SCIM at /api/v2/scim with a token
 * header of its own). Fixed at creation; everything left out behaves as the plain simulator.
 */
export interface ScimSimulatorHooks {
  /** Where the SCIM endpoints live, e.g. /api/v2/scim. Default /scim/v2. */
  basePath?: string;
  /** Replaces the bearer/Basic check on everything under basePath but discovery. */
  auth?: MiddlewareHandler<SimulatorEnv>;
  /**
   * Called once, after the request log, latency and fault middleware are in place and before any
   * SCIM middleware or route: a vendor layer adds its own middleware (auth, limits) and routes here.
   */
  extend?: (app: Hono<SimulatorEnv>) => void;
}

/** A strict SCIM 2.0 service provider (RFC 7643/7644) as a Hono app, with its store and knobs. */
export function createScimSimulator(options: ScimSimulatorOptions = {}, hooks: ScimSimulatorHooks = {}): ScimSimulator {
  const settings = resolveSettings(options);
  const base = hooks.basePath ?? SCIM_BASE_PATH;
  const store = new ScimStore();
  const faults = new FaultInjector();
  const requests = new RequestLog();
  const app = new Hono<SimulatorEnv>();
  const deps = { store, settings, basePath: base };

  app.use('*', requests.middleware());
  app.use('*', async (_c, next) => {
    if (settings.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, settings.latencyMs));
    return next();
  });
  app.use('*', faults.middleware((status, message) => new ScimError(status, message).toJSON()));
  hooks.extend?.(app);
  app.use(`${base}/*`, throttle(settings));

  app.route(base, discoveryRoutes(settings, base));

  app.use(`${base}/*`, hooks.auth ?? authMiddleware(settings));
  app.use(`${base}/Groups/*`, async (_c, next) => {
    if (!settings.groups) throw new ScimError(404, 'Groups are not supported by this service provider');
    return next();
  });
  app.use(`${base}/Groups`, async (_c, next) => {
    if (!settings.groups) throw new ScimError(404, 'Groups are not supported by this service provider');
    return next();
  });
  app.route(`${base}/Users`, userRoutes(deps));
  app.route(`${base}/Groups`, groupRoutes(deps));
  app.post(`${base}/Bulk`, () => {
    throw new ScimError(501, 'Bulk operations are not supported');
  });
  app.all(`${base}/Me`, () => {
    throw new ScimError(501, '/Me is not supported');
  });

  app.notFound((c) => scimErrorResponse(new ScimError(404, `No endpoint ${c.req.method} ${c.req.path}`)));
  app.onError((error) => {
    if (error instanceof ScimError) return scimErrorResponse(error);
    return scimErrorResponse(new ScimError(500, `Internal error: ${error.message}`));
  });

  return { app, store, faults, requests, settings };
}

/** Creates the simulator and serves it on 127.0.0.1. */
export async function startScimSimulator(options: StartOptions = {}, hooks: ScimSimulatorHooks = {}): Promise<RunningScimSimulator> {
  const { port, ...rest } = options;
  const simulator = createScimSimulator(rest, hooks);
  const server = await startServer(simulator.app, port ?? 0);
  return { ...simulator, origin: server.origin, port: server.port, baseUrl: `${server.origin}${hooks.basePath ?? SCIM_BASE_PATH}`, close: server.close };
}
