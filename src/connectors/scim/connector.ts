import type { RemoteAccount } from '../../core/account.ts';
import { httpSettings, type AccountInput, type AccountPage, type Capabilities, type Connector, type ConnectorOptions } from '../connector.ts';
import { HttpClient, type HttpExchange } from '../http/client.ts';
import { ScimClient } from './client.ts';
import { ScimGroups } from './groups.ts';
import { scimManifest } from './manifest.ts';
import { accountFromScimUser, patchOperationsFor, scimUserFromInput } from './mapping.ts';

export type ScimConnectorOptions = ConnectorOptions;

/** Any SCIM 2.0 app (RFC 7643/7644): also the base the SCIM-speaking vendors build on. */
export class ScimConnector implements Connector {
  readonly appName: string;
  readonly type = 'scim' as const;
  readonly capabilities: Capabilities = scimManifest.capabilities;
  readonly client: ScimClient;
  readonly #pageSize: number | undefined;
  readonly groups: ScimGroups;

  constructor(options: ScimConnectorOptions) {
    this.appName = options.appName;
    this.#pageSize = options.pageSize;
    const http = new HttpClient({ ...httpSettings(options), contentType: scimManifest.contentType });
    this.client = new ScimClient(http);
    this.groups = new ScimGroups(this.client, { appName: this.appName });
  }

  observe(observer: (exchange: HttpExchange) => void): () => void {
    return this.client.http.observe(observer);
  }

  async *listAccounts(): AsyncIterable<AccountPage> {
    const count = this.#pageSize ?? (await this.client.maxPageSize()) ?? scimManifest.paging.defaultPageSize;
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

  async findAccount(by: { userName?: string; email?: string }): Promise<RemoteAccount | undefined> {
    const filter = by.userName ? `userName eq ${JSON.stringify(by.userName)}` : by.email ? `emails.value eq ${JSON.stringify(by.email)}` : undefined;
    if (!filter) return undefined;
    const page = await this.client.list('Users', { startIndex: 1, count: 2, filter });
    const first = page.Resources?.[0];
    return first ? accountFromScimUser(first) : undefined;
  }

  async createAccount(input: AccountInput): Promise<RemoteAccount> {
    return accountFromScimUser(await this.client.create('Users', scimUserFromInput(input)));
  }

  async updateAccount(remoteId: string, changes: Partial<AccountInput>): Promise<RemoteAccount> {
    const operations = patchOperationsFor(changes);
    if (operations.length === 0) {
      const current = await this.getAccount(remoteId);
      if (current) return current;
    }
    return accountFromScimUser(await this.client.patch('Users', remoteId, operations));
  }

  async setActive(remoteId: string, active: boolean): Promise<RemoteAccount> {
    return accountFromScimUser(await this.client.patch('Users', remoteId, [{ op: 'replace', path: 'active', value: active }]));
  }

  async deleteAccount(remoteId: string): Promise<void> {
    await this.client.delete('Users', remoteId);
  }

  async addToGroup(remoteId: string, group: string): Promise<void> {
    await this.groups.addMember(remoteId, group);
  }

  async removeFromGroup(remoteId: string, group: string): Promise<void> {
    await this.groups.removeMember(remoteId, group);
  }

  async isMember(remoteId: string, group: string): Promise<boolean> {
    return this.groups.isMember(remoteId, group);
  }

  /** SCIM writes take effect at once: nothing is staged. */
  async flush(): Promise<void> {}

  async close(): Promise<void> {
    await this.client.http.close();
  }
}
