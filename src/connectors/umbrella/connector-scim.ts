import type { RemoteAccount } from '../../core/account.ts';
import { RosterError, isRosterError } from '../../errors.ts';
import { SCIM } from '../../scim/schemas.ts';
import type { AccountInput, AccountPage, Capabilities, Connector, ConnectorOptions } from '../connector.ts';
import type { HttpExchange } from '../http/client.ts';
import { ScimConnector } from '../scim/connector.ts';
import { accountFromScimUser, patchOperationsFor, type ScimResource } from '../scim/mapping.ts';
import { umbrellaCapabilities, umbrellaManifest } from './manifest.ts';
import { unsupported } from './refusals.ts';

const { extension: EXTENSION, maxGroups: MAX_GROUPS, name: API } = umbrellaManifest.scim;

/** The user attributes Umbrella's SCIM keeps, as roster names them. */
const HELD = ['userName', 'externalId', 'active', 'displayName', 'givenName', 'familyName'] as const;

export type UmbrellaScimOptions = ConnectorOptions & {
  /** Most groups the app holds. Default 200. */
  maxGroups?: number | undefined;
};

/** baseUrl: `https://api.umbrella.com/identity/v2/scim`; a bare origin gets the path. */
export function umbrellaScimBaseUrl(baseUrl: string): string {
  const url = new URL(baseUrl);
  if (url.pathname.replace(/\/+$/, '') === '') url.pathname = umbrellaManifest.scim.path;
  return url.toString().replace(/\/+$/, '');
}

/**
 * An Umbrella SCIM user in roster's shape: the email is the userName (Umbrella keeps no emails),
 * and the ciscoumbrella extension's nativeObjectId stands in for externalId when that is absent.
 */
export function accountFromUmbrellaScimUser(user: ScimResource): RemoteAccount {
  const account = accountFromScimUser(user);
  const native = (user[EXTENSION] as { nativeObjectId?: unknown } | undefined)?.nativeObjectId;
  return {
    ...account,
    email: account.email ?? (account.userName?.includes('@') ? account.userName : undefined),
    externalId: account.externalId ?? (typeof native === 'string' ? native : undefined),
  };
}

/** A SCIM user body with only what Umbrella keeps; externalId also goes in as the nativeObjectId. */
export function umbrellaScimUserFromInput(input: AccountInput): ScimResource {
  const user: ScimResource = { schemas: [SCIM.user], userName: input.userName, active: input.active ?? true };
  if (input.externalId) {
    user.externalId = input.externalId;
    (user.schemas as string[]).push(EXTENSION);
    user[EXTENSION] = { nativeObjectId: input.externalId };
  }
  if (input.displayName) user.displayName = input.displayName;
  if (input.givenName || input.familyName) user.name = { ...(input.givenName ? { givenName: input.givenName } : {}), ...(input.familyName ? { familyName: input.familyName } : {}) };
  return user;
}

/**
 * Umbrella over SCIM (`/identity/v2/scim`), composed over the generic ScimConnector with
 * Umbrella's quirks: userName the only user filter (an email is looked up as the userName), only
 * the attributes Umbrella keeps, the nativeObjectId extension, at most 200 groups (a group made on
 * first use; the 201st is refused), and no delete — SCIM DELETE only deactivates, so a leaver is
 * deactivated.
 */
export class UmbrellaScimConnector implements Connector {
  readonly appName: string;
  readonly type = 'umbrella' as const;
  readonly api = 'scim' as const;
  readonly capabilities: Capabilities = umbrellaCapabilities.scim;
  readonly scim: ScimConnector;
  readonly #maxGroups: number;

  constructor(options: UmbrellaScimOptions) {
    this.appName = options.appName;
    this.#maxGroups = options.maxGroups ?? MAX_GROUPS;
    this.scim = new ScimConnector({ ...options, baseUrl: umbrellaScimBaseUrl(options.baseUrl) });
  }

  observe(observer: (exchange: HttpExchange) => void): () => void {
    return this.scim.observe(observer);
  }

  /**
   * Every user, with its groups: Umbrella's users carry none, so the groups (at most 200, one or
   * two pages) are read first with their members.
   */
  async *listAccounts(): AsyncIterable<AccountPage> {
    const groupsOf = new Map<string, string[]>();
    for await (const { resources } of this.scim.client.pages('Groups', { count: 100, attributes: 'displayName,members' })) {
      for (const group of resources) {
        const name = typeof group.displayName === 'string' ? group.displayName : String(group.id);
        for (const member of Array.isArray(group.members) ? (group.members as { value?: unknown }[]) : []) {
          if (typeof member.value !== 'string') continue;
          groupsOf.set(member.value, [...(groupsOf.get(member.value) ?? []), name]);
        }
      }
    }
    for await (const page of this.scim.listAccounts()) {
      yield { ...page, accounts: page.accounts.map((a) => ({ ...accountFromUmbrellaScimUser(a.raw as ScimResource), groups: groupsOf.get(a.remoteId) ?? [] })) };
    }
  }

  async getAccount(remoteId: string): Promise<RemoteAccount | undefined> {
    const user = await this.scim.client.get('Users', remoteId);
    return user ? accountFromUmbrellaScimUser(user) : undefined;
  }

  /** `userName eq` only (Umbrella filters on nothing else): an email is looked up as the userName. */
  async findAccount(by: { userName?: string; email?: string }): Promise<RemoteAccount | undefined> {
    const userName = by.userName ?? by.email;
    if (!userName) return undefined;
    const page = await this.scim.client.list('Users', { startIndex: 1, count: 2, filter: `userName eq ${JSON.stringify(userName)}` });
    const first = page.Resources?.[0];
    return first ? accountFromUmbrellaScimUser(first) : undefined;
  }

  async createAccount(input: AccountInput): Promise<RemoteAccount> {
    return accountFromUmbrellaScimUser(await this.scim.client.create('Users', umbrellaScimUserFromInput(input)));
  }

  /** PATCH of only the attributes given, among those Umbrella keeps; externalId moves the nativeObjectId with it. */
  async updateAccount(remoteId: string, changes: Partial<AccountInput>): Promise<RemoteAccount> {
    const foreign = Object.keys(changes).filter((k) => !(HELD as readonly string[]).includes(k) && changes[k as keyof AccountInput] !== undefined && !(k === 'email' && changes.email === changes.userName));
    if (foreign.length > 0) throw unsupported(this.appName, API, `hold ${foreign.join(', ')}`, `it keeps ${HELD.join(', ')} and the nativeObjectId`);
    const operations: unknown[] = patchOperationsFor(Object.fromEntries(Object.entries(changes).filter(([k]) => k !== 'email')));
    if (changes.externalId) operations.push({ op: 'replace', path: `${EXTENSION}:nativeObjectId`, value: changes.externalId });
    if (operations.length === 0) {
      const current = await this.getAccount(remoteId);
      if (current) return current;
      throw new RosterError('not_found', `${this.appName}: no user with id ${remoteId}`, { appName: this.appName, remoteId });
    }
    return accountFromUmbrellaScimUser(await this.scim.client.patch('Users', remoteId, operations));
  }

  async setActive(remoteId: string, active: boolean): Promise<RemoteAccount> {
    return accountFromUmbrellaScimUser(await this.scim.client.patch('Users', remoteId, [{ op: 'replace', path: 'active', value: active }]));
  }

  async deleteAccount(): Promise<void> {
    throw unsupported(this.appName, API, 'delete a user (its DELETE only deactivates)', 'a leaver is deactivated; delete through the Management API if the account must go');
  }

  /** Adds to the group, making it first when Umbrella has none of that name (at most 200 groups). */
  async addToGroup(remoteId: string, group: string): Promise<boolean> {
    try {
      return await this.scim.addToGroup(remoteId, group);
    } catch (error) {
      if (!isRosterError(error, 'not_found') || !error.message.includes('no group named')) throw error;
      await this.#createGroup(group, remoteId);
      return false;
    }
  }

  removeFromGroup(remoteId: string, group: string): Promise<boolean> {
    return this.scim.removeFromGroup(remoteId, group);
  }

  async isMember(remoteId: string, group: string): Promise<boolean> {
    try {
      return await this.scim.isMember(remoteId, group);
    } catch (error) {
      if (isRosterError(error, 'not_found') && error.message.includes('no group named')) return false;
      throw error;
    }
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {
    await this.scim.close();
  }

  async #createGroup(name: string, memberId: string): Promise<void> {
    const { totalResults } = await this.scim.client.list('Groups', { startIndex: 1, count: 1, excludedAttributes: 'members' });
    const refuse = () =>
      new RosterError('unsupported', `${this.appName}: Umbrella holds at most ${this.#maxGroups} groups and has ${totalResults}; the group ${name} was not made and user ${memberId} not added`, { appName: this.appName, group: name, maxGroups: this.#maxGroups });
    if (totalResults >= this.#maxGroups) throw refuse();
    try {
      await this.scim.client.create('Groups', { schemas: [SCIM.group], displayName: name, members: [{ value: memberId }] });
    } catch (error) {
      if (isRosterError(error, 'bad_request') && /at most/i.test(error.message)) throw refuse();
      throw error;
    }
  }
}
