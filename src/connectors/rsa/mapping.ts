import type { RemoteAccount } from '../../core/account.ts';
import { RosterError } from '../../errors.ts';
import { SCIM } from '../../scim/schemas.ts';
import type { AccountInput } from '../connector.ts';
import { accountFromScimUser, type ScimResource } from '../scim/mapping.ts';
import { rsaManifest } from './manifest.ts';

/** What roster writes to RSA: the common attributes, plus the mobile phone for SMS and Voice. */
export type RsaAccountInput = AccountInput & {
  /** The console's SMS and Voice phone: `phoneNumbers[type eq "mobile"].value`. */
  mobilePhone?: string | undefined;
};

/** The roster attributes RSA holds (the console's mapping); any other is refused. */
export const RSA_ATTRIBUTES = ['userName', 'email', 'givenName', 'familyName', 'active', 'externalId', 'mobilePhone'] as const;
type RsaAttribute = (typeof RSA_ATTRIBUTES)[number];

const PATHS: Record<RsaAttribute, string> = {
  userName: 'userName',
  email: 'emails[type eq "work"].value',
  givenName: 'name.givenName',
  familyName: 'name.familyName',
  active: 'active',
  externalId: 'externalId',
  mobilePhone: 'phoneNumbers[type eq "mobile"].value',
};

interface MultiValue {
  value?: unknown;
  type?: unknown;
}

function typed(list: unknown, type: string): string | undefined {
  if (!Array.isArray(list)) return undefined;
  const item = (list as MultiValue[]).find((v) => typeof v.type === 'string' && v.type.toLowerCase() === type && typeof v.value === 'string' && v.value !== '');
  return item?.value as string | undefined;
}

/** An RSA user as roster's account: the email is the work one (what the console shows as Email Address); no groups. */
export function accountFromRsaUser(user: ScimResource): RemoteAccount {
  const account = accountFromScimUser(user);
  // RSA holds no display name (the console shows First and Last Name): none is made up from them.
  return { ...account, email: typed(user.emails, 'work') ?? account.email, displayName: undefined, groups: [] };
}

/** The console's SMS and Voice phone of an account read from RSA. */
export function mobilePhoneOf(account: RemoteAccount): string | undefined {
  const raw = account.raw && typeof account.raw === 'object' ? (account.raw as ScimResource) : {};
  return typed(raw.phoneNumbers, 'mobile');
}

function unheld(appName: string, keys: readonly string[]): RosterError {
  return new RosterError(
    'unsupported',
    `${appName}: RSA ID Plus holds no ${keys.join(', ')}; it keeps the console's First Name, Last Name, Username, Email Address, User Status and SMS/Voice phone`,
    { appName, attributes: keys },
  );
}

/** The work email a create sends: the email, else the userName when it is one; RSA requires it. */
function workEmail(appName: string, input: RsaAccountInput): string {
  const email = input.email || (input.userName.includes('@') ? input.userName : undefined);
  if (!email) throw new RosterError('input_invalid', `${appName}: RSA ID Plus needs a work email to create ${input.userName}, and there is none`, { appName, userName: input.userName });
  return email;
}

/** Names of attributes given (not undefined) that RSA does not hold. */
function notHeld(input: Partial<RsaAccountInput>): string[] {
  return Object.entries(input)
    .filter(([key, value]) => value !== undefined && !(RSA_ATTRIBUTES as readonly string[]).includes(key))
    .map(([key]) => key);
}

/**
 * The SCIM user a create sends, mapped as the console expects. Attributes RSA does not hold
 * (department, title, displayName, role) are refused, not silently dropped.
 */
export function rsaUserFromInput(appName: string, input: RsaAccountInput): ScimResource {
  const extra = notHeld(input);
  if (extra.length > 0) throw unheld(appName, extra);
  const user: ScimResource = { schemas: [SCIM.user], userName: input.userName, emails: [{ value: workEmail(appName, input), type: 'work', primary: true }], active: input.active ?? true };
  if (input.externalId) user.externalId = input.externalId;
  if (input.givenName || input.familyName) user.name = { ...(input.givenName ? { givenName: input.givenName } : {}), ...(input.familyName ? { familyName: input.familyName } : {}) };
  if (input.mobilePhone) user.phoneNumbers = [{ value: input.mobilePhone, type: 'mobile' }];
  return user;
}

export type RsaPatchOperation = { op: 'add' | 'replace' | 'remove'; path: string; value?: unknown };

/**
 * PATCH operations (lowercase ops, as RSA takes them) that change only what is given; an empty
 * string or null clears one. The work email cannot be cleared (RSA requires it).
 */
export function rsaPatchOperations(appName: string, changes: Partial<RsaAccountInput>): RsaPatchOperation[] {
  const extra = notHeld(changes);
  if (extra.length > 0) throw unheld(appName, extra);
  const ops: RsaPatchOperation[] = [];
  for (const key of RSA_ATTRIBUTES) {
    const value = changes[key] as unknown;
    if (value === undefined) continue;
    const path = PATHS[key];
    if (value === null || value === '') {
      if (key === 'email' || key === 'userName') throw new RosterError('input_invalid', `${appName}: RSA ID Plus requires ${key === 'email' ? 'a work email' : 'a userName'}; it cannot be cleared`, { appName, attribute: key });
      ops.push({ op: 'remove', path });
    } else if (key === 'mobilePhone') {
      // `add` sets it whether or not the user has a mobile number yet (`replace` would need one to match).
      ops.push({ op: 'add', path, value });
    } else ops.push({ op: 'replace', path, value });
  }
  return ops;
}

/** RSA's paging facts, for callers that only need the page size. */
export const RSA_PAGE_SIZE = rsaManifest.paging.defaultPageSize;
