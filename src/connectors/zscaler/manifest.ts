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
    /** No documented soft-delete: leavers are deleted unless the app opts into `disableLeavers`. */
    deactivate: false,
    /** An account disabled by hand is enabled again for an active person. */
    reactivate: true,
    deleteAccount: true,
    bulkDelete: true,
    stagesWrites: true,
    fixedAfterCreate: ['email'],
    groupsOnCreate: true,
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
    total: 'none: the answer is a bare array; a page shorter than asked ends the list only when the next page is empty or shorter than the server really serves',
  },
  /** Most ids one POST /users/bulkDelete takes. */
  bulkDeleteMax: 500,
  /** Most characters in a user's name (UTF-8 characters, not bytes). */
  nameMaxLength: 127,
  /** Attributes ZIA takes on create but ignores on PUT: changing one takes a new account. */
  /** Why ZIA will not delete an admin through the API, as roster tells it. */
  adminUndeletable: 'a ZIA admin cannot be deleted through the API; remove the admin role in the ZIA portal first',
  /**
   * The org's edit lock and its cousins: answers that mean "busy, nothing was done, come back".
   * Statuses and the words that identify them (in the code or message of the body).
   */
  editLock: {
    statuses: [401, 409, 412],
    signs: ['EDIT_LOCK_NOT_AVAILABLE', 'Failed during enter Org barrier', 'Resource Access Blocked'],
    /** The Python SDK waits 5·2ⁿ s capped at 60 s; the Go SDK 5-20 s, up to 100 tries. */
    waitBaseMs: 5 * SECOND,
    waitCapMs: 60 * SECOND,
  },
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
  /** Reads recorded answering 429 "Rate Limit (1/SECOND)" though GET is documented at 2/s. */
  slowReads: { paths: ['/users', '/groups', '/departments'], limit: 1, windowMs: SECOND },
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
    'lists are bare arrays with no total, and a tenant may clamp pageSize without a word: a page shorter than asked is the end only when the next one is empty (or shorter than the size the server really served)',
    '`search` is not a filter: the API ignores it and answers the unfiltered first page; only name, dept and group filter',
    'user names have at most 127 characters',
    'POST /users answers 200, not 201, and needs password, department and groups',
    'PUT /users/{id} is a full replace: fields left out are reset (disabled → false, groups → [])',
    'email is read-only on PUT: an email change needs a new account (a delete and a create)',
    'only regular users can be deleted through the API: an adminUser is refused, by DELETE and bulkDelete alike',
    'there is no documented soft-delete: `disabled` appears in reads but in no SDK or API model, so leavers are deleted unless an app opts into PUT disabled:true',
    'users synced from the IdP (isNonEditable) are read-only: 403 SCOPE_LIMITED',
    'bulkDelete takes at most 500 ids and skips unknown ids without a word: read back to verify',
    'DELETE is limited to 1 a minute and 4 an hour; bulkDelete is a POST (1 a second, 400 an hour): delete through it',
    'every write is staged until POST /status/activate; forgetting it fails silently',
    'GET /status answers INPROGRESS while an activation runs, then ACTIVE, or PENDING if more was staged meanwhile',
    'any call, GET included, may answer 409 EDIT_LOCK_NOT_AVAILABLE while another admin or an activation holds the org edit lock; 412/409 "Failed during enter Org barrier" and "Resource Access Blocked" (sometimes 401) mean the same: wait minutes, with growing waits',
    '/users, /groups and /departments lookups have been seen limited to 1 a second, below the documented 2',
    '429 comes with retry-after and a body "Retry-After":"N seconds", or with neither',
  ],
} as const;
