import type { ScimRateLimit } from '../scim/index.ts';

/** ZIA SCIM's documented limits (Zscaler's SCIM provisioning pages). */
export const ZIA_SCIM_LIMITS = {
  /** Users or groups a list answers at most. */
  maxPageSize: 1000,
  /** Groups one user may be in. */
  maxGroupsPerUser: 128,
  /** Requests a second, per tenant's SCIM endpoint. */
  requestsPerSecond: 5,
} as const;

/** Attributes a filter may name (with `eq` only), per resource. */
export const ZIA_SCIM_FILTERS = {
  Users: ['userName', 'externalId', 'id'],
  // Not in Zscaler's list, which speaks of users; IdPs match groups by displayName, and ZIA works with them.
  Groups: ['displayName', 'externalId', 'id'],
} as const;

export const DEFAULT_ZIA_SCIM_RATE_LIMIT: ScimRateLimit = { requests: ZIA_SCIM_LIMITS.requestsPerSecond, perMs: 1000, retryAfter: 'seconds' };

/** Live settings of the ZIA SCIM simulator (the SCIM simulator's own are under `sim.scim.settings`). */
export interface ZiaScimSimulatorSettings {
  /** Groups a user may be in; one more answers 400. Default 128. */
  maxGroupsPerUser: number;
}
