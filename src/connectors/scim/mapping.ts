import type { RemoteAccount } from '../../core/account.ts';
import { SCIM } from '../../scim/schemas.ts';
import type { AccountInput } from '../connector.ts';

export type ScimResource = Record<string, unknown>;

interface MultiValue {
  value?: unknown;
  type?: unknown;
  primary?: unknown;
  display?: unknown;
}

/** A SCIM User as roster's common account shape; the whole resource is kept as raw. */
export function accountFromScimUser(user: ScimResource): RemoteAccount {
  const name = asObject(user.name);
  const enterprise = asObject(user[SCIM.enterpriseUser]);
  const emails = Array.isArray(user.emails) ? (user.emails as MultiValue[]) : [];
  const email = emails.find((e) => e.primary === true) ?? emails.find((e) => e.type === 'work') ?? emails[0];
  const groups = Array.isArray(user.groups) ? (user.groups as MultiValue[]) : [];
  const roles = Array.isArray(user.roles) ? (user.roles as MultiValue[]) : [];
  const role = roles.find((r) => r.primary === true) ?? roles[0];
  const givenName = text(name.givenName);
  const familyName = text(name.familyName);
  return {
    remoteId: String(user.id),
    userName: text(user.userName),
    email: text(email?.value),
    externalId: text(user.externalId),
    displayName: text(user.displayName) ?? text(name.formatted) ?? ([givenName, familyName].filter(Boolean).join(' ') || undefined),
    givenName,
    familyName,
    active: user.active === undefined ? true : user.active === true || user.active === 'true' || user.active === 'True',
    department: text(enterprise.department),
    title: text(user.title),
    role: text(role?.value),
    groups: groups.map((g) => text(g.display) ?? text(g.value)).filter((g): g is string => !!g),
    raw: user,
  };
}

/**
 * A full SCIM User resource for a create or a replace: every attribute roster was given, where
 * SCIM keeps it — `name` (givenName, familyName and formatted), displayName, a primary work
 * email, active, externalId, title, a primary role, department in the enterprise extension (its
 * URN listed in `schemas` only when it is used).
 */
export function scimUserFromInput(input: AccountInput): ScimResource {
  const user: ScimResource = { schemas: [SCIM.user], userName: input.userName, active: input.active ?? true };
  if (input.externalId) user.externalId = input.externalId;
  if (input.displayName) user.displayName = input.displayName;
  const formatted = [input.givenName, input.familyName].filter(Boolean).join(' ') || input.displayName;
  if (input.givenName || input.familyName || formatted) {
    user.name = { ...(input.givenName ? { givenName: input.givenName } : {}), ...(input.familyName ? { familyName: input.familyName } : {}), ...(formatted ? { formatted } : {}) };
  }
  if (input.email) user.emails = [{ value: input.email, type: 'work', primary: true }];
  if (input.title) user.title = input.title;
  if (input.role) user.roles = [{ value: input.role, primary: true }];
  if (input.department) {
    user.schemas = [SCIM.user, SCIM.enterpriseUser];
    user[SCIM.enterpriseUser] = { department: input.department };
  }
  return user;
}

const patchPaths: Record<keyof AccountInput, string> = {
  userName: 'userName',
  email: 'emails[type eq "work"].value',
  externalId: 'externalId',
  displayName: 'displayName',
  givenName: 'name.givenName',
  familyName: 'name.familyName',
  active: 'active',
  department: `${SCIM.enterpriseUser}:department`,
  title: 'title',
  role: 'roles',
};

/** PATCH operations that change only the attributes given (an empty string or null clears one). */
export function patchOperationsFor(changes: Partial<AccountInput>): { op: 'replace' | 'remove'; path: string; value?: unknown }[] {
  const ops: { op: 'replace' | 'remove'; path: string; value?: unknown }[] = [];
  for (const [key, value] of Object.entries(changes) as [keyof AccountInput, unknown][]) {
    if (value === undefined) continue;
    const path = patchPaths[key];
    if (value === null || value === '') ops.push({ op: 'remove', path });
    else if (key === 'role') ops.push({ op: 'replace', path, value: [{ value, primary: true }] });
    else ops.push({ op: 'replace', path, value });
  }
  return ops;
}

function asObject(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
