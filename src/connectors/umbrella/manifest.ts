import type { Capabilities } from '../../core/capabilities.ts';
import type { RateRule } from '../http/rate-budget.ts';

/** The three Umbrella APIs one `umbrella` app can speak; the config says which. */
export const umbrellaApis = ['v1', 'v2', 'scim'] as const;
export type UmbrellaApi = (typeof umbrellaApis)[number];

/**
 * Cisco Umbrella's facts, as data (vendors.md "Cisco Umbrella"). Behaviour lives in client-v1.ts,
 * client-v2.ts and the connectors; the numbers and words they use come from here.
 */
export const umbrellaManifest = {
  type: 'umbrella',
  /** What a v1/v2 account waiting for its invitation says (RemoteAccount.pending). */
  pendingInvitation: 'invited by email; the invitation is not yet accepted',
  v1: {
    name: 'Management API v1',
    auth: 'basic',
    authNote: 'HTTP Basic with a Management API key id and secret; a Reporting API key is refused with a bare 403',
    baseUrlForm: 'https://management.api.umbrella.com/v1',
    paging: { style: 'page/limit', firstPage: 1, maxPageSize: 200, defaultPageSize: 100, total: false, end: 'a page shorter than the limit' },
    rateLimits: 'none documented: honour 429 and Retry-After',
    roles: ['Full Admin', 'Read Only', 'Block Page Bypass', 'Reporting Only', 'Investigate Only', 'Security Administrator'],
    createBodies: {
      seed: '{name, email, role} — role a case-sensitive label; a duplicate email answers 400',
      legacy: '{firstname, lastname, email, password, roleId, timezone}, all required; answers 200 with {id, email, role, roleId, timezone, status, twoFactorEnable}',
    },
    quirks: [
      'almost every path needs the organizationId: GET /organizations lists what the key sees (an MSP key sees several)',
      'a Management key and a Reporting key are different kinds; the wrong one fails with no reason',
      'users page with page/limit (limit at most 200) and carry no total: page until a short page',
      'a new account is pending until the person accepts the emailed invitation',
      'PUT replaces the whole user: a field left out goes back to its default (the role to Read Only), so update is read-merge-write',
      'DELETE is permanent; deleting the last Full Admin of an organization is refused',
      'there is no deactivate: a leaver is deleted',
      'no groups over this API',
    ],
  },
  v2: {
    name: 'API v2',
    auth: 'oauth2-client-credentials',
    authNote: 'an API key id and secret, as Basic on POST /auth/v2/token with grant_type=client_credentials; the bearer token lasts expires_in (3600 s)',
    baseUrlForm: 'https://api.umbrella.com',
    tokenPath: '/auth/v2/token',
    usersPath: '/admin/v2/users',
    rolesPath: '/admin/v2/roles',
    paging: { style: 'page/limit', firstPage: 1, maxPageSize: 100, defaultPageSize: 100, total: false, end: 'a page shorter than the limit' },
    scopes: { read: 'admin.users:read', write: 'admin.users:write', roles: 'admin.roles:read' },
    /** Per API key, documented. */
    rateLimits: [
      { limit: 5, windowMs: 1_000 },
      { limit: 14, windowMs: 60_000 },
      { limit: 350, windowMs: 1_800_000 },
    ],
    tokenRateLimit: { limit: 20, windowMs: 60_000 },
    retryAfter: 'sometimes present, sometimes not: back off exponentially when absent',
    quirks: [
      'an expired token gets 400 {"error":"invalid_request"} (secondary sources; a 401 is as likely): fetch a new token and try once more',
      'a key without the scope a call needs gets 403 with nothing to say which scope',
      'there is no PUT or PATCH for users: any change (a role, a name, an email) is a delete and a create',
      'to re-create a deleted user send only {email, roleId}: the full body answers 400 "Email already in use"',
      'a new account is pending until the person accepts the emailed invitation',
      'deleting the last Full Admin is refused',
      'no deactivate and no groups over this API',
    ],
  },
  scim: {
    name: 'SCIM',
    auth: 'bearer',
    authNote: 'a static bearer token that does not expire (Cisco advises rotating it every 180 days); Enterprise plan and SAML first',
    baseUrlForm: 'https://api.umbrella.com/identity/v2/scim',
    path: '/identity/v2/scim',
    extension: 'urn:ietf:params:scim:schemas:extension:ciscoumbrella:2.0:User',
    maxGroups: 200,
    rateLimits: 'none documented: honour 429 and Retry-After',
    quirks: [
      'userName is the only attribute Users can be filtered on (eq); displayName the only one for Groups',
      'a user holds userName, externalId, active, displayName, name and the ciscoumbrella extension\'s nativeObjectId (the AD objectGUID); emails, title and department are not kept',
      'at most 200 groups',
      'DELETE of a user only deactivates it; deactivation may not end live sessions at once',
    ],
  },
} as const;

/**
 * Rate rules for the documented API v2 budget (5/s, 14/min, 350/30 min per key), written for
 * RateBudget's token buckets so that no window of the documented length can ever hold more than
 * its limit, however the windows fall: a bucket of size c refilling at r admits at most c + r·W in
 * any window W. Sustained they allow 346 requests in 30 minutes (99 % of 350), in bursts of 2.
 */
export const umbrellaV2RateRules: readonly RateRule[] = [
  // ≤ 5 in any second: 1 + 4/s × 1 s.
  { limit: 1, windowMs: 250 },
  // ≤ 14 in any minute: 2 + 12/min × 1 min.
  { limit: 2, windowMs: 10_000 },
  // ≤ 350 in any 30 minutes: 2 + 346.2 (one request every 5.2 s).
  { limit: 2, windowMs: 10_400 },
];

/** Rate rules per API (none documented for v1 and SCIM: 429s are honoured as they come). */
export const umbrellaRateRules: Record<UmbrellaApi, readonly RateRule[]> = { v1: [], v2: umbrellaV2RateRules, scim: [] };

/**
 * What each Umbrella API can hold and do, in roster's one capability model. v1: no deactivate, no
 * groups, a PUT that replaces (read-merge-write). v2: no update at all — the role and the email are
 * fixed after create (a change is a delete and a create, held for approval), and the names are
 * sent on create but never compared (a re-created account gets its former names back). SCIM: no
 * delete (DELETE only deactivates), at most 200 groups.
 */
export const umbrellaCapabilities: Record<UmbrellaApi, Capabilities> = {
  v1: { attributes: ['displayName', 'email'], roles: true, groups: false, createAccount: true, updateAccount: true, deactivate: false, deleteAccount: true, bulkDelete: false, stagesWrites: false },
  v2: {
    attributes: ['email', 'displayName', 'givenName', 'familyName'],
    roles: true,
    groups: false,
    createAccount: true,
    updateAccount: false,
    deactivate: false,
    deleteAccount: true,
    bulkDelete: false,
    stagesWrites: false,
    fixedAfterCreate: ['email', 'role'],
    createOnly: ['displayName', 'givenName', 'familyName'],
  },
  scim: {
    attributes: ['displayName', 'givenName', 'familyName'],
    roles: false,
    groups: true,
    createAccount: true,
    updateAccount: true,
    deactivate: true,
    deleteAccount: false,
    bulkDelete: false,
    stagesWrites: false,
    maxGroups: 200,
  },
};
