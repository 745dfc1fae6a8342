// RSA ID Plus (Unified Directory SCIM): its connector module, and the plain factories and data it wraps.
import { z } from 'zod';
import { appSchema, policySchema } from '../../config/app-schema.ts';
import type { Secret } from '../../config/secret.ts';
import { bearerAuth } from '../http/auth.ts';
import type { RateBudget, RateRule } from '../http/rate-budget.ts';
import { defineModule } from '../module.ts';
import { RsaConnector, type RsaConnectorOptions } from './connector.ts';
import { rsaManifest } from './manifest.ts';
import { rsaPolicyIssues } from './policy.ts';
import { rsaPreview } from './preview.ts';

export { RsaConnector } from './connector.ts';
export type { RsaConnectorOptions, RsaOffboardResult } from './connector.ts';
export { LOCAL_SOURCE_DELETE, NO_GROUPS, rsaManifest, SECRET_REFUSED } from './manifest.ts';
export { accountFromRsaUser, mobilePhoneOf, RSA_ATTRIBUTES, rsaPatchOperations, rsaUserFromInput } from './mapping.ts';
export type { RsaAccountInput } from './mapping.ts';
export { rsaPolicyIssues, rsaPolicyProblems } from './policy.ts';
export type { RsaPolicyInput, RsaPolicyIssue } from './policy.ts';
export { rsaPreview } from './preview.ts';

/** How much slower than a configured limit roster paces RSA (see rsaRateRules). */
export const RSA_PACE_HEADROOM = 1.05;

/**
 * RSA publishes no rate limit: by default none (roster waits out each 429's `Retry-After: 2
 * seconds`). A tenant that knows its limit configures it, `{requests, perSeconds}`, and roster
 * spreads requests evenly over it instead of bursting: a burst that trips the limit costs the
 * whole two seconds RSA asks for, where an even pace never trips it.
 */
export function rsaRateRules(configured?: { requests: number; perSeconds: number }): RateRule[] {
  if (!configured) return [];
  if (!(configured.requests > 0) || !(configured.perSeconds > 0)) throw new RangeError(`an RSA rate limit needs requests > 0 and perSeconds > 0, got ${configured.requests}/${configured.perSeconds}`);
  // 5 % under the limit: arrivals jitter by milliseconds, by tens of them on a loaded host, and one
  // early arrival costs two seconds (twenty requests at 10 a second): the headroom is the cheaper.
  return [{ limit: 1, windowMs: ((configured.perSeconds * 1000) / configured.requests) * RSA_PACE_HEADROOM }];
}

export interface CreateRsaConnectorOptions {
  appName: string;
  /** The Base URI copied from the console. */
  baseUrl: string;
  clientSecret: Secret;
  pageSize?: number | undefined;
  timeoutMs?: number | undefined;
  maxWaitMs?: number | undefined;
  backoffBaseMs?: number | undefined;
  budget?: RateBudget | undefined;
  leaver?: RsaConnectorOptions['leaver'];
}

/** The connector for one configured RSA app. */
export function createRsaConnector(options: CreateRsaConnectorOptions): RsaConnector {
  const { clientSecret, ...rest } = options;
  return new RsaConnector({ ...rest, auth: bearerAuth(clientSecret) });
}

/** An RSA app's policy: the common one, refusing at config load what RSA cannot hold (groups, roles). */
const rsaPolicySchema = policySchema
  .superRefine((policy, ctx) => {
    for (const issue of rsaPolicyIssues(policy)) ctx.addIssue({ code: 'custom', path: [issue.path], message: issue.message });
  })
  .prefault({});

/** RSA ID Plus, its Unified Directory over SCIM 2.0: users only, leavers deactivated. */
export const rsaModule = defineModule({
  type: 'rsa',
  title: 'RSA ID Plus',
  manifest: rsaManifest,
  capabilities: rsaManifest.capabilities,
  // auth: the client secret as a bearer token; baseUrl: the Base URI copied from the console.
  schema: appSchema('rsa', ['bearer'], {
    policy: rsaPolicySchema,
    /** RSA publishes no limit; a tenant that knows its own gives it, and roster paces evenly under it. */
    rateLimit: z.object({ requests: z.number().int().positive(), perSeconds: z.number().positive() }).strict().optional(),
  }),
  rate: { rules: [] },
  rateFor: (app) => ({ rules: rsaRateRules(app.rateLimit) }),
  create: (app, budget) => new RsaConnector({ appName: app.name, baseUrl: app.baseUrl, pageSize: app.pageSize, timeoutMs: app.timeoutMs, maxWaitMs: app.maxWaitMs, auth: bearerAuth(app.auth.token), budget }),
  preview: (change) => rsaPreview(change),
});
