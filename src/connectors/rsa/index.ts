// RSA ID Plus (Unified Directory SCIM): plain factories and data a connector module can wrap.
import type { Secret } from '../../config/secret.ts';
import type { AppSupport } from '../../core/plan.ts';
import { bearerAuth } from '../http/auth.ts';
import type { RateBudget, RateRule } from '../http/rate-budget.ts';
import { RsaConnector, type RsaConnectorOptions } from './connector.ts';

export { RsaConnector } from './connector.ts';
export type { RsaConnectorOptions, RsaOffboardResult } from './connector.ts';
export { LOCAL_SOURCE_DELETE, NO_GROUPS, rsaManifest, SECRET_REFUSED } from './manifest.ts';
export { accountFromRsaUser, mobilePhoneOf, RSA_ATTRIBUTES, rsaPatchOperations, rsaUserFromInput } from './mapping.ts';
export type { RsaAccountInput } from './mapping.ts';
export { rsaPolicyProblems } from './policy.ts';
export type { RsaPolicyInput } from './policy.ts';
export { rsaPreview } from './preview.ts';

/** What an RSA app can hold and do, for the planner: users only, no roles, leavers deactivated. */
export const rsaSupport: AppSupport = { attributes: ['givenName', 'familyName', 'email'], roles: false, groups: false, create: true, deactivate: true, delete: true };

/** How much slower than a configured limit roster paces RSA (see rsaRateRules). */
export const RSA_PACE_HEADROOM = 1.02;

/**
 * RSA publishes no rate limit: by default none (roster waits out each 429's `Retry-After: 2
 * seconds`). A tenant that knows its limit configures it, `{requests, perSeconds}`, and roster
 * spreads requests evenly over it instead of bursting: a burst that trips the limit costs the
 * whole two seconds RSA asks for, where an even pace never trips it.
 */
export function rsaRateRules(configured?: { requests: number; perSeconds: number }): RateRule[] {
  if (!configured) return [];
  if (!(configured.requests > 0) || !(configured.perSeconds > 0)) throw new RangeError(`an RSA rate limit needs requests > 0 and perSeconds > 0, got ${configured.requests}/${configured.perSeconds}`);
  // 2 % under the limit: arrivals jitter by milliseconds, and one early arrival costs two seconds.
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
