import type { MiddlewareHandler } from 'hono';
import { startServer, type SimulatorEnv } from '../shared/server.ts';
import { createScimSimulator, type ScimSimulator, type ScimSimulatorOptions } from '../scim/index.ts';
import { AuditEventLog, auditEventRoutes } from './events.ts';
import { netskopeGate } from './gate.ts';
import { patchPathCheck } from './patch-paths.ts';
import { PolicyView, type PolicyGroup } from './policy.ts';
import { scimWriteEffects } from './scim-writes.ts';
import { AUDIT_EVENTS_PATH, NETSKOPE_SCIM_PATH, resolveNetskopeSettings, type NetskopeSimulatorSettings } from './settings.ts';

export interface NetskopeSimulatorOptions extends Partial<NetskopeSimulatorSettings> {
  /** Port on 127.0.0.1. Default 0: any free port. */
  port?: number;
  /**
   * Settings for the SCIM simulator underneath. Netskope's defaults: PATCH answers 204, users carry
   * no `groups`, groups show `members` only when asked. Its own rate limit stays off (Netskope's is
   * per token, in the gate) and its token is unused (the gate checks tokens).
   */
  scim?: ScimSimulatorOptions;
}

export interface NetskopeSimulator {
  /** The SCIM simulator underneath: store, live SCIM settings, the request log (every request, REST too), faults. */
  scim: ScimSimulator;
  /** Live Netskope settings (tokens, rate limit, 200-with-error answers, policy delay, ...). */
  settings: NetskopeSimulatorSettings;
  /** The admin audit log the REST v2 events endpoint serves. */
  events: AuditEventLog;
  /** Groups as policy sees them (after `settings.policyDelayMs`). */
  policyGroups(): PolicyGroup[];
}

export interface RunningNetskopeSimulator extends NetskopeSimulator {
  /** e.g. http://127.0.0.1:41234 — stands for https://<tenant>.goskope.com */
  origin: string;
  port: number;
  /** `<origin>/api/v2/scim` */
  baseUrl: string;
  close(): Promise<void>;
}

/** A Netskope tenant's SCIM 2.0 API and REST API v2 audit events, built on the strict SCIM simulator. */
export function createNetskopeSimulator(options: Omit<NetskopeSimulatorOptions, 'port'> = {}): NetskopeSimulator {
  const { scim: scimOptions, ...own } = options;
  const settings = resolveNetskopeSettings(own);
  const events = new AuditEventLog();
  let policy: PolicyView | undefined;
  let effects: MiddlewareHandler<SimulatorEnv> | undefined;
  const scim = createScimSimulator(
    { patchStatus: 204, userGroups: false, groupMembers: 'when-asked', ...scimOptions, token: settings.scimToken, rateLimit: undefined },
    {
      basePath: NETSKOPE_SCIM_PATH,
      // The gate has checked the token already (Netskope-Api-Token or Bearer, by kind).
      auth: (_c, next) => next(),
      extend(app) {
        app.use('/api/v2/*', netskopeGate(settings));
        app.use(`${NETSKOPE_SCIM_PATH}/*`, patchPathCheck(settings));
        // Made on first use: the SCIM store does not exist yet while the app is being built.
        app.use(`${NETSKOPE_SCIM_PATH}/*`, (c, next) => (effects ??= scimWriteEffects(scim.store, events, policyView(), settings))(c, next));
        app.route(AUDIT_EVENTS_PATH, auditEventRoutes(events, settings));
      },
    },
  );
  const policyView = () => (policy ??= new PolicyView(scim.store, () => settings.policyDelayMs));
  return { scim, settings, events, policyGroups: () => policyView().groups() };
}

export async function startNetskopeSimulator(options: NetskopeSimulatorOptions = {}): Promise<RunningNetskopeSimulator> {
  const { port, ...rest } = options;
  const simulator = createNetskopeSimulator(rest);
  const server = await startServer(simulator.scim.app, port ?? 0);
  return { ...simulator, origin: server.origin, port: server.port, baseUrl: `${server.origin}${NETSKOPE_SCIM_PATH}`, close: server.close };
}
