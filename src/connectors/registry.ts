import type { ResolvedApp } from '../config/load.ts';
import { RosterError } from '../errors.ts';
import type { Connector } from './connector.ts';
import { authStrategyFor } from './http/auth-from-config.ts';
import { ScimConnector } from './scim/connector.ts';

/** Builds the connector for a configured app. */
export function createConnector(app: ResolvedApp): Connector {
  switch (app.type) {
    case 'scim':
      return new ScimConnector({ appName: app.name, baseUrl: app.baseUrl, auth: authStrategyFor(app), pageSize: app.pageSize, timeoutMs: app.timeoutMs, maxWaitMs: app.maxWaitMs });
    default:
      throw new RosterError('config_invalid', `apps.${app.name}.type: the ${app.type} connector is not available yet`);
  }
}
