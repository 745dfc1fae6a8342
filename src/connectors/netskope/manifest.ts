/**
 * Netskope facts, as data (vendors.md "Netskope"). Behaviour lives in http.ts, connector.ts and
 * events.ts; the numbers and words they use come from here.
 */
export const netskopeManifest = {
  type: 'netskope',
  /** The token goes in Netskope's own header; `Authorization: Bearer` is accepted too. */
  auth: { header: 'Netskope-Api-Token', alsoAccepted: 'Authorization: Bearer <token>' },
  /**
   * Two kinds of token, made in different places. The wrong kind gets a bare 403 with no body.
   * SCIM calls need the SCIM token; audit events need a REST API v2 token with the `events` scope.
   */
  tokenKinds: {
    scim: { madeUnder: 'Settings > Tools > SCIM' },
    restV2: { madeUnder: 'Settings > Tools > REST API v2', scopes: ['user_data', 'scim', 'events', 'infrastructure'] },
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
  rateLimit: { requests: 300, perMs: 60_000, headers: ['ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset'], retryAfter: 'usually absent: wait for ratelimit-reset' },
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
  ],
} as const;

/** The message for a bare 403 on the SCIM API. */
export const WRONG_TOKEN_FOR_SCIM =
  'this token is not a SCIM token (a REST API v2 token?); SCIM needs a token made under Settings > Tools > SCIM';
/** The message for a bare 403 on the REST API v2. */
export const WRONG_TOKEN_FOR_REST =
  'this token is not a REST API v2 token (the SCIM token?); audit events need a REST API v2 token with the events scope, made under Settings > Tools > REST API v2';

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
