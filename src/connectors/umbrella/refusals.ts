import type { RemoteAccount } from '../../core/account.ts';
import { RosterError, isRosterError } from '../../errors.ts';
import type { UmbrellaRole } from './client-v1.ts';

/** A thing this Umbrella API cannot do, said so (capability refusals). */
export function unsupported(appName: string, api: string, what: string, instead: string): RosterError {
  return new RosterError('unsupported', `${appName}: Umbrella's ${api} cannot ${what}; ${instead}; nothing was changed`, { appName });
}

/** Deleting the last Full Admin is refused (a 400 saying so): a conflict roster does not retry. */
export function lastAdminRefusal(appName: string, remoteId: string, error: unknown): RosterError | undefined {
  if (!isRosterError(error, 'bad_request') || !/last/i.test(error.message) || !/admin/i.test(error.message)) return undefined;
  return new RosterError('conflict', `${appName}: Umbrella refuses to delete user ${remoteId}, the organization's last Full Admin; make another Full Admin first; nothing was deleted`, { ...error.facts, remoteId, lastAdmin: true }, { cause: error });
}

/** A duplicate email (400 "already exists" / "Email already in use") as a conflict naming the existing account. */
export function duplicateEmail(appName: string, email: string, error: RosterError, existing: RemoteAccount | undefined): RosterError {
  const which = existing ? ` (id ${existing.remoteId}${existing.active ? '' : ', pending or inactive'})` : '';
  return new RosterError('conflict', `${appName}: a user with the email ${email} already exists${which}`, { ...error.facts, remoteId: existing?.remoteId }, { cause: error });
}

export function isDuplicateEmail(error: unknown): error is RosterError {
  return isRosterError(error, 'bad_request') && /already (exists|in use)/i.test(error.message);
}

/** A role by label (any case; Umbrella's v1 wants the exact label), or a clear error listing the roles. */
export function resolveRole(appName: string, roles: readonly UmbrellaRole[], label: string): UmbrellaRole {
  const role = roles.find((r) => r.label === label) ?? roles.find((r) => r.label.toLowerCase() === label.toLowerCase());
  if (role) return role;
  throw new RosterError('input_invalid', `${appName}: Umbrella has no role ${JSON.stringify(label)}; its roles are ${roles.map((r) => r.label).join(', ')}`, { appName, role: label });
}
