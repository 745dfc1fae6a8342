import { z } from 'zod';
import { appSchema, secretRef } from '../../config/app-schema.ts';
import type { Change, RequestPreview } from '../../core/plan.ts';
import { headerAuth } from '../http/auth.ts';
import { authStrategyFor } from '../http/auth-from-config.ts';
import { defineModule } from '../module.ts';
import { scimPreview } from '../scim/index.ts';
import { NetskopeConnector } from './connector.ts';
import { NetskopeEventsClient } from './events.ts';
import { netskopeManifest } from './manifest.ts';

/** SCIM under /api/v2/scim; a change about a userName not yet resolved to an id looks it up first. */
function netskopePreview(change: Change): RequestPreview[] {
  const lookup = change.remoteId || change.kind === 'create' ? [] : [{ method: 'GET', path: `${netskopeManifest.scimPath}/Users?filter=userName eq ${JSON.stringify(change.attributes?.userName ?? change.subject)}` }];
  return [...lookup, ...scimPreview(change, netskopeManifest.scimPath)];
}

/** Netskope over SCIM 2.0, and its admin audit events over REST API v2. */
export const netskopeModule = defineModule({
  type: 'netskope',
  title: 'Netskope',
  manifest: netskopeManifest,
  capabilities: netskopeManifest.capabilities,
  // auth: the SCIM token, as `header` (Netskope-Api-Token) or `bearer`; baseUrl: the tenant or its /api/v2/scim.
  schema: appSchema('netskope', ['header', 'bearer'], {
    /**
     * A REST API v2 token with the `events` scope (a different kind from the SCIM token); when set,
     * every sync also reads Netskope's admin audit events into roster's audit trail.
     */
    events: z.object({ token: secretRef }).strict().optional(),
  }),
  rate: { rules: [{ limit: netskopeManifest.rateLimit.requests, windowMs: netskopeManifest.rateLimit.perMs }] },
  create: (app, budget) => new NetskopeConnector({ appName: app.name, baseUrl: app.baseUrl, pageSize: app.pageSize, timeoutMs: app.timeoutMs, maxWaitMs: app.maxWaitMs, auth: authStrategyFor(app), budget }),
  preview: netskopePreview,
  events: (app) =>
    app.events
      ? new NetskopeEventsClient({ appName: app.name, baseUrl: app.baseUrl, auth: headerAuth(netskopeManifest.auth.header, app.events.token), timeoutMs: app.timeoutMs, maxWaitMs: app.maxWaitMs })
      : undefined,
});
