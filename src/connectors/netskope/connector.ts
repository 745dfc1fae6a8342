import type { RemoteAccount } from '../../core/account.ts';
import { RosterError, isRosterError } from '../../errors.ts';
import { httpSettings, type AccountInput, type AccountPage, type Capabilities, type Connector, type ConnectorOptions } from '../connector.ts';
import type { HttpExchange } from '../http/client.ts';
import { ScimClient } from '../scim/client.ts';
import { ScimGroups } from '../scim/groups.ts';
import { accountFromScimUser, patchOperationsFor, scimUserFromInput, type ScimResource } from '../scim/mapping.ts';
import { NetskopeHttpClient } from './http.ts';
import { netskopeManifest, netskopeScimBaseUrl } from './manifest.ts';

/**
 * baseUrl: `https://<tenant>.goskope.com/api/v2/scim`, or just the tenant (the SCIM path is added).
 * auth: the SCIM token (Settings > Tools > SCIM), usually `headerAuth('Netskope-Api-Token', token)`;
 * Bearer works too. budget: the token's (about 300 requests a minute per token).
 */
export interface NetskopeConnectorOptions extends ConnectorOptions {
  /**
   * Whether `listAccounts` fills each account's `groups` (Netskope users carry none) from one read
   * of the groups with their members. Default true; costs one request per page of groups.
   */
  groupsInList?: boolean | undefined;
}

/** Netskope ids are UUIDs; anything else given where an account is expected is taken as a userName. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Netskope over SCIM 2.0 (`/api/v2/scim`), composed from roster's ScimClient and SCIM mapping on a
 * Netskope-aware HTTP client. Every per-account method takes the remote id or the userName: a
 * userName is resolved to the id first (`filter=userName eq`, remembered). Changes go by PATCH
 * (204, then read back), never by a lossy PUT. Policy decides whether a leaver is deactivated
 * (the default) or deleted.
 */
export class NetskopeConnector implements Connector {
  readonly appName: string;
  readonly type = 'netskope' as const;
  /** `deleteAccount` works, but a DELETE also erases the user's audit history: policy deactivates leavers by default. */
  readonly capabilities: Capabilities = netskopeManifest.capabilities;
  readonly client: ScimClient;
  readonly http: NetskopeHttpClient;
  /** Group PATCHes answer 204 and the group is not read back (its members show only when asked). */
  readonly groups: ScimGroups;
  readonly #pageSize: number | undefined;
  readonly #groupsInList: boolean;
  /** lowercase userName → id, from every read that showed both. */
  readonly #ids = new Map<string, string>();

  constructor(options: NetskopeConnectorOptions) {
    this.appName = options.appName;
    this.#pageSize = options.pageSize;
    this.#groupsInList = options.groupsInList ?? true;
    this.http = new NetskopeHttpClient({ ...httpSettings(options), api: 'scim', baseUrl: netskopeScimBaseUrl(options.baseUrl) });
    this.client = new ScimClient(this.http);
    this.groups = new ScimGroups(this.client, { appName: this.appName, excludeMembersOnLookup: false, readBackAfterPatch: false });
  }

  observe(observer: (exchange: HttpExchange) => void): () => void {
    return this.http.observe(observer);
  }

  async *listAccounts(): AsyncIterable<AccountPage> {
    const count = this.#pageSize ?? (await this.client.maxPageSize()) ?? netskopeManifest.paging.scim.defaultPageSize;
    const groupsOf = this.#groupsInList ? await this.groups.membership(count) : undefined;
    let readSoFar = 0;
    for await (const { resources, total } of this.client.pages('Users', { count })) {
      readSoFar += resources.length;
      const accounts = resources.map((user) => {
        const account = this.#account(user);
        return groupsOf ? { ...account, groups: groupsOf.get(account.remoteId) ?? [] } : account;
      });
      yield { accounts, readSoFar, total };
    }
  }

  /** An account by id or userName; undefined when there is none. */
  async getAccount(ref: string): Promise<RemoteAccount | undefined> {
    if (!UUID.test(ref)) return this.findAccount({ userName: ref });
    const user = await this.client.get('Users', ref);
    return user ? this.#account(user) : undefined;
  }

  /** By userName (`filter=userName eq`); by email, the userName (Netskope's is an email) and then `emails.value`. */
  async findAccount(by: { userName?: string; email?: string }): Promise<RemoteAccount | undefined> {
    if (by.userName) return this.#findOne(`userName eq ${JSON.stringify(by.userName)}`);
    if (!by.email) return undefined;
    const byUserName = await this.#findOne(`userName eq ${JSON.stringify(by.email)}`);
    if (byUserName) return byUserName;
    try {
      return await this.#findOne(`emails.value eq ${JSON.stringify(by.email)}`);
    } catch (error) {
      // A tenant that cannot filter on emails simply has no such match to offer.
      if (isRosterError(error, 'bad_request')) return undefined;
      throw error;
    }
  }

  /** POST; a taken userName is a `conflict` error that names the existing account's id. */
  async createAccount(input: AccountInput): Promise<RemoteAccount> {
    try {
      return this.#account(await this.client.create('Users', scimUserFromInput(input)));
    } catch (error) {
      if (!isRosterError(error, 'conflict')) throw error;
      const existing = await this.findAccount({ userName: input.userName }).catch(() => undefined);
      const which = existing ? ` (id ${existing.remoteId}${existing.active ? '' : ', deactivated'})` : '';
      throw new RosterError('conflict', `${this.appName}: a user named ${input.userName} already exists${which}`, { ...error.facts, remoteId: existing?.remoteId }, { cause: error });
    }
  }

  /** PATCH of only the attributes given (never a PUT, which would clear the rest); read back after the 204. */
  async updateAccount(ref: string, changes: Partial<AccountInput>): Promise<RemoteAccount> {
    const id = await this.#resolve(ref);
    const operations = patchOperationsFor(changes);
    if (operations.length === 0) {
      const current = await this.getAccount(id);
      if (current) return current;
      throw this.#notFound(ref);
    }
    const account = this.#account(await this.#patchUser(id, ref, operations));
    if (changes.userName) this.#forgetId(id);
    if (account.userName) this.#ids.set(account.userName.toLowerCase(), account.remoteId);
    return account;
  }

  /** `active` by PATCH, read back. `setActive(x, false)` is what a leaver gets. */
  async setActive(ref: string, active: boolean): Promise<RemoteAccount> {
    const id = await this.#resolve(ref);
    return this.#account(await this.#patchUser(id, ref, [{ op: 'replace', path: 'active', value: active }]));
  }

  /** DELETE: removes the user and, in Netskope, its audit history. Use only when policy says delete. */
  async deleteAccount(ref: string): Promise<void> {
    const id = await this.#resolve(ref);
    await this.client.delete('Users', id);
    this.#forgetId(id);
  }

  async addToGroup(ref: string, group: string): Promise<void> {
    const id = await this.#resolve(ref);
    await this.groups.addMember(id, group);
  }

  async removeFromGroup(ref: string, group: string): Promise<void> {
    const id = await this.#resolve(ref);
    await this.groups.removeMember(id, group);
  }

  async isMember(ref: string, group: string): Promise<boolean> {
    const id = await this.#resolve(ref);
    return this.groups.isMember(id, group);
  }

  /** SCIM writes take effect at once (group membership reaches policy minutes later). */
  async flush(): Promise<void> {}

  async close(): Promise<void> {
    await this.http.close();
  }

  // ---- internals ----

  #account(user: ScimResource): RemoteAccount {
    const account = accountFromScimUser(user);
    if (account.userName) this.#ids.set(account.userName.toLowerCase(), account.remoteId);
    return account;
  }

  async #findOne(filter: string): Promise<RemoteAccount | undefined> {
    const page = await this.client.list('Users', { startIndex: 1, count: 2, filter });
    const first = page.Resources?.[0];
    return first ? this.#account(first) : undefined;
  }

  /** The id for an id or a userName: a remembered one, else `filter=userName eq` (one request). */
  async #resolve(ref: string): Promise<string> {
    if (UUID.test(ref)) return ref;
    const known = this.#ids.get(ref.toLowerCase());
    if (known) return known;
    const found = await this.findAccount({ userName: ref });
    if (found) return found.remoteId;
    // Not a userName after all: perhaps an id in a form other than a UUID.
    if (!ref.includes('@') && (await this.client.get('Users', ref))) return ref;
    throw this.#notFound(ref);
  }

  #forgetId(id: string): void {
    for (const [name, known] of this.#ids) if (known === id) this.#ids.delete(name);
  }

  /** PATCH a user; if a remembered id has gone stale (404), resolve the userName afresh once. */
  async #patchUser(id: string, ref: string, operations: readonly unknown[]): Promise<ScimResource> {
    try {
      return await this.client.patch('Users', id, operations);
    } catch (error) {
      if (!isRosterError(error, 'not_found') || UUID.test(ref)) throw error;
      this.#forgetId(id);
      const fresh = await this.#resolve(ref);
      return this.client.patch('Users', fresh, operations);
    }
  }

  #notFound(ref: string): RosterError {
    return new RosterError('not_found', `${this.appName}: no user ${UUID.test(ref) ? 'with id' : 'named'} ${ref}`, { appName: this.appName, ref });
  }
}
