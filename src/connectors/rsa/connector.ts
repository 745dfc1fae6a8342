import type { RemoteAccount } from '../../core/account.ts';
import { RosterError, isRosterError } from '../../errors.ts';
import { httpSettings, type AccountPage, type Capabilities, type Connector, type ConnectorOptions } from '../connector.ts';
import type { HttpExchange } from '../http/client.ts';
import { ScimClient } from '../scim/client.ts';
import { RsaHttpClient } from './http.ts';
import { NO_GROUPS, rsaManifest } from './manifest.ts';
import { accountFromRsaUser, rsaPatchOperations, rsaUserFromInput, type RsaAccountInput } from './mapping.ts';

/**
 * baseUrl: the Base URI copied from the console (resources at <base>/Users). auth: the client
 * secret as a bearer token. budget: RSA publishes no limit; give one only if the tenant has one.
 */
export interface RsaConnectorOptions extends ConnectorOptions {
  /** What `offboard()` does. Default `'deactivate'` (PATCH active=false). */
  leaver?: 'deactivate' | 'delete' | undefined;
}

/** What `offboard()` did. */
export interface RsaOffboardResult {
  action: 'deactivated' | 'deleted';
  remoteId: string;
  account: RemoteAccount;
}

/**
 * RSA ID Plus's Unified Directory over SCIM 2.0, composed from roster's ScimClient on an
 * RSA-aware HTTP client. Users only; the work email and mobile phone mapped as the console shows
 * them; lookups by `userName eq` / `emails eq` (the only searches RSA answers); changes by PATCH
 * with lowercase ops (200 with the whole user: no read-back); leavers deactivated.
 */
export class RsaConnector implements Connector {
  readonly appName: string;
  readonly type = 'rsa' as const;
  readonly capabilities: Capabilities = rsaManifest.capabilities;
  readonly client: ScimClient;
  readonly http: RsaHttpClient;
  readonly leaver: 'deactivate' | 'delete';
  readonly #pageSize: number;

  constructor(options: RsaConnectorOptions) {
    this.appName = options.appName;
    this.#pageSize = options.pageSize ?? rsaManifest.paging.defaultPageSize;
    this.leaver = options.leaver ?? 'deactivate';
    this.http = new RsaHttpClient({ ...httpSettings(options), contentType: rsaManifest.contentType });
    this.client = new ScimClient(this.http);
  }

  observe(observer: (exchange: HttpExchange) => void): () => void {
    return this.http.observe(observer);
  }

  /** Every user, 100 a page (no discovery read: RSA's page size is a fact in the manifest). */
  async *listAccounts(): AsyncIterable<AccountPage> {
    let readSoFar = 0;
    for await (const { resources, total } of this.client.pages('Users', { count: this.#pageSize })) {
      readSoFar += resources.length;
      yield { accounts: resources.map(accountFromRsaUser), readSoFar, total };
    }
  }

  async getAccount(remoteId: string): Promise<RemoteAccount | undefined> {
    const user = await this.client.get('Users', remoteId);
    return user ? accountFromRsaUser(user) : undefined;
  }

  /** `userName eq` or `emails eq`: the only searches RSA answers. */
  async findAccount(by: { userName?: string; email?: string }): Promise<RemoteAccount | undefined> {
    const filter = by.userName ? `userName eq ${JSON.stringify(by.userName)}` : by.email ? `emails eq ${JSON.stringify(by.email)}` : undefined;
    if (!filter) return undefined;
    const page = await this.client.list('Users', { startIndex: 1, count: 2, filter });
    const first = page.Resources?.[0];
    return first ? accountFromRsaUser(first) : undefined;
  }

  /** POST with userName and the work email; a taken userName is a `conflict` that names the existing user. */
  async createAccount(input: RsaAccountInput): Promise<RemoteAccount> {
    const body = rsaUserFromInput(this.appName, input);
    try {
      return accountFromRsaUser(await this.client.create('Users', body));
    } catch (error) {
      if (!isRosterError(error, 'conflict')) throw error;
      const existing = await this.findAccount({ userName: input.userName }).catch(() => undefined);
      const which = existing ? ` (id ${existing.remoteId}${existing.active ? '' : ', deactivated'})` : '';
      throw new RosterError('conflict', `${this.appName}: a user named ${input.userName} already exists${which}`, { ...error.facts, remoteId: existing?.remoteId }, { cause: error });
    }
  }

  /** PATCH of only what is given (200 with the whole user); never a PUT, which clears the rest. */
  async updateAccount(remoteId: string, changes: Partial<RsaAccountInput>): Promise<RemoteAccount> {
    const operations = rsaPatchOperations(this.appName, changes);
    if (operations.length === 0) {
      const current = await this.getAccount(remoteId);
      if (current) return current;
      throw new RosterError('not_found', `${this.appName}: no user with id ${remoteId}`, { appName: this.appName, remoteId });
    }
    return accountFromRsaUser(await this.client.patch('Users', remoteId, operations));
  }

  /** User Status by PATCH active; what a leaver gets. */
  async setActive(remoteId: string, active: boolean): Promise<RemoteAccount> {
    return accountFromRsaUser(await this.client.patch('Users', remoteId, [{ op: 'replace', path: 'active', value: active }]));
  }

  /** DELETE; a user of a Local identity source is refused (405): `unsupported`, not retried, saying why. */
  async deleteAccount(remoteId: string): Promise<void> {
    await this.client.delete('Users', remoteId);
  }

  /** A leaver: deactivated (default) or deleted, as `leaver` says. */
  async offboard(remoteId: string): Promise<RsaOffboardResult> {
    if (this.leaver === 'deactivate') return { action: 'deactivated', remoteId, account: await this.setActive(remoteId, false) };
    const account = await this.getAccount(remoteId);
    if (!account) throw new RosterError('not_found', `${this.appName}: no user with id ${remoteId}`, { appName: this.appName, remoteId });
    await this.deleteAccount(remoteId);
    return { action: 'deleted', remoteId, account };
  }

  async addToGroup(): Promise<void> {
    throw this.#noGroups();
  }

  async removeFromGroup(): Promise<void> {
    throw this.#noGroups();
  }

  async isMember(): Promise<boolean> {
    throw this.#noGroups();
  }

  /** SCIM writes take effect at once: nothing is staged. */
  async flush(): Promise<void> {}

  async close(): Promise<void> {
    await this.http.close();
  }

  #noGroups(): RosterError {
    return new RosterError('unsupported', `${this.appName}: ${NO_GROUPS}`, { appName: this.appName, capability: 'groups' });
  }
}
