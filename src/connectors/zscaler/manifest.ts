/**
 * Zscaler Internet Access (ZIA) facts, as data (vendors.md "Zscaler Internet Access"). Behaviour
 * lives in client.ts, session-auth.ts and connector.ts; the numbers they use come from here.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

export const ziaClouds = ['zscaler', 'zscalerone', 'zscalertwo', 'zscalerthree', 'zscloud', 'zscalerbeta'] as const;
export type ZiaCloud = (typeof ziaClouds)[number];

export type ZiaMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export const zscalerManifest = {
  type: 'zscaler',
  /** `zscaler-session`: JSESSIONID from POST /authenticatedSession (legacy API); `bearer`: OneAPI OAuth2 token. */
  authKinds: ['zscaler-session', 'bearer'],
  baseUrlForms: {
    legacy: 'https://zsapi.<cloud>.net/api/v1',
    oneApi: 'https://api.zsapi.net/zia/api/v1',
  },
  clouds: ziaClouds,
  /** Users have a name, an email and a department (no given/family name, no title, no roles); bulk delete; writes are staged until activated. */
  capabilities: {
    attributes: ['displayName', 'email', 'department'],
    roles: false,
    groups: true,
    createAccount: true,
    updateAccount: true,
    deactivate: true,
    deleteAccount: true,
    bulkDelete: true,
    stagesWrites: true,
  },
  session: {
    loginPath: '/authenticatedSession',
    cookie: 'JSESSIONID',
    /** Sessions die after about this long without a request (401 SESSION_NOT_VALID). */
    idleMs: 5 * MINUTE,
  },
  contentType: 'application/json',
  paging: {
    style: 'page/pageSize',
    firstPage: 1,
    defaultPageSize: 100,
    /** The largest pageSize the vendor's SDKs use; a tenant may clamp lower without saying so. */
    maxPageSize: 10_000,
    total: 'none: the answer is a bare array; page until a short page',
  },
  /** Most ids one POST /users/bulkDelete takes. */
  bulkDeleteMax: 500,
  /** Most characters in a user's name. */
  nameMaxLength: 64,
  /** Documented per-session limits, per method (POST and PUT have separate budgets). */
  rateLimits: {
    GET: [
      { limit: 2, windowMs: SECOND },
      { limit: 1000, windowMs: HOUR },
    ],
    POST: [
      { limit: 1, windowMs: SECOND },
      { limit: 400, windowMs: HOUR },
    ],
    PUT: [
      { limit: 1, windowMs: SECOND },
      { limit: 400, windowMs: HOUR },
    ],
    DELETE: [
      { limit: 1, windowMs: MINUTE },
      { limit: 4, windowMs: HOUR },
    ],
  } satisfies Record<ZiaMethod, readonly { limit: number; windowMs: number }[]>,
  rateLimitHeaders: ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'],
  /** Activation: GET /status answers one of these; writes are staged until POST /status/activate. */
  activationStatuses: ['ACTIVE', 'PENDING', 'INPROGRESS'],
  errorCodes: {
    sessionExpired: 'SESSION_NOT_VALID',
    loginFailed: 'AUTHENTICATION_FAILED',
    editLock: 'EDIT_LOCK_NOT_AVAILABLE',
    idpManaged: 'SCOPE_LIMITED',
    duplicate: 'DUPLICATE_ITEM',
    notFound: 'RESOURCE_NOT_FOUND',
    invalid: 'INVALID_INPUT_ARGUMENT',
  },
  quirks: [
    'login sends an obfuscation of the 12-character API key, keyed by the epoch-millisecond timestamp, never the key',
    'a wrong cloud host fails login with the same 401 as a wrong password',
    'the session is the first Set-Cookie (JSESSIONID=<id>;); a second cookie follows',
    'request bodies without content-type application/json get 415',
    'lists are bare arrays with no total: a short page ends the list, so never ask above the max page size (a clamped page looks short)',
    'POST /users answers 200, not 201, and needs password, department and groups',
    'PUT /users/{id} is a full replace: fields left out are reset (disabled → false, groups → [])',
    'users synced from the IdP (isNonEditable) are read-only: 403 SCOPE_LIMITED',
    'bulkDelete takes at most 500 ids and skips unknown ids without a word: read back to verify',
    'DELETE is limited to 1 a minute and 4 an hour; bulkDelete is a POST (1 a second, 400 an hour): delete through it',
    'every write is staged until POST /status/activate; forgetting it fails silently',
    'GET /status answers INPROGRESS while an activation runs, then ACTIVE, or PENDING if more was staged meanwhile',
    'writes during an activation answer 409 EDIT_LOCK_NOT_AVAILABLE: retry',
    '429 comes with retry-after and a body "Retry-After":"N seconds", or with neither',
  ],
} as const;

/** The legacy API base URL for a ZIA cloud. */
export function ziaBaseUrl(cloud: ZiaCloud): string {
  return `https://zsapi.${cloud}.net/api/v1`;
}

/** The OneAPI base URL (bearer tokens from ZIdentity). */
export const ziaOneApiBaseUrl = zscalerManifest.baseUrlForms.oneApi;
