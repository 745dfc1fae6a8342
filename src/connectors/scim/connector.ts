import type { RemoteAccount } from '../../core/account.ts';
import { isRosterError, RosterError } from '../../errors.ts';
import { httpSettings, type AccountInput, type AccountPage, type Capabilities, type Connector, type ConnectorOptions } from '../connector.ts';
import { HttpClient, type HttpExchange } from '../http/client.ts';
import { ScimClient } from './client.ts';
import { scimManifest } from './manifest.ts';
import { accountFromScimUser, patchOperationsFor, scimUserFromInput, type ScimResource } from './mapping.ts';

export type ScimConnectorOptions = ConnectorOptions;

/** How an account was asked for: by userName, else by email. */
export type AccountKey = { userName?: string; email?: string };

/**
 * Whether a SCIM user is the one a lookup asked for (userName and email compare without case).
 * Used to check what a filter answered: an app that ignores `filter` answers other users.
 */
export function userMatches(user: ScimResource, by: AccountKey): boolean {
  if (by.userName) return typeof user.userName === 'string' && user.userName.toLowerCase() === by.userName.toLowerCase();
  if (!by.email) return false;
  const wanted = by.email.toLowerCase();
  const emails = Array.isArray(user.emails) ? (user.emails as { value?: unknown }[]) : [];
  return emails.some((e) => typeof e?.value === 'string' && e.value.toLowerCase() === wanted);
}

/**
 * Every account of an app, read once by a full paged read and kept up to date with this
 * connector's own writes: how accounts are found in an app that cannot filter.
 */
class Directory {
  readonly #byId = new Map<string, RemoteAccount>();

  constructor(accounts: Iterable<RemoteAccount>) {
    for (const account of accounts) this.put(account);
  }

  put(account: RemoteAccount): void {
    this.#byId.set(account.remoteId, account);
  }

  remove(remoteId: string): void {
    this.#byId.delete(remoteId);
  }

  find(by: AccountKey): RemoteAccount | undefined {
    for (const account of this.#byId.values()) if (userMatches(account.raw as ScimResource, by)) return account;
    return undefined;
  }
}

/** A 400 (or a 501) to a filtered list: the app does not filter that way. */
function filterRefused(error: unknown): boolean {
  return isRosterError(error, 'bad_request') || (isRosterError(error, 'app_error') && error.facts.status === 501);
}

/** Whether `?attributes=members` is still believed (false once it answered members without a value). */
export interface MembershipReads {
  projection: boolean;
}

/**
 * Whether a user is in a group, from what the app really shows: `?attributes=members` first (one
 * small read), but members that come back without a value (`[{}, {}]`) prove nothing, so then the
 * whole group is read (and from then on, `reads.projection` false, only whole reads); if that does
 * not show who the members are either, the user's own `groups`; failing all, an `invalid_response`
 * error rather than a guess.
 */
export async function isGroupMember(client: ScimClient, reads: MembershipReads, which: { remoteId: string; group: string; groupId: string }): Promise<boolean> {
  const { remoteId, group, groupId } = which;
  let projected: { unreadable: number } | undefined;
  if (reads.projection) {
    const members = await client.groupMembers(groupId, { projection: true });
    if (members.unreadable === 0) return members.ids.includes(remoteId);
    reads.projection = false;
    projected = members;
  }
  const whole = await client.groupMembers(groupId, { projection: false });
  if (whole.unreadable === 0 && (whole.shown || projected === undefined)) return whole.ids.includes(remoteId);
  const user = await client.get('Users', remoteId);
  if (user && Array.isArray(user.groups)) return (user.groups as { value?: unknown }[]).some((g) => g?.value === groupId);
  const appName = client.http.appName;
  const said = projected ? `answered ${projected.unreadable} members without a value to ?attributes=members, and ` : '';
  throw new RosterError('invalid_response', `${appName}: cannot tell who is in group ${group}: the app ${said}${whole.shown ? `showed ${whole.unreadable} members without a value in` : 'left members out of'} a whole read, and the user carries no groups`, {
    appName,
    group,
    unreadableMembers: true,
  });
}

/** Any SCIM 2.0 app (RFC 7643/7644): also the base the SCIM-speaking vendors build on. */
export class ScimConnector implements Connector {
  readonly appName: string;
  readonly type = 'scim' as const;
  readonly capabilities: Capabilities = scimManifest.capabilities;
  readonly client: ScimClient;
  readonly #pageSize: number | undefined;
  readonly #groupIds = new Map<string, string>();
  /** False once the app has shown it does not filter (said so, refused, or answered unfiltered). */
  #filters: boolean | undefined;
  #directory: Promise<Directory> | undefined;
  #groupsRead = false;
  readonly #membership: MembershipReads = { projection: true };

  constructor(options: ScimConnectorOptions) {
    this.appName = options.appName;
    this.#pageSize = options.pageSize;
    const http = new HttpClient({ ...httpSettings(options), contentType: scimManifest.contentType });
    this.client = new ScimClient(http);
  }

  observe(observer: (exchange: HttpExchange) => void): () => void {
    return this.client.http.observe(observer);
  }

  async #count(): Promise<number> {
    return this.#pageSize ?? (await this.client.maxPageSize()) ?? scimManifest.paging.defaultPageSize;
  }

  async *listAccounts(): AsyncIterable<AccountPage> {
    const count = await this.#count();
    let readSoFar = 0;
    for await (const { resources, total } of this.client.pages('Users', { count })) {
      readSoFar += resources.length;
      yield { accounts: resources.map(accountFromScimUser), readSoFar, total };
    }
  }

  async getAccount(remoteId: string): Promise<RemoteAccount | undefined> {
    const user = await this.client.get('Users', remoteId);
    return user ? accountFromScimUser(user) : undefined;
  }

  /**
   * By `filter=userName eq` (or `emails.value eq`), checking that what came back is the account
   * asked for. An app that does not filter — ServiceProviderConfig says `filter.supported: false`,
   * it refuses the filter, or it answers accounts the filter does not select — is read whole once
   * instead, and later lookups answer from that read.
   */
  async findAccount(by: AccountKey): Promise<RemoteAccount | undefined> {
    const filter = by.userName ? `userName eq ${JSON.stringify(by.userName)}` : by.email ? `emails.value eq ${JSON.stringify(by.email)}` : undefined;
    if (!filter) return undefined;
    if (this.#directory === undefined && (await this.#canFilter())) {
      try {
        const page = await this.client.list('Users', { startIndex: 1, count: 2, filter });
        const resources = page.Resources ?? [];
        if (resources.every((r) => userMatches(r, by))) return resources[0] ? accountFromScimUser(resources[0]) : undefined;
      } catch (error) {
        if (!filterRefused(error)) throw error;
      }
      this.#filters = false;
    }
    return (await this.#directoryRead()).find(by);
  }

  async #canFilter(): Promise<boolean> {
    this.#filters ??= (await this.client.discover()).filter !== false;
    return this.#filters;
  }

  #directoryRead(): Promise<Directory> {
    this.#directory ??= (async () => {
      const accounts: RemoteAccount[] = [];
      for await (const page of this.listAccounts()) accounts.push(...page.accounts);
      return new Directory(accounts);
    })();
    this.#directory.catch(() => (this.#directory = undefined));
    return this.#directory;
  }

  /** Keeps a directory read (if there is one) in step with this connector's writes. */
  async #remember(account: RemoteAccount): Promise<RemoteAccount> {
    if (this.#directory) (await this.#directory).put(account);
    return account;
  }

  async createAccount(input: AccountInput): Promise<RemoteAccount> {
    return this.#remember(accountFromScimUser(await this.client.create('Users', scimUserFromInput(input))));
  }

  async updateAccount(remoteId: string, changes: Partial<AccountInput>): Promise<RemoteAccount> {
    const operations = patchOperationsFor(changes);
    if (operations.length === 0) {
      const current = await this.getAccount(remoteId);
      if (current) return current;
    }
    return this.#remember(accountFromScimUser(await this.client.patch('Users', remoteId, operations)));
  }

  async setActive(remoteId: string, active: boolean): Promise<RemoteAccount> {
    return this.#remember(accountFromScimUser(await this.client.patch('Users', remoteId, [{ op: 'replace', path: 'active', value: active }])));
  }

  async deleteAccount(remoteId: string): Promise<void> {
    await this.client.delete('Users', remoteId);
    if (this.#directory) (await this.#directory).remove(remoteId);
  }

  /** True when the PATCH's answer names every member and shows this one in. */
  async addToGroup(remoteId: string, group: string): Promise<boolean> {
    const answer = await this.client.patch('Groups', await this.#groupId(group), [{ op: 'add', path: 'members', value: [{ value: remoteId }] }]);
    return answerShows(answer, remoteId) === true;
  }

  /** True when the PATCH's answer names every member and shows this one gone. */
  async removeFromGroup(remoteId: string, group: string): Promise<boolean> {
    const answer = await this.client.patch('Groups', await this.#groupId(group), [{ op: 'remove', path: `members[value eq ${JSON.stringify(remoteId)}]` }]);
    return answerShows(answer, remoteId) === false;
  }

  async listGroups(): Promise<string[]> {
    const names: string[] = [];
    for await (const { resources } of this.client.pages('Groups', { count: await this.#count(), attributes: 'displayName' })) {
      for (const g of resources) if (typeof g.displayName === 'string') names.push(g.displayName);
    }
    return names;
  }

  /** One PATCH for many members; answers those the answer shows done (none when it lists no members). */
  async changeMembers(group: string, op: 'add' | 'remove', remoteIds: readonly string[]): Promise<Set<string>> {
    const operations = op === 'add' ? [{ op: 'add', path: 'members', value: remoteIds.map((value) => ({ value })) }] : remoteIds.map((id) => ({ op: 'remove', path: `members[value eq ${JSON.stringify(id)}]` }));
    const answer = await this.client.patch('Groups', await this.#groupId(group), operations);
    return new Set(remoteIds.filter((id) => answerShows(answer, id) === (op === 'add')));
  }

  /** From what the app really shows (see isGroupMember). */
  async isMember(remoteId: string, group: string): Promise<boolean> {
    return isGroupMember(this.client, this.#membership, { remoteId, group, groupId: await this.#groupId(group) });
  }

  /**
   * A group's id by its displayName, looked up once per connector: by filter, checking the answer,
   * or — where the app cannot filter — from one read of every group.
   */
  async #groupId(name: string): Promise<string> {
    const known = this.#groupIds.get(name);
    if (known) return known;
    if (!this.#groupsRead && (await this.#canFilter())) {
      try {
        const page = await this.client.list('Groups', { startIndex: 1, count: 2, filter: `displayName eq ${JSON.stringify(name)}`, excludedAttributes: 'members' });
        const resources = page.Resources ?? [];
        if (resources.every((g) => typeof g.displayName === 'string' && g.displayName.toLowerCase() === name.toLowerCase())) {
          const id = resources[0]?.id;
          if (typeof id !== 'string') throw new RosterError('not_found', `${this.appName}: no group named ${name}`);
          this.#groupIds.set(name, id);
          return id;
        }
      } catch (error) {
        if (!filterRefused(error)) throw error;
      }
      this.#filters = false;
    }
    if (!this.#groupsRead) {
      for await (const { resources } of this.client.pages('Groups', { count: await this.#count(), attributes: 'displayName' })) {
        for (const g of resources) if (typeof g.displayName === 'string' && !this.#groupIds.has(g.displayName)) this.#groupIds.set(g.displayName, String(g.id));
      }
      this.#groupsRead = true;
    }
    const id = this.#groupIds.get(name) ?? [...this.#groupIds].find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1];
    if (!id) throw new RosterError('not_found', `${this.appName}: no group named ${name}`);
    this.#groupIds.set(name, id);
    return id;
  }

  /** SCIM writes take effect at once: nothing is staged. */
  async flush(): Promise<void> {}

  async close(): Promise<void> {
    await this.client.http.close();
  }
}

/**
 * Whether a group as the app answered it holds the member: undefined when the answer cannot tell
 * (no members listed, or members without a value, as some servers answer `[{}, {}]`).
 */
function answerShows(group: Record<string, unknown>, memberId: string): boolean | undefined {
  const members = group.members;
  if (!Array.isArray(members) || members.length === 0) return undefined;
  const values = (members as { value?: unknown }[]).map((m) => m?.value);
  if (!values.every((v) => typeof v === 'string')) return undefined;
  return values.includes(memberId);
}
