import type { RemoteAccount } from '../../core/account.ts';
import { RosterError, isRosterError } from '../../errors.ts';
import type { AccountInput, AccountPage, Capabilities, Connector, ConnectorOptions } from '../connector.ts';
import type { HttpExchange } from '../http/client.ts';
import { ScimConnector, userMatches } from '../scim/connector.ts';
import { accountFromScimUser } from '../scim/mapping.ts';
import { ziaScimManifest } from './manifest.ts';

export type ZiaScimConnectorOptions = ConnectorOptions;

/**
 * ZIA over SCIM 2.0: the generic SCIM connector with ZIA's facts. Pages of 1,000 (no discovery
 * read); an email lookup goes by `userName eq` (ZIA filters on nothing else a person is known by);
 * a membership past the 128-groups-per-user cap is refused in those words.
 */
export class ZiaScimConnector implements Connector {
  readonly appName: string;
  readonly type = ziaScimManifest.type;
  readonly capabilities: Capabilities = ziaScimManifest.capabilities;
  readonly scim: ScimConnector;

  constructor(options: ZiaScimConnectorOptions) {
    this.appName = options.appName;
    this.scim = new ScimConnector({ ...options, pageSize: Math.min(options.pageSize ?? ziaScimManifest.paging.maxPageSize, ziaScimManifest.paging.maxPageSize) });
  }

  observe(observer: (exchange: HttpExchange) => void): () => void {
    return this.scim.observe(observer);
  }

  listAccounts(): AsyncIterable<AccountPage> {
    return this.scim.listAccounts();
  }

  getAccount(remoteId: string): Promise<RemoteAccount | undefined> {
    return this.scim.getAccount(remoteId);
  }

  /**
   * By `userName eq`; by email too, since ZIA cannot filter on emails and its userName is the email.
   * ZIA's filters are a documented fact: no discovery read first, and the answer is checked.
   */
  async findAccount(by: { userName?: string; email?: string }): Promise<RemoteAccount | undefined> {
    const userName = by.userName ?? by.email;
    if (!userName) return undefined;
    const page = await this.scim.client.list('Users', { startIndex: 1, count: 2, filter: `userName eq ${JSON.stringify(userName)}` });
    const found = (page.Resources ?? []).find((user) => userMatches(user, { userName }));
    return found ? accountFromScimUser(found) : undefined;
  }

  createAccount(input: AccountInput): Promise<RemoteAccount> {
    return this.scim.createAccount(input);
  }

  updateAccount(remoteId: string, changes: Partial<AccountInput>): Promise<RemoteAccount> {
    return this.scim.updateAccount(remoteId, changes);
  }

  setActive(remoteId: string, active: boolean): Promise<RemoteAccount> {
    return this.scim.setActive(remoteId, active);
  }

  deleteAccount(remoteId: string): Promise<void> {
    return this.scim.deleteAccount(remoteId);
  }

  /** Adds to a group; ZIA's 400 for a user already in 128 groups becomes an unretried error saying so. */
  async addToGroup(remoteId: string, group: string): Promise<boolean> {
    try {
      return await this.scim.addToGroup(remoteId, group);
    } catch (error) {
      if (!isRosterError(error, 'bad_request')) throw error;
      const account = await this.scim.getAccount(remoteId).catch(() => undefined);
      const max = ziaScimManifest.maxGroupsPerUser;
      if (!account || account.groups.length < max) throw error;
      throw new RosterError('unsupported', `${this.appName}: ZIA allows at most ${max} groups per user, and ${account.userName ?? remoteId} is in ${account.groups.length} already; cannot add ${group}`, { ...error.facts, maxGroupsPerUser: max }, { cause: error });
    }
  }

  removeFromGroup(remoteId: string, group: string): Promise<boolean> {
    return this.scim.removeFromGroup(remoteId, group);
  }

  isMember(remoteId: string, group: string): Promise<boolean> {
    return this.scim.isMember(remoteId, group);
  }

  /** SCIM writes take effect at once (ZIA's native API stages; its SCIM does not). */
  async flush(): Promise<void> {}

  close(): Promise<void> {
    return this.scim.close();
  }
}
