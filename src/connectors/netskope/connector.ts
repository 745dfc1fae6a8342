import type { RemoteAccount } from '../../core/account.ts';
import { RosterError, isRosterError } from '../../errors.ts';
import { httpSettings, type AccountInput, type AccountPage, type Capabilities, type Connector, type ConnectorOptions } from '../connector.ts';
import type { HttpExchange } from '../http/client.ts';
import { ScimClient } from '../scim/client.ts';
import { isGroupMember, userMatches, type AccountKey, type MembershipReads } from '../scim/connector.ts';
import { accountFromScimUser, patchOperationsFor, scimUserFromInput, type ScimResource } from '../scim/mapping.ts';
import { NetskopeHttpClient } from './http.ts';
import { netskopeManifest, netskopeScimBaseUrl } from './manifest.ts';

/**
 * baseUrl: `https://<tenant>.goskope.com/api/v2/scim`, or just the tenant (the SCIM path is added).
 * auth: a REST API v2 token granted `/api/v2/scim/Users` and `/api/v2/scim/Groups` (a legacy
 * SCIM-only token works too), usually `headerAuth('Netskope-Api-Token', token)`; Bearer works too.
 * budget: the token's (about 300 requests a minute per token).
 */
export interface NetskopeConnectorOptions extends ConnectorOptions {
  /**
   * Whether `listAccounts` fills each account's `groups` (Netskope users carry none) from one read
   * of the groups with their members. Default true; costs one request per page of groups.
   */
  groupsInList?: boolean | undefined;
}

/**
 * PATCH operations Netskope takes for the attributes given: only its fixed user paths, no value
 * filters — an email change replaces `emails` whole. Attributes it has no path for (title, role)
 * are refused before anything is sent.
 */
export function netskopePatchOperations(appName: string, changes: Partial<AccountInput>): { op: 'replace' | 'remove'; path: string; value?: unknown }[] {
  const ops: { op: 'replace' | 'remove'; path: string; value?: unknown }[] = [];
  for (const [key, value] of Object.entries(changes) as [keyof AccountInput, unknown][]) {
    if (value === undefined) continue;
    if (key === 'title' || key === 'role') throw new RosterError('unsupported', `${appName}: Netskope takes no ${key} over SCIM (its user PATCH paths are ${netskopeManifest.patchPaths.users.join(', ')})`, { appName, attribute: key });
    if (key === 'email') ops.push(value === null || value === '' ? { op: 'remove', path: 'emails' } : { op: 'replace', path: 'emails', value: [{ value, type: 'work', primary: true }] });
    else ops.push(...patchOperationsFor({ [key]: value }));
  }
  return ops;
}

/** Netskope ids are UUIDs; anything else given where an account is expected is taken as a userName. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Netskope over SCIM 2.0 (`/api/v2/scim`), composed from roster's ScimClient and SCIM mapping on a
 * Netskope-aware HTTP client. Every per-account method takes the remote id or the userName: a
 * userName is resolved to the id first (`filter=userName eq`, remembered). Changes go by PATCH on
 * Netskope's own paths (204, then read back), never by a lossy PUT. Leavers are deactivated unless `leaver: 'delete'`.
 */
export class NetskopeConnector implements Connector {
  readonly appName: string;
  readonly type = 'netskope' as const;
  /**
   * `deleteAccount` works, but a leaver should get `setActive(false)` (what `offboard()` does by
   * default): in Netskope a DELETE also erases the user's audit history.
   */
  readonly capabilities: Capabilities = netskopeManifest.capabilities;
  readonly client: ScimClient;
  readonly http: NetskopeHttpClient;
  readonly #pageSize: number | undefined;
  readonly #groupsInList: boolean;
  /** lowercase userName → id, from every read that showed both. */
  readonly #ids = new Map<string, string>();
  readonly #groupIds = new Map<string, string>();
  readonly #memberReads: MembershipReads = { projection: true };

  constructor(options: NetskopeConnectorOptions) {
    this.appName = options.appName;
    this.#pageSize = options.pageSize;
    this.#groupsInList = options.groupsInList ?? true;
    this.http = new NetskopeHttpClient({ ...httpSettings(options), api: 'scim', baseUrl: netskopeScimBaseUrl(options.baseUrl) });
    this.client = new ScimClient(this.http);
  }

  observe(observer: (exchange: HttpExchange) => void): () => void {
    return this.http.observe(observer);
  }

  async *listAccounts(): AsyncIterable<AccountPage> {
    const count = this.#pageSize ?? (await this.client.maxPageSize()) ?? netskopeManifest.paging.scim.defaultPageSize;
    const groupsOf = this.#groupsInList ? await this.#membership(count) : undefined;
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
    if (by.userName) return this.#findOne(`userName eq ${JSON.stringify(by.userName)}`, { userName: by.userName });
    if (!by.email) return undefined;
    const byUserName = await this.#findOne(`userName eq ${JSON.stringify(by.email)}`, { userName: by.email });
    if (byUserName) return byUserName;
    try {
      return await this.#findOne(`emails.value eq ${JSON.stringify(by.email)}`, { email: by.email });
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
    const operations = netskopePatchOperations(this.appName, changes);
    const id = await this.#resolve(ref);
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
    await this.#patchGroup(group, [{ op: 'add', path: 'members', value: [{ value: id }] }]);
  }

  async removeFromGroup(ref: string, group: string): Promise<void> {
    const id = await this.#resolve(ref);
    // As Netskope's own plugin removes a member: path `members`, the id in value (no value filter).
    await this.#patchGroup(group, [{ op: 'remove', path: 'members', value: [{ value: id }] }]);
  }

  /**
   * Many members in one PATCH (in the form Netskope's own plugin sends), which answers 204: one
   * read of the group then proves them all. A projection that hides who the members are proves
   * nothing, and the caller reads each back.
   */
  async changeMembers(group: string, op: 'add' | 'remove', refs: readonly string[]): Promise<Set<string>> {
    const ids = await Promise.all(refs.map((ref) => this.#resolve(ref)));
    await this.#patchGroup(group, [{ op, path: 'members', value: ids.map((value) => ({ value })) }]);
    const members = await this.client.groupMembers(await this.#groupId(group), { projection: true });
    if (!members.shown || members.unreadable > 0) return new Set();
    const present = new Set(members.ids);
    return new Set(refs.filter((_, i) => present.has(ids[i] ?? '') === (op === 'add')));
  }

  async listGroups(): Promise<string[]> {
    const names: string[] = [];
    const count = this.#pageSize ?? (await this.client.maxPageSize()) ?? netskopeManifest.paging.scim.defaultPageSize;
    for await (const { resources } of this.client.pages('Groups', { count, attributes: 'displayName' })) {
      for (const g of resources) if (typeof g.displayName === 'string') names.push(g.displayName);
    }
    return names;
  }

  async isMember(ref: string, group: string): Promise<boolean> {
    const id = await this.#resolve(ref);
    return isGroupMember(this.client, this.#memberReads, { remoteId: id, group, groupId: await this.#groupId(group) });
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

  /** The user a filter selects, checked: an answer with other users means the filter was not applied. */
  async #findOne(filter: string, by: AccountKey): Promise<RemoteAccount | undefined> {
    const page = await this.client.list('Users', { startIndex: 1, count: 2, filter });
    const resources = page.Resources ?? [];
    if (!resources.every((r) => userMatches(r, by))) {
      throw new RosterError('invalid_response', `${this.appName}: GET /Users?filter=${filter} answered users the filter does not select; roster will not take one of them for ${by.userName ?? by.email}`, { appName: this.appName, filterIgnored: true });
    }
    const first = resources[0];
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

  async #patchGroup(name: string, operations: readonly unknown[]): Promise<void> {
    // Group PATCH answers 204; the group is not read back (its members are only shown when asked).
    await this.http.request({ method: 'PATCH', path: `/Groups/${encodeURIComponent(await this.#groupId(name))}`, body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: operations } });
  }

  /** A group's id by displayName, looked up once (groups come without members unless asked). */
  async #groupId(name: string): Promise<string> {
    const known = this.#groupIds.get(name);
    if (known) return known;
    const page = await this.client.list('Groups', { startIndex: 1, count: 2, filter: `displayName eq ${JSON.stringify(name)}` });
    const found = (page.Resources ?? []).filter((g) => typeof g.displayName === 'string' && g.displayName.toLowerCase() === name.toLowerCase());
    if (found.length !== (page.Resources ?? []).length) throw new RosterError('invalid_response', `${this.appName}: GET /Groups?filter=displayName eq ${JSON.stringify(name)} answered groups the filter does not select`, { appName: this.appName, filterIgnored: true });
    const id = found[0]?.id;
    if (typeof id !== 'string') throw new RosterError('not_found', `${this.appName}: no group named ${name}`);
    this.#groupIds.set(name, id);
    return id;
  }

  /** user id → names of the groups it is in, from every group read with its members. */
  async #membership(count: number): Promise<Map<string, string[]>> {
    const groupsOf = new Map<string, string[]>();
    for await (const { resources: groups } of this.client.pages('Groups', { count, attributes: 'displayName,members' })) {
      for (const group of groups) {
        const name = typeof group.displayName === 'string' ? group.displayName : String(group.id);
        if (typeof group.id === 'string') this.#groupIds.set(name, group.id);
        for (const member of Array.isArray(group.members) ? (group.members as { value?: unknown }[]) : []) {
          if (typeof member?.value !== 'string') {
            // [{}, {}]: members counted but not named; accounts' groups would be silently wrong.
            throw new RosterError('invalid_response', `${this.appName}: GET /Groups?attributes=displayName,members answered members of ${name} without a value; roster cannot tell whose groups they are`, { appName: this.appName, group: name, unreadableMembers: true });
          }
          const list = groupsOf.get(member.value) ?? [];
          list.push(name);
          groupsOf.set(member.value, list);
        }
      }
    }
    return groupsOf;
  }

  #notFound(ref: string): RosterError {
    return new RosterError('not_found', `${this.appName}: no user ${UUID.test(ref) ? 'with id' : 'named'} ${ref}`, { appName: this.appName, ref });
  }
}
