import { Hono } from 'hono';
import { FaultInjector } from '../shared/faults.ts';
import { startServer, type SimulatorEnv } from '../shared/server.ts';
import { RequestLog } from '../scim/request-log.ts';
import { message } from './http.ts';
import { SlidingWindows } from './limits.ts';
import { UmbrellaScim } from './scim.ts';
import { resolveSettings, SCIM_PATH, TOKEN_PATH, V1_PATH, V2_PATH, type UmbrellaSimulatorOptions, type UmbrellaSimulatorSettings } from './settings.ts';
import { UmbrellaState, type SeedUser, type UmbrellaUser } from './state.ts';
import { tokenRoute, v2Routes, type IssuedToken } from './v2.ts';
import { v1Routes } from './v1.ts';

export interface UmbrellaSimulator {
  app: Hono<SimulatorEnv>;
  settings: UmbrellaSimulatorSettings;
  /** Dashboard users of every organization (v1 and v2 see the same ones). */
  state: UmbrellaState;
  /** The SCIM side: its store (users, groups), its settings, and nativeObjectIds. */
  scim: UmbrellaScim;
  /** Every request, all three APIs, in arrival order. */
  requests: RequestLog;
  faults: FaultInjector;
  /** Seeds users into an organization (default: the first). */
  seedUsers(users: readonly SeedUser[], organizationId?: number): UmbrellaUser[];
  /** The person clicks the link in the invitation email: the account turns active. */
  acceptInvitation(emailOrId: string | number): UmbrellaUser;
  /** Every API v2 token issued so far expires now. */
  expireTokens(): void;
  /** Forgets every request the rate limits have counted. */
  resetLimits(): void;
}

export interface RunningUmbrellaSimulator extends UmbrellaSimulator {
  origin: string;
  port: number;
  /** `<origin>/v1` — stands for https://management.api.umbrella.com/v1 */
  v1BaseUrl: string;
  /** `<origin>` — stands for https://api.umbrella.com (API v2 paths /auth/v2/token, /admin/v2/…) */
  v2BaseUrl: string;
  /** `<origin>/auth/v2/token` */
  tokenUrl: string;
  /** `<origin>/identity/v2/scim` */
  scimBaseUrl: string;
  close(): Promise<void>;
}

/** Cisco Umbrella's Management API v1, API v2 and SCIM on one Hono app. */
export function createUmbrellaSimulator(options: UmbrellaSimulatorOptions = {}): UmbrellaSimulator {
  const settings = resolveSettings(options);
  const state = new UmbrellaState();
  const tokens = new Map<string, IssuedToken>();
  const limits = new SlidingWindows();
  const scim = new UmbrellaScim(settings);
  const requests = new RequestLog();
  const faults = new FaultInjector();
  const app = new Hono<SimulatorEnv>();

  app.use('*', requests.middleware());
  app.use('*', faults.middleware((_status, text) => ({ message: text })));
  app.route(V1_PATH, v1Routes(state, settings));
  app.post(TOKEN_PATH, tokenRoute(settings, tokens, limits));
  app.route(V2_PATH, v2Routes(state, settings, tokens, limits) as unknown as Hono<SimulatorEnv>);
  app.all(SCIM_PATH, (c) => scim.handle(c));
  app.all(`${SCIM_PATH}/*`, (c) => scim.handle(c));
  app.notFound((c) => message(`No endpoint ${c.req.method} ${c.req.path}`, 404));
  app.onError((error) => message(`Internal error: ${error.message}`, 500));

  return {
    app,
    settings,
    state,
    scim,
    requests,
    faults,
    seedUsers: (users, organizationId) => state.seed(organizationId ?? settings.organizations[0]?.id ?? 0, users),
    acceptInvitation: (ref) => state.accept(ref),
    expireTokens() {
      for (const token of tokens.values()) token.expiresAt = 0;
    },
    resetLimits: () => limits.clear(),
  };
}

export async function startUmbrellaSimulator(options: UmbrellaSimulatorOptions & { port?: number } = {}): Promise<RunningUmbrellaSimulator> {
  const { port, ...rest } = options;
  const sim = createUmbrellaSimulator(rest);
  const server = await startServer(sim.app, port ?? 0);
  return {
    ...sim,
    origin: server.origin,
    port: server.port,
    v1BaseUrl: `${server.origin}${V1_PATH}`,
    v2BaseUrl: server.origin,
    tokenUrl: `${server.origin}${TOKEN_PATH}`,
    scimBaseUrl: `${server.origin}${SCIM_PATH}`,
    close: server.close,
  };
}
