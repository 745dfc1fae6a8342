import { randomBytes } from 'node:crypto';
import { startServer } from '../shared/server.ts';
import { createScimSimulator, type ScimSimulator, type ScimSimulatorOptions } from '../scim/index.ts';
import { ziaFilters, ziaGroupCap } from './limits.ts';
import { DEFAULT_ZIA_SCIM_RATE_LIMIT, ZIA_SCIM_LIMITS, type ZiaScimSimulatorSettings } from './settings.ts';

export interface ZiaScimSimulatorOptions extends Partial<ZiaScimSimulatorSettings> {
  /** Port on 127.0.0.1. Default 0: any free port. */
  port?: number;
  /** The organisation's id in the base URL. Default 12345678. */
  orgId?: string;
  /** The SAML IdP's id in the base URL (Administration > IdP configuration). Default 87654321. */
  idpId?: string;
  /**
   * Settings for the SCIM simulator underneath, over ZIA's defaults: pages of up to 1,000, `eq`
   * only, 5 requests a second (429 with Retry-After in seconds), a random bearer token.
   */
  scim?: ScimSimulatorOptions;
}

export interface ZiaScimSimulator {
  /** The SCIM simulator underneath: store, live SCIM settings (token, rate limit, ...), requests, faults. */
  scim: ScimSimulator;
  /** Live ZIA settings. */
  settings: ZiaScimSimulatorSettings;
  /** `/<orgId>/<idpId>/scim` */
  basePath: string;
}

export interface RunningZiaScimSimulator extends ZiaScimSimulator {
  /** e.g. http://127.0.0.1:41234 — stands for https://scim.<cloud>.net */
  origin: string;
  port: number;
  /** `<origin>/<orgId>/<idpId>/scim` */
  baseUrl: string;
  close(): Promise<void>;
}

/** Zscaler Internet Access's SCIM 2.0 endpoint, the strict SCIM simulator with ZIA's limits. */
export function createZiaScimSimulator(options: Omit<ZiaScimSimulatorOptions, 'port'> = {}): ZiaScimSimulator {
  const settings: ZiaScimSimulatorSettings = { maxGroupsPerUser: options.maxGroupsPerUser ?? ZIA_SCIM_LIMITS.maxGroupsPerUser };
  const basePath = `/${options.orgId ?? '12345678'}/${options.idpId ?? '87654321'}/scim`;
  const scim: ScimSimulator = createScimSimulator(
    {
      token: randomBytes(24).toString('base64url'),
      maxPageSize: ZIA_SCIM_LIMITS.maxPageSize,
      rateLimit: { ...DEFAULT_ZIA_SCIM_RATE_LIMIT },
      ...options.scim,
      supportedFilterOperators: ['eq'],
    },
    {
      basePath,
      extend(app) {
        app.use(`${basePath}/Users`, ziaFilters('Users'));
        app.use(`${basePath}/Groups`, ziaFilters('Groups'));
        app.use(`${basePath}/Groups/*`, ziaGroupCap(() => scim.store, settings, basePath));
        app.use(`${basePath}/Groups`, ziaGroupCap(() => scim.store, settings, basePath));
      },
    },
  );
  return { scim, settings, basePath };
}

export async function startZiaScimSimulator(options: ZiaScimSimulatorOptions = {}): Promise<RunningZiaScimSimulator> {
  const { port, ...rest } = options;
  const simulator = createZiaScimSimulator(rest);
  const server = await startServer(simulator.scim.app, port ?? 0);
  return { ...simulator, origin: server.origin, port: server.port, baseUrl: `${server.origin}${simulator.basePath}`, close: server.close };
}
