import { randomBytes, randomInt } from 'node:crypto';
import type { RemoteAccount } from '../../core/account.ts';
import type { AccountInput } from '../connector.ts';
import { umbrellaManifest } from './manifest.ts';

/** A dashboard user as v1 (either form) or v2 answers it; every field but id and email may be absent. */
export interface UmbrellaUserRecord {
  id: number;
  email: string;
  name?: string | undefined;
  firstname?: string | undefined;
  lastname?: string | undefined;
  role?: string | undefined;
  roleId?: number | undefined;
  timezone?: string | undefined;
  status?: string | undefined;
  organizationId?: number | undefined;
  twoFactorEnable?: boolean | undefined;
}

const text = (v: string | undefined): string | undefined => (v && v.trim() !== '' ? v : undefined);

/**
 * A v1/v2 user in roster's common shape. Umbrella knows people by email, so userName is the email.
 * A pending account (invitation not yet accepted) is `active: false` with `pending` saying so (and
 * `raw.status` `pending`): see `isPendingInvitation`.
 */
export function accountFromUmbrellaUser(user: UmbrellaUserRecord): RemoteAccount {
  const givenName = text(user.firstname);
  const familyName = text(user.lastname);
  return {
    remoteId: String(user.id),
    userName: user.email,
    email: user.email,
    displayName: text(user.name) ?? ([givenName, familyName].filter(Boolean).join(' ') || undefined),
    givenName,
    familyName,
    active: (user.status ?? 'active').toLowerCase() === 'active',
    role: text(user.role),
    groups: [],
    ...((user.status ?? '').toLowerCase() === 'pending' ? { pending: umbrellaManifest.pendingInvitation } : {}),
    raw: user,
  };
}

/** Whether an Umbrella account is waiting for its person to accept the emailed invitation (not disabled). */
export function isPendingInvitation(account: Pick<RemoteAccount, 'raw'>): boolean {
  const status = (account.raw as { status?: unknown } | undefined)?.status;
  return typeof status === 'string' && status.toLowerCase() === 'pending';
}

/** First and last name for a body that needs both: the input's, else split from displayName, else from the email. */
export function namesFor(input: Partial<AccountInput>): { firstname: string; lastname: string } {
  const [first, ...rest] = (input.displayName ?? '').trim().split(/\s+/);
  const local = (input.email ?? input.userName ?? '').split('@')[0] ?? '';
  const firstname = input.givenName ?? (first || local || 'User');
  const lastname = input.familyName ?? (rest.join(' ') || (first ? '-' : local ? '-' : 'User'));
  return { firstname, lastname };
}

/**
 * A password for a create body that requires one: the person never uses it (they set their own
 * from the invitation), and it is never logged or shown.
 */
export function throwawayPassword(): string {
  const symbols = '!@#$%^&*';
  return `${randomBytes(12).toString('base64url')}A9a${symbols[randomInt(symbols.length)]}`;
}

/** The email an input asks for: `email`, else a userName that is an email. */
export function emailOf(input: Partial<AccountInput>): string | undefined {
  return input.email ?? (input.userName?.includes('@') ? input.userName : undefined);
}
