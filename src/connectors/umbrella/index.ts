/**
 * Cisco Umbrella: three APIs, one app type (`umbrellaModule`), the config's `api` says which. Also
 * the plain factories and data it is built from: `createUmbrellaConnector({ api, ... })`, the
 * manifest, rate rules, what each API can hold and do (`umbrellaCapabilities`), and
 * `previewUmbrella(api, change)`.
 */
import { z } from 'zod';
import { appSchema, secretRef, type ResolvedAppOf } from '../../config/app-schema.ts';
import { basicAuth, bearerAuth } from '../http/auth.ts';
import { defineModule } from '../module.ts';
import { createUmbrellaConnector } from './connector.ts';
import { umbrellaV2Origin } from './connector-v2.ts';
import { umbrellaApis, umbrellaCapabilities, umbrellaManifest, umbrellaRateRules } from './manifest.ts';
import { previewUmbrella } from './preview.ts';

export { createUmbrellaConnector, type UmbrellaConnector, type UmbrellaConnectorOptions } from './connector.ts';
export { UmbrellaV1Connector, umbrellaV1BaseUrl, type UmbrellaV1Options } from './connector-v1.ts';
export { UmbrellaV2Connector, umbrellaV2Auth, umbrellaV2Origin, type UmbrellaV2Options } from './connector-v2.ts';
export { UmbrellaScimConnector, accountFromUmbrellaScimUser, umbrellaScimBaseUrl, umbrellaScimUserFromInput, type UmbrellaScimOptions } from './connector-scim.ts';
export { umbrellaApis, umbrellaManifest, umbrellaCapabilities, umbrellaRateRules, umbrellaV2RateRules, type UmbrellaApi } from './manifest.ts';
export { accountFromUmbrellaUser, isPendingInvitation } from './mapping.ts';
export { previewUmbrella, type UmbrellaPreviewOptions } from './preview.ts';
export { WRONG_V1_KEY } from './client-v1.ts';
export { scopeNeeded } from './client-v2.ts';

const v1Schema = appSchema('umbrella', ['basic'], {
  /** Management API v1: HTTP Basic with a Management API key id (username) and secret (password). */
  api: z.literal('v1'),
  /** The organization roster manages; absent: the only one the key sees (an MSP key must name one). */
  organizationId: z.number().int().positive().optional(),
  /** Which create body the service takes (sources disagree); absent: told by a user read. */
  form: z.enum(['seed', 'legacy']).optional(),
  /** The role of a new account that asks for none (a label, e.g. Read Only). */
  defaultRole: z.string().min(1).optional(),
  /** The timezone of a new account (legacy body). Default UTC. */
  timezone: z.string().min(1).optional(),
});

/** API v2: the API key id and secret, exchanged for bearer tokens at tokenUrl (default <baseUrl>/auth/v2/token). */
const v2Auth = z
  .object({ type: z.literal('oauth2-client-credentials'), clientId: z.string().min(1), clientSecret: secretRef, tokenUrl: z.url().optional() })
  .strict();

const v2Schema = appSchema('umbrella', ['oauth2-client-credentials'], {
  api: z.literal('v2'),
  defaultRole: z.string().min(1).optional(),
  timezone: z.string().min(1).optional(),
}).extend({ auth: v2Auth });

const scimSchema = appSchema('umbrella', ['bearer'], {
  /** Umbrella's SCIM API (/identity/v2/scim): a bearer token. */
  api: z.literal('scim'),
});

const umbrellaSchema = z.discriminatedUnion('api', [v1Schema, v2Schema, scimSchema], {
  error: (issue) => (issue.code === 'invalid_union' ? `an umbrella app names its API: api is ${umbrellaApis.join(', ')}` : undefined),
});

type UmbrellaApp = ResolvedAppOf<z.output<typeof umbrellaSchema>>;

/** Cisco Umbrella: the Management API v1, API v2 or SCIM, as the app's `api` says. */
export const umbrellaModule = defineModule({
  type: 'umbrella',
  title: 'Cisco Umbrella',
  manifest: umbrellaManifest,
  // An app's capabilities depend on its API (capabilitiesFor, which capabilitiesOf(app) reads); without an app, the SCIM API's.
  capabilities: umbrellaCapabilities.scim,
  capabilitiesFor: (app: UmbrellaApp) => umbrellaCapabilities[app.api],
  schema: umbrellaSchema,
  rate: { rules: [] },
  // Only API v2 documents limits: 5/s, 14/min, 350/30 min, counted per API key.
  rateFor: (app: UmbrellaApp) => ({ rules: umbrellaRateRules[app.api] }),
  budgetKey: (app: UmbrellaApp) => (app.api === 'v2' ? `umbrella-v2:${umbrellaV2Origin(app.baseUrl)}:${app.auth.clientId}` : `${app.name}:${app.baseUrl}`),
  create(app: UmbrellaApp, budget) {
    const common = { appName: app.name, baseUrl: app.baseUrl, pageSize: app.pageSize, timeoutMs: app.timeoutMs, maxWaitMs: app.maxWaitMs, budget };
    switch (app.api) {
      case 'v1':
        return createUmbrellaConnector({ api: 'v1', ...common, auth: basicAuth(app.auth.username, app.auth.password), organizationId: app.organizationId, form: app.form, defaultRole: app.defaultRole, timezone: app.timezone });
      case 'v2':
        return createUmbrellaConnector({ api: 'v2', ...common, key: app.auth.clientId, secret: app.auth.clientSecret, tokenUrl: app.auth.tokenUrl, defaultRole: app.defaultRole, timezone: app.timezone });
      case 'scim':
        return createUmbrellaConnector({ api: 'scim', ...common, auth: bearerAuth(app.auth.token) });
    }
  },
  preview: (change, app?: UmbrellaApp) =>
    previewUmbrella(app?.api ?? 'scim', change, app?.api === 'v1' ? { organizationId: app.organizationId, form: app.form, defaultRole: app.defaultRole } : app?.api === 'v2' ? { defaultRole: app.defaultRole } : {}),
});
