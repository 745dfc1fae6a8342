import { z } from 'zod';
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
  switch (change.kind) {
    case 'create':
      // The answer (201 with the user) is the read-back; a 409 would lead to a lookup instead.
      return [{ method: 'POST', path: users, body: scimUserFromInput(input(change)) }];
    case 'update':
      return [{ method: 'PATCH', path: `${users}/${id(change)}`, body: { Operations: patchOperationsFor(change.attributes ?? {}) } }];
    // The snapshot before a deactivation or a delete is the record the last sync read (a retry reads afresh).
    case 'activate':
    case 'deactivate':
      return [{ method: 'PATCH', path: `${users}/${id(change)}`, body: { Operations: [{ op: 'replace', path: 'active', value: change.kind === 'activate' }] } }];
    case 'delete':
      return [{ method: 'DELETE', path: `${users}/${id(change)}` }];
    case 'add-member':
    case 'remove-member':
      return [
        { method: 'GET', path: `${prefix}/Groups?filter=displayName eq ${JSON.stringify(change.group)}`, once: true },
        // One PATCH carries the batch's members of this group. The answer (the group with its
        // members) is the read-back; one that does not list them is asked again per member.
        { method: 'PATCH', path: `${prefix}/Groups/{group id}`, body: { Operations: [change.kind === 'add-member' ? { op: 'add', path: 'members', value: [{ value: id(change) }] } : { op: 'remove', path: `members[value eq "${id(change)}"]` }] }, merged: true },
      ];
  }
}

/** Any SCIM 2.0 app (RFC 7643/7644). */
export const scimModule = defineModule({
  type: 'scim',
  title: 'SCIM 2.0 app',
  manifest: scimManifest,
  capabilities: scimManifest.capabilities,
  schema: appSchema('scim', ['bearer', 'basic', 'header', 'oauth2-client-credentials'], {
    /** The app's own limit, where its vendor states one: at most `requests` in any `perSeconds`, across every process. */
    rateLimit: z.object({ requests: z.number().int().positive(), perSeconds: z.number().positive() }).strict().optional(),
  }),
  // RFC 7644 documents no limits: honour 429 and Retry-After, and a limit the app's config states.
  rate: { rules: [] },
  rateFor: (app) => ({ rules: app.rateLimit ? [{ limit: app.rateLimit.requests, windowMs: app.rateLimit.perSeconds * 1000 }] : [] }),
  create: (app, budget) => new ScimConnector({ appName: app.name, baseUrl: app.baseUrl, pageSize: app.pageSize, timeoutMs: app.timeoutMs, maxWaitMs: app.maxWaitMs, auth: authStrategyFor(app), budget }),
  preview: (change) => scimPreview(change),
});
