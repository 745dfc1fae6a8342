import { Hono } from 'hono';
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
  /** `<origin>/scim/v2` */
  baseUrl: string;
  close(): Promise<void>;
}

export interface StartOptions extends ScimSimulatorOptions {
  /** Port to listen on (127.0.0.1 only). Default 0: any free port. */
  port?: number;
}

/** A strict SCIM 2.0 service provider (RFC 7643/7644) as a Hono app, with its store and knobs. */
export function createScimSimulator(options: ScimSimulatorOptions = {}): ScimSimulator {
  const settings = resolveSettings(options);
  const store = new ScimStore();
  const faults = new FaultInjector();
  const requests = new RequestLog();
  const app = new Hono<SimulatorEnv>();
  const deps = { store, settings };

  app.use('*', requests.middleware());
  app.use('*', async (_c, next) => {
    if (settings.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, settings.latencyMs));
    return next();
  });
  app.use('*', faults.middleware((status, message) => new ScimError(status, message).toJSON()));
  app.use(`${SCIM_BASE_PATH}/*`, throttle(settings));

  app.route(SCIM_BASE_PATH, discoveryRoutes(settings));

  app.use(`${SCIM_BASE_PATH}/*`, authMiddleware(settings));
  app.use(`${SCIM_BASE_PATH}/Groups/*`, async (_c, next) => {
    if (!settings.groups) throw new ScimError(404, 'Groups are not supported by this service provider');
    return next();
  });
  app.use(`${SCIM_BASE_PATH}/Groups`, async (_c, next) => {
    if (!settings.groups) throw new ScimError(404, 'Groups are not supported by this service provider');
    return next();
  });
  app.route(`${SCIM_BASE_PATH}/Users`, userRoutes(deps));
  app.route(`${SCIM_BASE_PATH}/Groups`, groupRoutes(deps));
  app.post(`${SCIM_BASE_PATH}/Bulk`, () => {
    throw new ScimError(501, 'Bulk operations are not supported');
  });
  app.all(`${SCIM_BASE_PATH}/Me`, () => {
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
export async function startScimSimulator(options: StartOptions = {}): Promise<RunningScimSimulator> {
  const { port, ...rest } = options;
  const simulator = createScimSimulator(rest);
  const server = await startServer(simulator.app, port ?? 0);
  return { ...simulator, origin: server.origin, port: server.port, baseUrl: `${server.origin}${SCIM_BASE_PATH}`, close: server.close };
}
