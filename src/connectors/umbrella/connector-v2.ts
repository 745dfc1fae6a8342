import type { RemoteAccount } from '../../core/account.ts';
import type { Secret } from '../../config/secret.ts';
import { RosterError } from '../../errors.ts';
import { httpSettings, type AccountInput, type AccountPage, type Capabilities, type Connector, type ConnectorOptions } from '../connector.ts';
import type { AuthStrategy } from '../http/auth.ts';
import type { HttpExchange } from '../http/client.ts';
import { clientCredentialsAuth } from '../http/oauth2.ts';
import type { UmbrellaRole } from './client-v1.ts';
import { UmbrellaV2Client } from './client-v2.ts';
import { umbrellaCapabilities, umbrellaManifest } from './manifest.ts';
import { accountFromUmbrellaUser, emailOf, namesFor, throwawayPassword, type UmbrellaUserRecord } from './mapping.ts';
import { duplicateEmail, isDuplicateEmail, lastAdminRefusal, resolveRole, unsupported } from './refusals.ts';

const API = umbrellaManifest.v2.name;

/**
 * baseUrl: `https://api.umbrella.com` (an /admin/v2 path on it is dropped). Credentials: the API
 * key id and secret (`key`, `secret`), from which roster fetches bearer tokens at `tokenUrl`
 * (default `<baseUrl>/auth/v2/token`); or a ready `auth` strategy. budget: the key's
 * (`umbrellaV2RateRules`), shared by every connector using the key.
 */
export interface UmbrellaV2Options extends Omit<ConnectorOptions, 'auth'> {
  auth?: AuthStrategy | undefined;
  key?: string | undefined;
  secret?: Secret | undefined;
  tokenUrl?: string | undefined;
  /** Role for a new account that asks for none. Default Read Only. */
  defaultRole?: string | undefined;
  /** Timezone for a new account. Default UTC. */
  timezone?: string | undefined;
}

export function umbrellaV2Origin(baseUrl: string): string {
  return new URL(baseUrl).origin;
}

/** The client-credentials strategy for an API v2 key: a token reused until it expires, renewed when refused. */
export function umbrellaV2Auth(options: { appName: string; baseUrl: string; key: string; secret: Secret; tokenUrl?: string | undefined; timeoutMs?: number | undefined }): AuthStrategy {
  return clientCredentialsAuth({
    appName: options.appName,
    tokenUrl: options.tokenUrl ?? `${umbrellaV2Origin(options.baseUrl)}${umbrellaManifest.v2.tokenPath}`,
    clientId: options.key,
    clientSecret: options.secret,
    timeoutMs: options.timeoutMs,
  });
}

/**
 * Umbrella API v2 admin users: OAuth2 client credentials, users known by email, roles named by
 * label and sent as roleId. There is no PUT or PATCH: `updateAccount` refuses (a change is a delete
 * and a create, which the planner makes); `createAccount` re-creates a deleted person's email with
 * `{email, roleId}` only, as Umbrella requires. No deactivate, no groups.
 */
export class UmbrellaV2Connector implements Connector {
  readonly appName: string;
  readonly type = 'umbrella' as const;
  readonly api = 'v2' as const;
  readonly capabilities: Capabilities = umbrellaCapabilities.v2;
  readonly client: UmbrellaV2Client;
  readonly #options: UmbrellaV2Options;
  readonly #pageSize: number;
  #roles: Promise<UmbrellaRole[]> | undefined;
  /** id → email, from every read (so a delete knows whose email it frees). */
  readonly #emails = new Map<string, string>();
  /** Lowercase emails this connector deleted: re-created with `{email, roleId}` at once. */
  readonly #deleted = new Set<string>();

  constructor(options: UmbrellaV2Options) {
    this.appName = options.appName;
    this.#options = options;
    const max = umbrellaManifest.v2.paging.maxPageSize;
    this.#pageSize = Math.min(options.pageSize ?? max, max);
    let auth = options.auth;
    if (!auth) {
      if (!options.key || !options.secret) throw new RosterError('config_invalid', `${options.appName}: Umbrella API v2 needs an API key id and secret (key, secret)`, { appName: options.appName });
      auth = umbrellaV2Auth({ appName: options.appName, baseUrl: options.baseUrl, key: options.key, secret: options.secret, tokenUrl: options.tokenUrl, timeoutMs: options.timeoutMs });
    }
    this.client = new UmbrellaV2Client({ ...httpSettings({ ...options, auth }), baseUrl: umbrellaV2Origin(options.baseUrl) });
  }

  observe(observer: (exchange: HttpExchange) => void): () => void {
    return this.client.http.observe(observer);
  }

  async *listAccounts(): AsyncIterable<AccountPage> {
    let readSoFar = 0;
    for (let page = 1; ; page += 1) {
      const users = await this.client.users(page, this.#pageSize);
      readSoFar += users.length;
      if (users.length > 0) yield { accounts: users.map((u) => this.#seen(u)), readSoFar, total: undefined };
      if (users.length < this.#pageSize) return;
    }
  }

  async getAccount(remoteId: string): Promise<RemoteAccount | undefined> {
    if (!/^\d+$/.test(remoteId)) return remoteId.includes('@') ? this.findAccount({ email: remoteId }) : undefined;
    const user = await this.client.user(remoteId);
    return user ? this.#seen(user) : undefined;
  }

  /** By email (the userName is the email); the API has no search, so this reads page by page. */
  async findAccount(by: { userName?: string; email?: string }): Promise<RemoteAccount | undefined> {
    const email = (by.email ?? by.userName)?.toLowerCase();
    if (!email) return undefined;
    for await (const page of this.listAccounts()) {
      const found = page.accounts.find((a) => a.email?.toLowerCase() === email);
      if (found) return found;
    }
    return undefined;
  }

  /**
   * POST the full body. A deleted person's email comes back only with `{email, roleId}` (their
   * names and timezone as they were): sent at once for an email this connector deleted, else
   * after the full body answers "Email already in use"; if that is refused too, a live account
   * holds the email: a conflict.
   */
  async createAccount(input: AccountInput): Promise<RemoteAccount> {
    const email = emailOf(input);
    if (!email) throw new RosterError('input_invalid', `${this.appName}: an Umbrella account needs an email; ${input.userName} has none`, { appName: this.appName });
    const role = resolveRole(this.appName, await this.#allRoles(), input.role ?? this.#options.defaultRole ?? 'Read Only');
    const restore = async () => {
      const user = this.#seen(await this.client.create({ email, roleId: role.roleId }));
      this.#deleted.delete(email.toLowerCase());
      return user;
    };
    try {
      if (this.#deleted.has(email.toLowerCase())) return await restore();
      return this.#seen(await this.client.create({ email, password: throwawayPassword(), ...namesFor(input), roleId: role.roleId, timezone: this.#options.timezone ?? 'UTC' }));
    } catch (error) {
      if (!isDuplicateEmail(error)) throw error;
      try {
        return await restore();
      } catch (again) {
        if (!isDuplicateEmail(again)) throw again;
        throw duplicateEmail(this.appName, email, again, await this.findAccount({ email }).catch(() => undefined));
      }
    }
  }

  async updateAccount(): Promise<RemoteAccount> {
    throw unsupported(this.appName, API, 'change a user (it has no PUT or PATCH)', 'a new role, name or email is a delete and a create, which a plan holds for approval');
  }

  async setActive(): Promise<RemoteAccount> {
    throw unsupported(this.appName, API, 'switch a user off', 'a leaver is deleted (permanently), which a plan holds for approval');
  }

  /** Permanent. The last Full Admin is refused: a `conflict`, not retried. */
  async deleteAccount(remoteId: string): Promise<void> {
    try {
      await this.client.delete(remoteId);
      const email = this.#emails.get(remoteId);
      if (email) this.#deleted.add(email.toLowerCase());
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

  #seen(user: UmbrellaUserRecord): RemoteAccount {
    this.#emails.set(String(user.id), user.email);
    return accountFromUmbrellaUser(user);
  }

  /** The roles, read once (`admin.roles:read`). */
  #allRoles(): Promise<UmbrellaRole[]> {
    this.#roles ??= this.client.roles().catch((error: unknown) => {
      this.#roles = undefined;
      throw error;
    });
    return this.#roles;
  }

  #noGroups(): RosterError {
    return unsupported(this.appName, API, 'manage groups', 'use the SCIM API for groups');
  }
}
