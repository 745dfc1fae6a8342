import type { Change, RequestPreview } from '../../core/plan.ts';
import { rsaPatchOperations, rsaUserFromInput, type RsaAccountInput } from './mapping.ts';

const id = (change: Change) => change.remoteId ?? '{new id}';

/**
 * The requests a change makes in RSA, as a plan shows them (pure: no I/O; paths below the Base
 * URI). Writes answer 200/201 with the whole user, which is the read-back; a deactivation's or a
 * delete's snapshot is the record the last sync read (a retry reads afresh). Groups: none (RSA
 * manages no groups over SCIM).
 */
export function rsaPreview(change: Change, appName = change.app): RequestPreview[] {
  const users = '/Users';
  const input = (): RsaAccountInput => ({ userName: change.attributes?.userName ?? change.subject, ...change.attributes });
  const patch = (body: unknown) => ({ method: 'PATCH', path: `${users}/${id(change)}`, body });
  const ops = (operations: unknown[]) => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: operations });
  switch (change.kind) {
    case 'create':
      return [{ method: 'POST', path: users, body: rsaUserFromInput(appName, input()) }];
    case 'update':
      return [patch(ops(rsaPatchOperations(appName, change.attributes ?? {})))];
    case 'activate':
    case 'deactivate':
      return [patch(ops([{ op: 'replace', path: 'active', value: change.kind === 'activate' }]))];
    case 'delete':
      return [{ method: 'DELETE', path: `${users}/${id(change)}` }];
    case 'add-member':
    case 'remove-member':
      return [];
  }
}
