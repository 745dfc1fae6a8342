import { appSchema } from '../../config/app-schema.ts';
import type { Change, RequestPreview } from '../../core/plan.ts';
import type { AccountInput } from '../connector.ts';
import { authStrategyFor } from '../http/auth-from-config.ts';
import { defineModule } from '../module.ts';
import { ScimConnector } from './connector.ts';
import { scimManifest } from './manifest.ts';
import { patchOperationsFor, scimUserFromInput } from './mapping.ts';

const id = (change: Change) => change.remoteId ?? '{new id}';
const input = (change: Change): AccountInput => ({ userName: change.attributes?.userName ?? change.subject, ...change.attributes });

/** The requests a change makes on a SCIM 2.0 API under `prefix` (also Netskope's, under /api/v2/scim). */
export function scimPreview(change: Change, prefix = ''): RequestPreview[] {
  const users = `${prefix}/Users`;
  const read = { method: 'GET', path: `${users}/${id(change)}` };
  switch (change.kind) {
    case 'create':
      // The answer (201 with the user) is the read-back; a 409 would lead to a lookup instead.
      return [{ method: 'POST', path: users, body: scimUserFromInput(input(change)) }];
    case 'update':
      return [{ method: 'PATCH', path: `${users}/${id(change)}`, body: { Operations: patchOperationsFor(change.attributes ?? {}) } }];
    case 'activate':
      return [{ method: 'PATCH', path: `${users}/${id(change)}`, body: { Operations: [{ op: 'replace', path: 'active', value: true }] } }];
    case 'deactivate':
      // Read first: the record is snapshotted before the account is switched off.
      return [read, { method: 'PATCH', path: `${users}/${id(change)}`, body: { Operations: [{ op: 'replace', path: 'active', value: false }] } }];
    case 'delete':
      return [read, { method: 'DELETE', path: `${users}/${id(change)}` }];
    case 'add-member':
    case 'remove-member':
      return [
        { method: 'GET', path: `${prefix}/Groups?filter=displayName eq ${JSON.stringify(change.group)}`, once: true },
        // The answer (the group with its members) is the read-back; a server that answers 204, or
        // without members, is asked again with GET /Groups/{id}?attributes=members.
        { method: 'PATCH', path: `${prefix}/Groups/{group id}`, body: { Operations: [change.kind === 'add-member' ? { op: 'add', path: 'members', value: [{ value: id(change) }] } : { op: 'remove', path: `members[value eq "${id(change)}"]` }] } },
      ];
  }
}

/** Any SCIM 2.0 app (RFC 7643/7644). */
export const scimModule = defineModule({
  type: 'scim',
  title: 'SCIM 2.0 app',
  manifest: scimManifest,
  capabilities: scimManifest.capabilities,
  schema: appSchema('scim', ['bearer', 'basic', 'header', 'oauth2-client-credentials']),
  // RFC 7644 documents no limits: honour 429 and Retry-After.
  rate: { rules: [] },
  create: (app, budget) => new ScimConnector({ appName: app.name, baseUrl: app.baseUrl, pageSize: app.pageSize, timeoutMs: app.timeoutMs, maxWaitMs: app.maxWaitMs, auth: authStrategyFor(app), budget }),
  preview: (change) => scimPreview(change),
});
