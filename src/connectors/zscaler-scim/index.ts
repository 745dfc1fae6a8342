// ZIA SCIM: its connector module, and the plain factories and data it wraps.
import { z } from 'zod';
import { appSchema } from '../../config/app-schema.ts';
import type { Secret } from '../../config/secret.ts';
import type { Change, RequestPreview } from '../../core/plan.ts';
import type { AccountInput } from '../connector.ts';
import { bearerAuth } from '../http/auth.ts';
import { RateBudget, type RateRule } from '../http/rate-budget.ts';
import { defineModule } from '../module.ts';
import { patchOperationsFor, scimUserFromInput } from '../scim/mapping.ts';
import { ZiaScimConnector } from './connector.ts';
import { ziaScimBaseUrl, ziaScimManifest } from './manifest.ts';

export { ZiaScimConnector } from './connector.ts';
export type { ZiaScimConnectorOptions } from './connector.ts';
export { ziaScimBaseUrl, ziaScimGroupProblem, ziaScimManifest } from './manifest.ts';

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

/**
 * The requests a change makes in ZIA over SCIM, as a plan shows them (pure; paths below the base
 * URL). A write's answer is its read-back; a group's id is looked up once per run.
 */
export function ziaScimPreview(change: Change): RequestPreview[] {
  const input = (): AccountInput => ({ userName: change.attributes?.userName ?? change.subject, ...change.attributes });
  const patch = (operations: unknown[]) => ({ method: 'PATCH', path: `/Users/${id(change)}`, body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: operations } });
  switch (change.kind) {
    case 'create':
      return [{ method: 'POST', path: '/Users', body: scimUserFromInput(input()) }];
    case 'update':
      return [patch(patchOperationsFor(change.attributes ?? {}))];
    case 'activate':
    case 'deactivate':
      return [patch([{ op: 'replace', path: 'active', value: change.kind === 'activate' }])];
    case 'delete':
      return [{ method: 'DELETE', path: `/Users/${id(change)}` }];
    case 'add-member':
    case 'remove-member':
      return [
        { method: 'GET', path: `/Groups?filter=displayName eq ${JSON.stringify(change.group)}&excludedAttributes=members`, once: true },
        {
          method: 'PATCH',
          path: '/Groups/{group id}',
          body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [change.kind === 'add-member' ? { op: 'add', path: 'members', value: [{ value: id(change) }] } : { op: 'remove', path: `members[value eq ${JSON.stringify(id(change))}]` }] },
        },
      ];
  }
}

const where = z.union([z.string().min(1), z.number().int().nonnegative()]);

/**
 * A ZIA SCIM app's config: `baseUrl` as ZIA shows it, or the cloud, organisation id and IdP id it
 * is made from (`cloud: zscalertwo, orgId: 12345, idpId: 678`).
 */
const ziaScimSchema = z.preprocess(
  (input) => {
    if (typeof input !== 'object' || input === null) return input;
    const app = input as { baseUrl?: unknown; cloud?: unknown; orgId?: unknown; idpId?: unknown };
    if (app.baseUrl !== undefined || typeof app.cloud !== 'string' || app.orgId === undefined || app.idpId === undefined) return input;
    return { ...app, baseUrl: ziaScimBaseUrl({ cloud: app.cloud, orgId: app.orgId as string, idpId: app.idpId as string }) };
  },
  appSchema('zscaler-scim', ['bearer'], {
    /** The ZIA cloud (zscaler, zscalertwo, zscalerthree, …), with orgId and idpId instead of baseUrl. */
    cloud: z.string().min(1).optional(),
    orgId: where.optional(),
    idpId: where.optional(),
  }),
);

/** Zscaler Internet Access over its SCIM 2.0 endpoint: the generic SCIM connector with ZIA's limits. */
export const ziaScimModule = defineModule({
  type: 'zscaler-scim',
  title: 'Zscaler Internet Access (SCIM)',
  manifest: ziaScimManifest,
  capabilities: ziaScimManifest.capabilities,
  schema: ziaScimSchema,
  // Documented: 5 requests a second, per token.
  rate: { rules: ziaScimRateRules },
  create: (app, budget) => new ZiaScimConnector({ appName: app.name, baseUrl: app.baseUrl, pageSize: app.pageSize, timeoutMs: app.timeoutMs, maxWaitMs: app.maxWaitMs, auth: bearerAuth(app.auth.token), budget }),
  preview: ziaScimPreview,
});
