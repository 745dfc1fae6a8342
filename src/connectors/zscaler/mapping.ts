import type { RemoteAccount } from '../../core/account.ts';
import type { ZiaUser, ZiaUserWrite } from './client.ts';
import { zscalerManifest } from './manifest.ts';

/** A ZIA user in roster's common shape. ZIA has one name and logs people in by email. */
export function accountFromZiaUser(user: ZiaUser): RemoteAccount {
  return {
    remoteId: String(user.id),
    userName: user.email,
    email: user.email,
    displayName: user.name || undefined,
    active: user.disabled !== true,
    department: user.department?.name,
    groups: (user.groups ?? []).map((g) => g.name).filter((g): g is string => !!g),
    ...(user.adminUser === true ? { undeletable: zscalerManifest.adminUndeletable } : {}),
    raw: user,
  };
}

/** Fields the app reports but does not take back in a write. */
const readOnly = new Set(['deleted', 'isNonEditable']);

/**
 * The body of a full-replace PUT: the record as read, minus read-only fields, with the changes
 * laid over it. Everything not changed goes back as it was, so the replace wipes nothing.
 */
export function replacementFor(current: ZiaUser, changes: Partial<ZiaUserWrite>): ZiaUserWrite {
  const body: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(current)) if (!readOnly.has(key) && value !== undefined) body[key] = value;
  for (const [key, value] of Object.entries(changes)) if (value !== undefined) body[key] = value;
  body.groups = (body.groups as ZiaUserWrite['groups'] | undefined) ?? [];
  return { ...(body as ZiaUserWrite), id: current.id };
}
