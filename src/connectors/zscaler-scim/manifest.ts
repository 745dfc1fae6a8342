/**
 * Zscaler Internet Access's SCIM 2.0 endpoint, as data (vendors.md "ZIA SCIM"). The behaviour is
 * the generic SCIM connector's; these are the numbers and words it runs with.
 */
export const ziaScimManifest = {
  type: 'zscaler-scim',
  /** A bearer token, shown once when SCIM is enabled for the IdP (Administration > IdP configuration). */
  auth: { kind: 'bearer', shownOnce: true },
  baseUrlForm: 'https://scim.<cloud>.net/<orgId>/<idpId>/scim',
  /** Needs the Enterprise plan, and SAML SSO configured for the IdP first. */
  prerequisites: ['Enterprise plan', 'SAML SSO configured for the IdP'],
  contentType: 'application/scim+json',
  resources: ['Users', 'Groups'],
  /** What a ZIA SCIM app can hold and do: the generic SCIM app's, at most 128 groups per user. */
  capabilities: {
    attributes: ['displayName', 'givenName', 'familyName', 'email', 'department'],
    roles: false,
    groups: true,
    createAccount: true,
    updateAccount: true,
    deactivate: true,
    deleteAccount: true,
    bulkDelete: false,
    stagesWrites: false,
    maxGroupsPerUser: 128,
  },
  paging: { style: 'startIndex/count', firstIndex: 1, maxPageSize: 1000 },
  /** The only filters ZIA answers: `eq` on these. */
  filters: { operators: ['eq'], users: ['userName', 'externalId', 'id'], groups: ['displayName', 'externalId', 'id'] },
  maxGroupsPerUser: 128,
  rateLimit: { requests: 5, perMs: 1000 },
  /** Discovery (/ServiceProviderConfig, /ResourceTypes, /Schemas) needs no token. */
  discoveryWithoutAuth: true,
  leaverDefault: 'deactivate',
  quirks: [
    'users can be filtered only with userName eq, externalId eq or id eq: an email lookup goes by userName (the user principal name, an email in ZIA)',
    'at most 1,000 resources a page',
    'a user can be in at most 128 groups: the 129th is refused',
    'at most 5 requests a second',
    'discovery endpoints need no token',
    'the token is shown once, when SCIM is enabled for the IdP; SAML SSO must be set up first (Enterprise plan)',
  ],
} as const;

/** The base URL for a cloud (`zscalertwo` or `zscalertwo.net`), an organisation id and an IdP id. */
export function ziaScimBaseUrl(where: { cloud: string; orgId: string | number; idpId: string | number }): string {
  const host = where.cloud.includes('.') ? where.cloud : `${where.cloud}.net`;
  return `https://scim.${host}/${encodeURIComponent(String(where.orgId))}/${encodeURIComponent(String(where.idpId))}/scim`;
}

/** Why a person cannot be given these groups in ZIA, or undefined when they can (for the planner). */
export function ziaScimGroupProblem(groups: readonly string[]): string | undefined {
  const count = new Set(groups).size;
  if (count <= ziaScimManifest.maxGroupsPerUser) return undefined;
  return `ZIA allows at most ${ziaScimManifest.maxGroupsPerUser} groups per user; this person would be in ${count}`;
}
