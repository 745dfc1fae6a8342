/**
 * Netskope facts, as data (vendors.md "Netskope"). Behaviour lives in http.ts, connector.ts and
 * events.ts; the numbers and words they use come from here.
 */
export const netskopeManifest = {
  type: 'netskope',
  /** The token goes in Netskope's own header; `Authorization: Bearer` is accepted too. */
  auth: { header: 'Netskope-Api-Token', alsoAccepted: 'Authorization: Bearer <token>' },
  /**
   * SCIM and the audit events both take a REST API v2 token, granted per endpoint: SCIM needs
   * `/api/v2/scim/Users` and `/api/v2/scim/Groups` in its list, events `/api/v2/events/data/audit`.
   * The SCIM-only token (Settings > Tools > SCIM) is deprecated, still met in tenants, and works on
   * SCIM alone. Every refusal — endpoint not granted, token revoked, address off the IP allow list,
   * and per Netskope's own plugin an invalid token — is the same bare 403.
   */
  tokenKinds: {
    restV2: { madeUnder: 'Settings > Tools > REST API v2', grantedPerEndpoint: true, scim: ['/api/v2/scim/Users', '/api/v2/scim/Groups'], events: ['/api/v2/events/data/audit'] },
    legacyScim: { madeUnder: 'Settings > Tools > SCIM (deprecated)', for: ['/api/v2/scim/Users', '/api/v2/scim/Groups'] },
  },
  /** Users have no roles; only these attributes are kept; Groups without bulk operations; writes are live at once. */
  capabilities: {
    attributes: ['displayName', 'givenName', 'familyName', 'email'],
    roles: false,
    groups: true,
    createAccount: true,
    updateAccount: true,
    deactivate: true,
    deleteAccount: true,
    bulkDelete: false,
    bulkMembership: true,
    stagesWrites: false,
  },
  scimPath: '/api/v2/scim',
  restPath: '/api/v2',
  contentType: 'application/scim+json',
  paging: {
    scim: { style: 'startIndex/count', firstIndex: 1, defaultPageSize: 100, pageSizeFrom: 'ServiceProviderConfig filter.maxResults, else 100' },
    /** REST v2 events page with limit/offset; SCIM's startIndex/count there silently gets nothing. */
    events: { style: 'limit/offset', offsetAlias: 'skip', maxLimit: 5000, timeUnit: 'epoch seconds' },
  },
  /** Per token, observed; answers carry ratelimit-limit / -remaining / -reset (seconds). */
  rateLimit: { requests: 300, perMs: 60_000, headers: ['ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset'], retryAfter: 'usually absent: wait for ratelimit-reset', body: '{"message":"API rate limit exceeded"}' },
  /**
   * User PATCH paths Netskope takes (no value filters): an email change replaces `emails` whole.
   * Group PATCH paths are lowercase (`members`, `externalid`, `displayname`); a member is removed
   * as Netskope's own plugin does it: `{op: remove, path: members, value: [{value: id}]}`.
   */
  patchPaths: {
    users: ['userName', 'active', 'externalId', 'displayName', 'name.givenName', 'name.familyName', 'emails', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department'],
    groups: ['members', 'externalid', 'displayname'],
  },
  /** What a leaver gets unless policy says delete: DELETE also erases the user's audit history. */
  leaverDefault: 'deactivate',
  /** Attempts for a read that answers 200 with an error body (writes are never repeated). */
  errorBodyReadAttempts: 3,
  quirks: [
    'people are known by userName (an email) but every per-user call needs the id (a UUID): resolve with filter userName eq first',
    'users have no groups attribute; groups leave out members unless asked with ?attributes=members',
    'PATCH answers 204 with no body: read the user back',
    'PUT replaces the whole user and clears what it leaves out: never PUT a partial user',
    'DELETE removes the user and its audit history; deactivation (active=false) keeps both',
    'some calls answer HTTP 200 with {"status":"error",…} or {"ok":0}: that is a failure',
    'group membership reaches policy asynchronously (minutes)',
    'SSO must be configured in the tenant before SCIM works; no bulk operations',
    'group PATCH paths are lowercase: members, externalid, displayname',
    'user PATCH takes a fixed list of paths and no value filters: emails is replaced whole',
    'audit events arrive late: read them by insertion time (insertionstarttime/insertionendtime), never by event time',
    'a refused token gets a bare 403 whatever the cause: endpoint not granted, revoked, IP allow list',
  ],
} as const;

/** What a bare 403 on the SCIM API can mean: Netskope does not say which. */
export const BARE_403_ON_SCIM =
  'Netskope answers so, without saying which cause, when the REST API v2 token is not granted the SCIM endpoints (/api/v2/scim/Users and /api/v2/scim/Groups), when the token was revoked or is not valid, or when this address is not on the tenant\'s IP allow list';
/** What a bare 403 on the REST API v2 (audit events) can mean. */
export const BARE_403_ON_REST =
  'Netskope answers so, without saying which cause, when the REST API v2 token is not granted the events endpoint (/api/v2/events/data/audit; a SCIM-only token has none), when the token was revoked or is not valid, or when this address is not on the tenant\'s IP allow list';

/**
 * The SCIM base URL for a configured one: a bare tenant (https://acme.goskope.com) gets
 * /api/v2/scim; anything with a path is taken as given.
 */
export function netskopeScimBaseUrl(baseUrl: string): string {
  const url = new URL(baseUrl);
  const path = url.pathname.replace(/\/+$/, '');
  url.pathname = path === '' ? netskopeManifest.scimPath : path;
  return url.toString().replace(/\/+$/, '');
}

/** The REST API v2 base (https://<tenant>.goskope.com/api/v2) for a tenant or SCIM base URL. */
export function netskopeRestBaseUrl(baseUrl: string): string {
  const url = new URL(baseUrl);
  const at = url.pathname.indexOf(netskopeManifest.scimPath);
  const prefix = at >= 0 ? url.pathname.slice(0, at) : url.pathname.replace(/\/+$/, '');
  url.pathname = `${prefix}${netskopeManifest.restPath}`;
  return url.toString().replace(/\/+$/, '');
}
