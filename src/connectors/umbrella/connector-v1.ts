import type { RemoteAccount } from '../../core/account.ts';
import { RosterError } from '../../errors.ts';
import { httpSettings, type AccountInput, type AccountPage, type Capabilities, type Connector, type ConnectorOptions } from '../connector.ts';
import type { HttpExchange } from '../http/client.ts';
import { UmbrellaV1Client, type UmbrellaRole, type V1CreateBody } from './client-v1.ts';
import { umbrellaCapabilities, umbrellaManifest } from './manifest.ts';
import { accountFromUmbrellaUser, emailOf, namesFor, throwawayPassword, type UmbrellaUserRecord } from './mapping.ts';
import { duplicateEmail, isDuplicateEmail, lastAdminRefusal, resolveRole, unsupported } from './refusals.ts';

const API = umbrellaManifest.v1.name;

/**
 * baseUrl: `https://management.api.umbrella.com/v1` (a bare origin gets /v1). auth: HTTP Basic
 * with a Management API key id and secret.
 */
export interface UmbrellaV1Options extends ConnectorOptions {
  /** The organization to manage. Absent: the one the key sees, when it sees exactly one. */
  organizationId?: number | undefined;
  /** Which create body the service takes (sources disagree). Absent: told by the fields of a user read. */
  form?: 'seed' | 'legacy' | undefined;
  /** Role for a new account that asks for none. Default Read Only. */
  defaultRole?: string | undefined;
  /** Timezone for the legacy create body. Default UTC. */
  timezone?: string | undefined;
}

export function umbrellaV1BaseUrl(baseUrl: string): string {
  const url = new URL(baseUrl);
  if (url.pathname.replace(/\/+$/, '') === '') url.pathname = '/v1';
  return url.toString().replace(/\/+$/, '');
}

/**
 * Umbrella's Management API v1: dashboard users of one organization, known by email. No
 * deactivate (leavers are deleted, permanently) and no groups; a new account is pending until its
 * person accepts the emailed invitation (`active: false`, `raw.status: 'pending'`); an update
 * reads the user and PUTs it back whole, because PUT resets what it leaves out.
 */
export class UmbrellaV1Connector implements Connector {
  readonly appName: string;
  readonly type = 'umbrella' as const;
  readonly api = 'v1' as const;
  readonly capabilities: Capabilities = umbrellaCapabilities.v1;
  readonly client: UmbrellaV1Client;
  readonly #options: UmbrellaV1Options;
  readonly #pageSize: number;
  #org: Promise<number> | undefined;
  #roles: Promise<UmbrellaRole[]> | undefined;
  #form: 'seed' | 'legacy' | undefined;

  constructor(options: UmbrellaV1Options) {
    this.appName = options.appName;
    this.#options = options;
    this.#form = options.form;
    const max = umbrellaManifest.v1.paging.maxPageSize;
    this.#pageSize = Math.min(options.pageSize ?? max, max);
    this.client = new UmbrellaV1Client({ ...httpSettings(options), baseUrl: umbrellaV1BaseUrl(options.baseUrl) });
  }

  observe(observer: (exchange: HttpExchange) => void): () => void {
    return this.client.http.observe(observer);
  }

  /** The organization: the configured one, or the only one the key sees (else a clear error listing them). */
  organization(): Promise<number> {
    if (this.#options.organizationId !== undefined) return Promise.resolve(this.#options.organizationId);
    this.#org ??= this.client.organizations().then((orgs) => {
      const [only] = orgs;
      if (orgs.length === 1 && only) return only.organizationId;
      this.#org = undefined;
      if (orgs.length === 0) throw new RosterError('config_invalid', `${this.appName}: this Management API key sees no organization; check the key`, { appName: this.appName });
      const list = orgs.map((o) => `${o.organizationId}${o.organizationName ? ` (${o.organizationName})` : ''}`).join(', ');
      throw new RosterError('config_invalid', `${this.appName}: this key sees ${orgs.length} organizations (${list}); set organizationId for this app to the one roster manages`, { appName: this.appName, organizations: orgs.map((o) => o.organizationId) });
    });
    return this.#org;
  }

  async *listAccounts(): AsyncIterable<AccountPage> {
    const org = await this.organization();
    let readSoFar = 0;
    for (let page = 1; ; page += 1) {
      const users = await this.client.users(org, page, this.#pageSize);
      this.#learnForm(users);
      readSoFar += users.length;
      if (users.length > 0) yield { accounts: users.map(accountFromUmbrellaUser), readSoFar, total: undefined };
      // No total: a short page is the last.
      if (users.length < this.#pageSize) return;
    }
  }

  /** By id; an email is looked up by email. */
  async getAccount(remoteId: string): Promise<RemoteAccount | undefined> {
    if (!/^\d+$/.test(remoteId)) return remoteId.includes('@') ? this.findAccount({ email: remoteId }) : undefined;
    const user = await this.client.user(await this.organization(), remoteId);
    return user ? accountFromUmbrellaUser(user) : undefined;
  }

  /** By email (the userName is the email): the API has no search, so this reads the users page by page. */
  async findAccount(by: { userName?: string; email?: string }): Promise<RemoteAccount | undefined> {
    const email = (by.email ?? by.userName)?.toLowerCase();
    if (!email) return undefined;
    for await (const page of this.listAccounts()) {
      const found = page.accounts.find((a) => a.email?.toLowerCase() === email);
      if (found) return found;
    }
    return undefined;
  }

  /** POST in the service's create body; the account is pending until its person accepts the invitation. */
  async createAccount(input: AccountInput): Promise<RemoteAccount> {
    const org = await this.organization();
    const email = emailOf(input);
    if (!email) throw new RosterError('input_invalid', `${this.appName}: an Umbrella account needs an email; ${input.userName} has none`, { appName: this.appName });
    const role = resolveRole(this.appName, await this.#rolesOf(org), input.role ?? this.#options.defaultRole ?? 'Read Only');
    const names = namesFor(input);
    const body: V1CreateBody =
      (await this.#formOf(org)) === 'seed'
        ? { name: input.displayName ?? `${names.firstname} ${names.lastname}`, email, role: role.label }
        : { ...names, email, password: throwawayPassword(), roleId: role.roleId, timezone: this.#options.timezone ?? 'UTC' };
    try {
      return accountFromUmbrellaUser(await this.client.create(org, body));
    } catch (error) {
      if (!isDuplicateEmail(error)) throw error;
      throw duplicateEmail(this.appName, email, error, await this.findAccount({ email }).catch(() => undefined));
    }
  }

  /** Read, merge, write: PUT replaces the whole user, so every field goes back as read unless changed. */
  async updateAccount(remoteId: string, changes: Partial<AccountInput>): Promise<RemoteAccount> {
    const org = await this.organization();
    const held = new Set<string>(['email', 'userName', 'displayName', 'givenName', 'familyName', 'role', 'active', 'externalId']);
    const foreign = Object.keys(changes).filter((k) => !held.has(k) && changes[k as keyof AccountInput] !== undefined);
    if (foreign.length > 0) throw unsupported(this.appName, API, `hold ${foreign.join(', ')}`, 'it keeps a name, an email and a role');
    if (changes.active === false) throw this.#noDeactivate();
    const current = /^\d+$/.test(remoteId) ? await this.client.user(org, remoteId) : undefined;
    if (!current) throw new RosterError('not_found', `${this.appName}: no user with id ${remoteId}`, { appName: this.appName, remoteId });
    this.#learnForm([current]);
    const email = emailOf(changes) ?? current.email;
    const role = changes.role ? resolveRole(this.appName, await this.#rolesOf(org), changes.role) : undefined;
    const form = this.#form ?? 'seed';
    let body: Record<string, unknown>;
    if (form === 'seed') {
      const name = changes.displayName ?? (changes.givenName || changes.familyName ? [changes.givenName ?? current.firstname, changes.familyName ?? current.lastname].filter(Boolean).join(' ') : current.name);
      body = { name: name ?? '', email, role: role?.label ?? current.role };
    } else {
      const split = changes.displayName !== undefined && changes.givenName === undefined && changes.familyName === undefined ? namesFor({ displayName: changes.displayName }) : undefined;
      body = {
        firstname: changes.givenName ?? split?.firstname ?? current.firstname ?? '',
        lastname: changes.familyName ?? split?.lastname ?? current.lastname ?? '',
        email,
        roleId: role?.roleId ?? current.roleId,
        timezone: current.timezone ?? this.#options.timezone ?? 'UTC',
      };
    }
    return accountFromUmbrellaUser(await this.client.replace(org, String(current.id), body));
  }

  async setActive(): Promise<RemoteAccount> {
    throw this.#noDeactivate();
  }

  /** Permanent. The last Full Admin is refused: a `conflict`, not retried. */
  async deleteAccount(remoteId: string): Promise<void> {
    const org = await this.organization();
    try {
      await this.client.delete(org, remoteId);
    } catch (error) {
      throw lastAdminRefusal(this.appName, remoteId, error) ?? error;
    }
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

  async flush(): Promise<void> {}

  async close(): Promise<void> {
    await this.client.http.close();
  }

  #noDeactivate(): RosterError {
    return unsupported(this.appName, API, 'switch a user off', 'a leaver is deleted (permanently), which a plan holds for approval');
  }

  #noGroups(): RosterError {
    return unsupported(this.appName, API, 'manage groups', 'use the SCIM API for groups');
  }

  #rolesOf(org: number): Promise<UmbrellaRole[]> {
    this.#roles ??= this.client.roles(org).catch((error: unknown) => {
      this.#roles = undefined;
      throw error;
    });
    return this.#roles;
  }

  /** The create body form: configured, or told by a user read (legacy users carry firstname). */
  async #formOf(org: number): Promise<'seed' | 'legacy'> {
    if (this.#form) return this.#form;
    this.#learnForm(await this.client.users(org, 1, 1));
    return (this.#form ??= 'seed');
  }

  #learnForm(users: readonly UmbrellaUserRecord[]): void {
    if (this.#form || users.length === 0) return;
    const user = users[0] as unknown as Record<string, unknown>;
    this.#form = 'firstname' in user || 'roleId' in user ? 'legacy' : 'name' in user ? 'seed' : undefined;
  }
}
