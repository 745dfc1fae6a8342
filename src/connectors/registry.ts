import type { ResolvedApp } from '../config/load.ts';
import { RosterError } from '../errors.ts';
import type { Connector } from './connector.ts';
import type { Database } from '../store/database.ts';
import { headerAuth } from './http/auth.ts';
import { authStrategyFor } from './http/auth-from-config.ts';
import { ingestNetskopeAuditEvents, NetskopeEventsClient } from './netskope/events.ts';
import { NetskopeConnector } from './netskope/connector.ts';
import { netskopeManifest } from './netskope/manifest.ts';
import { ScimConnector } from './scim/connector.ts';
import { budgetFor, RateBudget, type RateRule } from './http/rate-budget.ts';
import { ziaRateRules, ZscalerConnector } from './zscaler/connector.ts';
import { ZiaSessionAuth } from './zscaler/session-auth.ts';

/**
 * The rate budget every connector of this app shares (one per credential in this process): the
 * vendor's documented limits, tightened by its rate-limit headers; none when pacing is off.
 */
function budgetOf(app: ResolvedApp, rules: readonly RateRule[], headerScope: 'credential' | 'method' = 'credential'): RateBudget | undefined {
  const pacing = app.rateBudget;
  if (pacing === false) return undefined;
  return budgetFor(`${app.name}:${app.baseUrl}`, () => new RateBudget({ rules, timeScale: pacing.timeScale, headerScope }));
}

/** Builds the connector for a configured app. */
export function createConnector(app: ResolvedApp): Connector {
  const common = { appName: app.name, baseUrl: app.baseUrl, pageSize: app.pageSize, timeoutMs: app.timeoutMs, maxWaitMs: app.maxWaitMs };
  switch (app.type) {
    case 'scim':
      return new ScimConnector({ ...common, auth: authStrategyFor(app), budget: budgetOf(app, []) });
    case 'zscaler': {
      // Legacy API: a JSESSIONID session; OneAPI (https://api.zsapi.net/zia/api/v1): a bearer token.
      const auth =
        app.auth.type === 'zscaler-session'
          ? new ZiaSessionAuth({ appName: app.name, baseUrl: app.baseUrl, username: app.auth.username, password: app.auth.password, apiKey: app.auth.apiKey, timeoutMs: app.timeoutMs, maxWaitMs: app.maxWaitMs })
          : authStrategyFor(app);
      return new ZscalerConnector({ ...common, auth, defaultDepartment: app.defaults?.department, defaultGroups: app.defaults?.groups, budget: budgetOf(app, ziaRateRules, 'method') });
    }
    case 'netskope':
      // auth: the SCIM token, as `header` (Netskope-Api-Token) or `bearer`; baseUrl: the tenant or its /api/v2/scim.
      return new NetskopeConnector({ ...common, auth: authStrategyFor(app), budget: budgetOf(app, [{ limit: netskopeManifest.rateLimit.requests, windowMs: netskopeManifest.rateLimit.perMs }]) });
    default:
      throw new RosterError('config_invalid', `apps.${app.name}.type: the ${app.type} connector is not available yet`);
  }
}

/**
 * The app's own audit events, read into roster's trail after each sync — where the app has them
 * and the config gives the token for them (Netskope's REST API v2 `events` scope).
 */
export function eventIngestFor(app: ResolvedApp): ((db: Database) => Promise<{ read: number; recorded: number }>) | undefined {
  if (app.type !== 'netskope' || !app.events) return undefined;
  const token = app.events.token;
  return async (db) => {
    const client = new NetskopeEventsClient({ appName: app.name, baseUrl: app.baseUrl, auth: headerAuth('Netskope-Api-Token', token), timeoutMs: app.timeoutMs, maxWaitMs: app.maxWaitMs });
    try {
      return await ingestNetskopeAuditEvents(db, client, { appName: app.name });
    } finally {
      await client.close();
    }
  };
}
