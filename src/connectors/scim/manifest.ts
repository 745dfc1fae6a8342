/** The generic SCIM 2.0 app's facts, as data (RFC 7643/7644). */
export const scimManifest = {
  type: 'scim',
  authKinds: ['bearer', 'basic', 'header', 'oauth2-client-credentials'],
  /** What a SCIM app can hold and do (RFC 7643's core and enterprise User; Groups; no bulk delete). */
  capabilities: {
    attributes: ['displayName', 'givenName', 'familyName', 'email', 'department', 'title'],
    roles: true,
    groups: true,
    createAccount: true,
    updateAccount: true,
    deactivate: true,
    deleteAccount: true,
    bulkDelete: false,
    bulkMembership: true,
    stagesWrites: false,
  },
  paging: { style: 'startIndex/count', firstIndex: 1, defaultPageSize: 100, pageSizeFrom: 'ServiceProviderConfig filter.maxResults' },
  rateLimits: 'unknown: honour 429 and Retry-After',
  contentType: 'application/scim+json',
  quirks: [
    'a server may cap count below what was asked: page by what came back, not by what was asked',
    'some servers ignore startIndex (the first page every time) or answer totalResults equal to the page: check ids and startIndex, read to an empty page when the total is suspect, fail rather than take a part for the whole',
    'filtering is optional (RFC 7644): when ServiceProviderConfig says filter.supported false, or a filter is refused or ignored, find accounts from one full read',
    'some servers answer ?attributes=members with members that carry no value ([{}, {}]): read the whole group',
    'some servers require name.givenName and name.familyName on create: send every attribute known',
    'PATCH answers 200 with the resource or 204 with nothing',
    'discovery endpoints may need no auth',
  ],
} as const;
