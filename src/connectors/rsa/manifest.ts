/**
 * RSA ID Plus (Cloud Authentication Service) Unified Directory SCIM facts, as data (vendors.md
 * "RSA ID Plus — Unified Directory SCIM"). Behaviour lives in http.ts, mapping.ts and connector.ts;
 * the numbers and words they use come from here.
 */
export const rsaManifest = {
  type: 'rsa',
  /** `Authorization: Bearer <client secret>`, the secret from the identity source's settings. */
  auth: {
    kind: 'bearer',
    credential: 'the client secret under Users > Identity Sources > Unified Directory > Edit',
    publishing: 'a newly generated secret works only after Save Settings and Publish Changes',
  },
  baseUrlForm: 'the tenant-specific Base URI copied from the console (Users > Identity Sources > Unified Directory > Edit); resources at <base>/Users',
  contentType: 'application/scim+json',
  /** Users only: groups cannot be managed over SCIM. */
  resources: ['Users'],
  /** What an RSA app can hold and do: users only (no groups, no roles), leavers deactivated by default. */
  capabilities: {
    attributes: ['givenName', 'familyName', 'email'],
    roles: false,
    groups: false,
    createAccount: true,
    updateAccount: true,
    deactivate: true,
    deleteAccount: true,
    bulkDelete: false,
    stagesWrites: false,
  },
  paging: { style: 'startIndex/count', firstIndex: 1, defaultPageSize: 100 },
  /** The only searches RSA answers; anything else is 400 "Unsupported Search Filter". */
  search: { operators: ['eq'], attributes: ['userName', 'emails', 'id'] },
  requiredOnCreate: ['userName', 'emails[type eq "work"].value'],
  /** SCIM attribute → the field on Users > Management, and roster's name for it. */
  consoleMapping: [
    { scim: 'name.givenName', console: 'First Name', roster: 'givenName' },
    { scim: 'name.familyName', console: 'Last Name', roster: 'familyName' },
    { scim: 'userName', console: 'Username', roster: 'userName' },
    { scim: 'emails[type eq "work"].value', console: 'Email Address', roster: 'email' },
    { scim: 'active', console: 'User Status', roster: 'active' },
    { scim: 'phoneNumbers[type eq "mobile"].value', console: 'SMS and Voice phone', roster: 'mobilePhone' },
  ],
  /** PATCH ops RSA takes: lowercase only (Entra's title case needs the aadOptscim062020 flag). */
  patchOps: ['add', 'replace', 'remove'],
  /** PATCH and PUT answer 200 with the whole user: no read-back needed. */
  patchAnswersResource: true,
  /** None published. A 429 says when to come back, as `Retry-After: 2 seconds`. */
  rateLimit: { documented: false, retryAfterForm: '"<n> seconds"' },
  /** What a leaver gets: deactivation keeps the user (and a Local identity source's users cannot be deleted). */
  leaverDefault: 'deactivate',
  quirks: [
    'users only: groups cannot be managed over SCIM (/Groups answers 404)',
    'a create needs userName and a work email, emails[type eq "work"].value',
    'search only with eq, only on userName, emails or id; anything else answers 400 "Unsupported Search Filter"',
    'PUT replaces the whole user; PATCH add/replace/remove answers 200 with the whole user; paths are case-insensitive',
    'Entra sends PATCH ops in title case unless the tenant URL carries aadOptscim062020: roster sends them lowercase',
    'DELETE answers 405 for users of a Local identity source: they are deleted in the console, or deactivated',
    'a 429 carries Retry-After written as "2 seconds"',
    'a newly generated client secret answers 401 until it is saved and published in the console',
  ],
} as const;

/** Said when RSA refuses the client secret (401). */
export const SECRET_REFUSED =
  'RSA refused the client secret; check it in roster.yaml (a newly generated secret works only after Save Settings and Publish Changes in the Cloud Administration Console)';

/** Said when RSA answers a DELETE with 405. */
export const LOCAL_SOURCE_DELETE =
  'RSA does not delete users of a Local identity source over SCIM (405); delete the user in the Cloud Administration Console, or deactivate instead';

/** Said when something asks RSA for groups. */
export const NO_GROUPS = 'RSA ID Plus cannot manage groups over SCIM (users only)';
