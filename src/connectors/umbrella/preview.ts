import type { Change, RequestPreview } from '../../core/plan.ts';
import type { AccountInput } from '../connector.ts';
import { patchOperationsFor } from '../scim/mapping.ts';
import { umbrellaScimUserFromInput } from './connector-scim.ts';
import { umbrellaManifest, type UmbrellaApi } from './manifest.ts';
import { emailOf, namesFor } from './mapping.ts';

export interface UmbrellaPreviewOptions {
  /** v1: the organization (shown as {org} when absent). */
  organizationId?: number | undefined;
  /** v1: the create body form (default seed). */
  form?: 'seed' | 'legacy' | undefined;
  defaultRole?: string | undefined;
}

const id = (change: Change) => change.remoteId ?? '{new id}';
const input = (change: Change): AccountInput => ({ userName: change.attributes?.userName ?? change.subject, ...change.attributes });
const hidden = '[generated, never shown]';

function v1(change: Change, options: UmbrellaPreviewOptions): RequestPreview[] {
  const users = `/organizations/${options.organizationId ?? '{org}'}/users`;
  const read = { method: 'GET', path: `${users}/${id(change)}` };
  const role = change.attributes?.role ?? options.defaultRole ?? 'Read Only';
  switch (change.kind) {
    case 'create': {
      const i = input(change);
      const body = options.form === 'legacy' ? { ...namesFor(i), email: emailOf(i), password: hidden, roleId: `{roleId of ${role}}`, timezone: 'UTC' } : { name: i.displayName, email: emailOf(i), role };
      return [...(options.form === 'legacy' ? [{ method: 'GET', path: `/organizations/${options.organizationId ?? '{org}'}/roles`, once: true }] : []), { method: 'POST', path: users, body }];
    }
    case 'update':
      return [read, { method: 'PUT', path: `${users}/${id(change)}`, body: { ...change.attributes, '…': 'every other field as read (PUT replaces the whole user)' } }];
    case 'delete':
      return [{ method: 'DELETE', path: `${users}/${id(change)}` }];
    default:
      return [];
  }
}

function v2(change: Change, options: UmbrellaPreviewOptions): RequestPreview[] {
  const { usersPath, rolesPath } = umbrellaManifest.v2;
  switch (change.kind) {
    case 'create': {
      const i = input(change);
      const role = i.role ?? options.defaultRole ?? 'Read Only';
      return [{ method: 'GET', path: rolesPath, once: true }, { method: 'POST', path: usersPath, body: { email: emailOf(i), password: hidden, ...namesFor(i), roleId: `{roleId of ${role}}`, timezone: 'UTC' } }];
    }
    case 'delete':
      return [{ method: 'DELETE', path: `${usersPath}/${id(change)}` }];
    default:
      return [];
  }
}

function scim(change: Change): RequestPreview[] {
  const users = '/Users';
  switch (change.kind) {
    case 'create':
      return [{ method: 'POST', path: users, body: umbrellaScimUserFromInput(input(change)) }];
    case 'update':
      return [{ method: 'PATCH', path: `${users}/${id(change)}`, body: { Operations: patchOperationsFor(Object.fromEntries(Object.entries(change.attributes ?? {}).filter(([k]) => k !== 'email'))) } }];
    case 'activate':
    case 'deactivate':
      return [{ method: 'PATCH', path: `${users}/${id(change)}`, body: { Operations: [{ op: 'replace', path: 'active', value: change.kind === 'activate' }] } }];
    case 'add-member':
    case 'remove-member':
      return [
        { method: 'GET', path: `/Groups?filter=displayName eq ${JSON.stringify(change.group)}`, once: true },
        ...(change.kind === 'add-member' ? [{ method: 'POST', path: '/Groups', body: { displayName: change.group, members: [{ value: id(change) }], '…': 'only when Umbrella has no such group (at most 200)' } }] : []),
        { method: 'PATCH', path: '/Groups/{group id}', body: { Operations: [change.kind === 'add-member' ? { op: 'add', path: 'members', value: [{ value: id(change) }] } : { op: 'remove', path: `members[value eq "${id(change)}"]` }] } },
      ];
    default:
      return [];
  }
}

/**
 * The requests a change will make on each Umbrella API, as shown in a plan (paths below the
 * API's base URL; secrets never shown). A write's answer is its read-back; a deactivation's or a
 * delete's snapshot is the record the last sync read (a retry reads afresh); lookups made once per
 * run (roles, a group's id) show at their first use. Empty: that API cannot make this change — v1 and v2 have
 * no activate, deactivate or groups and v2 no update (the planner makes it a delete and a create);
 * SCIM has no delete (its DELETE only deactivates).
 */
export function previewUmbrella(api: UmbrellaApi, change: Change, options: UmbrellaPreviewOptions = {}): RequestPreview[] {
  switch (api) {
    case 'v1':
      return v1(change, options);
    case 'v2':
      return v2(change, options);
    case 'scim':
      return scim(change);
  }
}
