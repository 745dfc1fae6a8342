import type { ResolvedApp } from '../config/load.ts';
import { RosterError } from '../errors.ts';
import type { Connector } from './connector.ts';
import { authStrategyFor } from './http/auth-from-config.ts';
import { NetskopeConnector } from './netskope/connector.ts';
import { ScimConnector } from './scim/connector.ts';
import { budgetFor, RateBudget } from './http/rate-budget.ts';
import { ziaRateRules, ZscalerConnector } from './zscaler/connector.ts';
import { ZiaSessionAuth } from './zscaler/session-auth.ts';

/** Builds the connector for a configured app. */
export function createConnector(app: ResolvedApp): Connector {
  switch (app.type) {
    case 'scim':
      return new ScimConnector({ appName: app.name, baseUrl: app.baseUrl, auth: authStrategyFor(app), pageSize: app.pageSize, timeoutMs: app.timeoutMs, maxWaitMs: app.maxWaitMs });
    case 'zscaler': {
      const pacing = app.rateBudget;
      // Legacy API: a JSESSIONID session; OneAPI (https://api.zsapi.net/zia/api/v1): a bearer token.
      const auth =
        app.auth.type === 'zscaler-session'
          ? new ZiaSessionAuth({ appName: app.name, baseUrl: app.baseUrl, username: app.auth.username, password: app.auth.password, apiKey: app.auth.apiKey, timeoutMs: app.timeoutMs, maxWaitMs: app.maxWaitMs })
          : authStrategyFor(app);
      return new ZscalerConnector({
        appName: app.name,
        baseUrl: app.baseUrl,
        auth,
        pageSize: app.pageSize,
        timeoutMs: app.timeoutMs,
        maxWaitMs: app.maxWaitMs,
        defaultDepartment: app.defaults?.department,
        defaultGroups: app.defaults?.groups,
        budget: pacing === false ? undefined : budgetFor(`${app.name}:${app.baseUrl}`, () => new RateBudget({ rules: ziaRateRules, timeScale: pacing.timeScale })),
      });
    }
    case 'netskope':
      // auth: the SCIM token, as `header` (Netskope-Api-Token) or `bearer`; baseUrl: the tenant or its /api/v2/scim.
      return new NetskopeConnector({ appName: app.name, baseUrl: app.baseUrl, auth: authStrategyFor(app), pageSize: app.pageSize, timeoutMs: app.timeoutMs, maxWaitMs: app.maxWaitMs });
    default:
      throw new RosterError('config_invalid', `apps.${app.name}.type: the ${app.type} connector is not available yet`);
  }
}
