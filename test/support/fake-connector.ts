import type { AccountInput, AccountPage, Capabilities, Connector, FlushOptions } from '../../src/connectors/connector.ts';
import type { RemoteAccount } from '../../src/core/account.ts';
import { RosterError } from '../../src/errors.ts';

/**
 * An app in memory for engine unit tests: it keeps accounts and groups, logs every call in order,
 * and fails a named call when told to. Where a real part fits (the simulators), tests use those.
 */
export class FakeConnector implements Connector {
  readonly appName: string;
  readonly type = 'scim' as const;
  readonly capabilities: Capabilities = { attributes: ['displayName', 'givenName', 'familyName', 'email', 'department', 'title'], roles: true, groups: true, createAccount: true, updateAccount: true, deactivate: true, deleteAccount: true, bulkDelete: true, stagesWrites: false };
  readonly accounts = new Map<string, RemoteAccount>();
  readonly calls: string[] = [];
  /** Calls to fail next: method name → the error, taken once each. */
  readonly failNext = new Map<string, Error[]>();
  /** Runs inside deleteAccounts, after beforeDelete and before anything is deleted. */
  onBulkDelete: (() => Promise<void>) | undefined;
  /** Accounts the app refuses to delete (ZIA's admins): a bulk delete naming one deletes nothing. */
  readonly undeletable = new Set<string>();
  #next = 1;

  constructor(appName = 'fake') {
    this.appName = appName;
  }

  seed(account: Partial<RemoteAccount> & { userName: string }): RemoteAccount {
    const remoteId = String(this.#next++);
    const full: RemoteAccount = { remoteId, active: true, groups: [], raw: {}, email: account.userName, ...account };
    this.accounts.set(remoteId, full);
    return full;
  }

  #call(name: string, detail = ''): void {
    this.calls.push(detail ? `${name} ${detail}` : name);
    const errors = this.failNext.get(name);
    const error = errors?.shift();
    if (error) throw error;
  }

  async *listAccounts(): AsyncIterable<AccountPage> {
    this.#call('listAccounts');
    yield { accounts: [...this.accounts.values()], readSoFar: this.accounts.size, total: this.accounts.size };
  }

  async getAccount(remoteId: string): Promise<RemoteAccount | undefined> {
    this.#call('getAccount', remoteId);
    const found = this.accounts.get(remoteId);
    return found ? structuredClone(found) : undefined;
  }

  async findAccount(by: { userName?: string; email?: string }): Promise<RemoteAccount | undefined> {
    this.#call('findAccount', by.userName ?? by.email ?? '');
    return [...this.accounts.values()].find((a) => (by.userName && a.userName === by.userName) || (by.email && a.email === by.email));
  }

  async createAccount(input: AccountInput): Promise<RemoteAccount> {
    this.#call('createAccount', input.userName);
    if ([...this.accounts.values()].some((a) => a.userName === input.userName)) throw new RosterError('conflict', `${this.appName}: POST /Users answered 409 (userName ${input.userName} exists)`);
    return this.seed({ ...input, active: input.active ?? true });
  }

  async updateAccount(remoteId: string, changes: Partial<AccountInput>): Promise<RemoteAccount> {
    this.#call('updateAccount', `${remoteId} ${JSON.stringify(changes)}`);
    const account = this.#existing(remoteId);
    Object.assign(account, changes);
    return structuredClone(account);
  }

  async setActive(remoteId: string, active: boolean): Promise<RemoteAccount> {
    this.#call('setActive', `${remoteId} ${active}`);
    const account = this.#existing(remoteId);
    account.active = active;
    return structuredClone(account);
  }

  async deleteAccount(remoteId: string): Promise<void> {
    this.#call('deleteAccount', remoteId);
    this.#existing(remoteId);
    this.accounts.delete(remoteId);
  }

  async deleteAccounts(remoteIds: readonly string[], beforeDelete?: (accounts: readonly RemoteAccount[]) => Promise<void>): Promise<{ deleted: RemoteAccount[]; notFound: string[] }> {
    const refused = remoteIds.filter((id) => this.undeletable.has(id));
    if (refused.length > 0) throw new RosterError('unsupported', `${this.appName}: ${refused.join(', ')} cannot be deleted through the API; nothing was deleted`, { remoteIds: refused });
    const deleted = remoteIds.flatMap((id) => {
      const found = this.accounts.get(id);
      return found ? [structuredClone(found)] : [];
    });
    if (beforeDelete) await beforeDelete(deleted);
    await this.onBulkDelete?.();
    this.#call('deleteAccounts', remoteIds.join(','));
    for (const account of deleted) this.accounts.delete(account.remoteId);
    return { deleted, notFound: remoteIds.filter((id) => !deleted.some((a) => a.remoteId === id)) };
  }

  async addToGroup(remoteId: string, group: string): Promise<void> {
    this.#call('addToGroup', `${remoteId} ${group}`);
    const account = this.#existing(remoteId);
    if (!account.groups.includes(group)) account.groups.push(group);
  }

  async removeFromGroup(remoteId: string, group: string): Promise<void> {
    this.#call('removeFromGroup', `${remoteId} ${group}`);
    const account = this.#existing(remoteId);
    account.groups = account.groups.filter((g) => g !== group);
  }

  async isMember(remoteId: string, group: string): Promise<boolean> {
    this.#call('isMember', `${remoteId} ${group}`);
    return this.accounts.get(remoteId)?.groups.includes(group) ?? false;
  }

  async flush(options?: FlushOptions): Promise<void> {
    this.#call('flush', options?.pending ? 'pending' : '');
  }

  observe(): () => void {
    return () => undefined;
  }

  async close(): Promise<void> {}

  #existing(remoteId: string): RemoteAccount {
    const account = this.accounts.get(remoteId);
    if (!account) throw new RosterError('not_found', `${this.appName}: no account ${remoteId}`);
    return account;
  }
}
