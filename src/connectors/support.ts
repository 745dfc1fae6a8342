import type { ConnectorType } from '../config/schema.ts';
import type { AppSupport, Change, RequestPreview } from '../core/plan.ts';
import type { AccountInput } from './connector.ts';
import { patchOperationsFor, scimUserFromInput } from './scim/mapping.ts';
import { zscalerManifest } from './zscaler/manifest.ts';

/** What each connector type can hold and do, for the planner. */
export const connectorSupport: Record<ConnectorType, AppSupport> = {
  scim: { attributes: ['displayName', 'givenName', 'familyName', 'email', 'department', 'title'], roles: true, groups: true, create: true, deactivate: true, delete: true },
  // No documented soft-delete: leavers are deleted (an app may opt into disabled:true with the connector's disableLeavers).
  zscaler: { attributes: ['displayName', 'email', 'department'], roles: false, groups: true, create: true, deactivate: false, delete: true, fixedAfterCreate: zscalerManifest.immutableAttributes },
  netskope: { attributes: ['displayName', 'givenName', 'familyName', 'email'], roles: false, groups: true, create: true, deactivate: true, delete: true },
  umbrella: { attributes: ['displayName', 'email'], roles: true, groups: false, create: true, deactivate: false, delete: true },
  rsa: { attributes: ['givenName', 'familyName', 'email'], roles: false, groups: false, create: true, deactivate: true, delete: true },
};

const id = (change: Change) => change.remoteId ?? '{new id}';
const input = (change: Change): AccountInput => ({ userName: change.attributes?.userName ?? change.subject, ...change.attributes });

function scimPreview(change: Change, prefix = ''): RequestPreview[] {
  const users = `${prefix}/Users`;
  const read = { method: 'GET', path: `${users}/${id(change)}` };
  switch (change.kind) {
    case 'create':
      return [{ method: 'POST', path: users, body: scimUserFromInput(input(change)) }, read];
    case 'update':
      return [{ method: 'PATCH', path: `${users}/${id(change)}`, body: { Operations: patchOperationsFor(change.attributes ?? {}) } }, read];
    case 'activate':
    case 'deactivate':
      return [{ method: 'PATCH', path: `${users}/${id(change)}`, body: { Operations: [{ op: 'replace', path: 'active', value: change.kind === 'activate' }] } }, read];
    case 'delete':
      return [read, { method: 'DELETE', path: `${users}/${id(change)}` }, read];
    case 'add-member':
    case 'remove-member':
      return [
        { method: 'GET', path: `${prefix}/Groups?filter=displayName eq ${JSON.stringify(change.group)}` },
        { method: 'PATCH', path: `${prefix}/Groups/{group id}`, body: { Operations: [change.kind === 'add-member' ? { op: 'add', path: 'members', value: [{ value: id(change) }] } : { op: 'remove', path: `members[value eq "${id(change)}"]` }] } },
        read,
      ];
  }
}

function zscalerPreview(change: Change): RequestPreview[] {
  const activate = [{ method: 'POST', path: '/status/activate' }, { method: 'GET', path: '/status' }];
  const readWrite = [{ method: 'GET', path: `/users/${id(change)}` }, { method: 'PUT', path: `/users/${id(change)}`, body: { ...change.attributes, ...(change.kind === 'deactivate' ? { disabled: true } : change.kind === 'activate' ? { disabled: false } : {}), '…': 'every other field as read' } }];
  switch (change.kind) {
    case 'create':
      return [{ method: 'GET', path: '/departments' }, { method: 'GET', path: '/groups' }, { method: 'POST', path: '/users', body: { name: change.attributes?.displayName, email: change.attributes?.email, department: change.attributes?.department, password: '[generated, never shown]' } }, ...activate];
    case 'delete':
      return [{ method: 'GET', path: `/users/${id(change)}` }, { method: 'POST', path: '/users/bulkDelete', body: { ids: [id(change)] } }, { method: 'GET', path: `/users/${id(change)}` }, ...activate];
    case 'add-member':
    case 'remove-member':
      return [{ method: 'GET', path: '/groups' }, ...readWrite, ...activate];
    default:
      return [...readWrite, ...activate];
  }
}

/** The requests a change will make, per connector type, as shown in a plan. */
export function previewRequests(type: string, change: Change): RequestPreview[] {
  switch (type) {
    case 'zscaler':
      return zscalerPreview(change);
    case 'netskope':
      return [...(change.remoteId || change.kind === 'create' ? [] : [{ method: 'GET', path: `/api/v2/scim/Users?filter=userName eq ${JSON.stringify(change.attributes?.userName ?? change.subject)}` }]), ...scimPreview(change, '/api/v2/scim')];
    default:
      return scimPreview(change);
  }
}
