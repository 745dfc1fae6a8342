// ZIA SCIM: plain factories and data a connector module can wrap.
import type { Secret } from '../../config/secret.ts';
import type { AppSupport, Change, RequestPreview } from '../../core/plan.ts';
import type { AccountInput } from '../connector.ts';
import { bearerAuth } from '../http/auth.ts';
import { RateBudget, type RateRule } from '../http/rate-budget.ts';
import { patchOperationsFor, scimUserFromInput } from '../scim/mapping.ts';
import { ZiaScimConnector } from './connector.ts';
import { ziaScimManifest } from './manifest.ts';

export { ZiaScimConnector } from './connector.ts';
export type { ZiaScimConnectorOptions } from './connector.ts';
export { ziaScimBaseUrl, ziaScimGroupProblem, ziaScimManifest } from './manifest.ts';

/** What a ZIA SCIM app can hold and do, for the planner. */
export const ziaScimSupport: AppSupport = { attributes: ['displayName', 'givenName', 'familyName', 'email', 'department'], roles: false, groups: true, create: true, deactivate: true, delete: true };

/** The documented budget: 5 requests a second, every request counted. */
export const ziaScimRateRules: readonly RateRule[] = [{ limit: ziaScimManifest.rateLimit.requests, windowMs: ziaScimManifest.rateLimit.perMs }];

export interface CreateZiaScimConnectorOptions {
  appName: string;
  /** `https://scim.<cloud>.net/<orgId>/<idpId>/scim` (see ziaScimBaseUrl). */
  baseUrl: string;
  token: Secret;
  pageSize?: number | undefined;
  timeoutMs?: number | undefined;
  maxWaitMs?: number | undefined;
  backoffBaseMs?: number | undefined;
  /** The token's shared budget. Default: a budget of its own from ziaScimRateRules; false: none. */
  budget?: RateBudget | false | undefined;
}

/** The connector for one configured ZIA SCIM app. */
export function createZiaScimConnector(options: CreateZiaScimConnectorOptions): ZiaScimConnector {
  const { token, budget, ...rest } = options;
  return new ZiaScimConnector({ ...rest, auth: bearerAuth(token), budget: budget === false ? undefined : (budget ?? new RateBudget({ rules: ziaScimRateRules })) });
}

const id = (change: Change) => change.remoteId ?? '{new id}';

/** The requests a change makes in ZIA over SCIM, as a plan shows them (pure; paths below the base URL). */
export function ziaScimPreview(change: Change): RequestPreview[] {
  const read = { method: 'GET', path: `/Users/${id(change)}` };
  const input = (): AccountInput => ({ userName: change.attributes?.userName ?? change.subject, ...change.attributes });
  const patch = (operations: unknown[]) => ({ method: 'PATCH', path: `/Users/${id(change)}`, body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: operations } });
  switch (change.kind) {
    case 'create':
      return [{ method: 'POST', path: '/Users', body: scimUserFromInput(input()) }, read];
    case 'update':
      return [patch(patchOperationsFor(change.attributes ?? {})), read];
    case 'activate':
    case 'deactivate':
      return [patch([{ op: 'replace', path: 'active', value: change.kind === 'activate' }]), read];
    case 'delete':
      return [read, { method: 'DELETE', path: `/Users/${id(change)}` }, read];
    case 'add-member':
    case 'remove-member':
      return [
        { method: 'GET', path: `/Groups?filter=displayName eq ${JSON.stringify(change.group)}&excludedAttributes=members` },
        {
          method: 'PATCH',
          path: '/Groups/{group id}',
          body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [change.kind === 'add-member' ? { op: 'add', path: 'members', value: [{ value: id(change) }] } : { op: 'remove', path: `members[value eq ${JSON.stringify(id(change))}]` }] },
        },
        { method: 'GET', path: `/Groups/{group id}?attributes=members` },
      ];
  }
}
