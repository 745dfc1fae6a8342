import type { RemoteAccount } from '../../core/account.ts';
import { RosterError } from '../../errors.ts';
import { httpSettings, type AccountInput, type FlushOptions, type AccountPage, type Capabilities, type Connector, type ConnectorOptions } from '../connector.ts';
import type { AuthStrategy } from '../http/auth.ts';
import { HttpClient, type HttpExchange } from '../http/client.ts';
import { priorities, rulesPerMethod, type RateRule } from '../http/rate-budget.ts';
import { Activation, mayHaveLanded } from './activation.ts';
import { ZiaClient, type ZiaClientOptions, type ZiaUser, type ZiaUserWrite } from './client.ts';
import { ZiaDirectory } from './directory.ts';
import { zscalerManifest } from './manifest.ts';
import { accountFromZiaUser, replacementFor } from './mapping.ts';
import { generatePassword } from './password.ts';
import { isObservableAuth } from './session-auth.ts';

/**
 * baseUrl: legacy `https://zsapi.<cloud>.net/api/v1` (session auth) or OneAPI
 * `https://api.zsapi.net/zia/api/v1` (bearer). auth: a ZiaSessionAuth for the legacy API, or a
 * bearer strategy for OneAPI; closed with the connector. pageSize: at most the manifest's maximum.
 * budget: see ziaRateRules; leavers go first, then joiners and movers, then reads.
 */
export interface ZscalerConnectorOptions extends ConnectorOptions {
  /** Department for new users when the input names none (ZIA requires one). */
  defaultDepartment?: string | undefined;
  /** Groups for new users when the input names none (ZIA requires them). */
  defaultGroups?: readonly string[] | undefined;
  /**
   * ZIA documents no soft-delete, so by default the connector cannot deactivate (leavers are
   * deleted). true: switch leavers off with PUT disabled:true instead, for tenants that honour it;
   * the app's answer must show the user disabled, or the change fails.
   */
  disableLeavers?: boolean | undefined;
  /** How long the list read for lookups by email is reused (writes through this connector keep it current). Default 60 s. */
  lookupCacheMs?: number | undefined;
  /** Waits between GET /status polls while an activation runs: first wait, doubling up to the cap. Default 200 ms, 5 s. */
  activationPollMs?: number | undefined;
  activationPollCapMs?: number | undefined;
  /** Longest an activation may take before roster reports it. Default 10 minutes. */
  activationTimeoutMs?: number | undefined;
  /** How the org's edit lock is waited out. */
  editLock?: Omit<ZiaClientOptions, 'pageSize'> | undefined;
}

/** ZIA's documented per-session limits, and the 1/s seen on list lookups, as rate-budget rules. */
export const ziaRateRules: RateRule[] = [
  ...rulesPerMethod(zscalerManifest.rateLimits),
  { methods: ['GET'], paths: zscalerManifest.slowReads.paths, limit: zscalerManifest.slowReads.limit, windowMs: zscalerManifest.slowReads.windowMs },
];

/** AccountInput plus what ZIA can also set: group names. */
export interface ZscalerAccountInput extends AccountInput {
  groups?: readonly string[] | undefined;
}

/** At or below this many ids, read users one by one; above it, one paged list is cheaper. */
const READ_ONE_BY_ONE_MAX = 3;

/**
 * Zscaler Internet Access. Every write is staged by ZIA until activated (see Activation): a batch
 * of writes ends live with one activation, on `flush()` or at `close()`. PUT is a full replace, so
 * updates read the user, merge, and write the whole record back. The email cannot change, admins
 * cannot be deleted, and there is no deactivation unless `disableLeavers` opts into it.
 */
export class ZscalerConnector implements Connector {
  readonly appName: string;
  readonly type = 'zscaler' as const;
  readonly capabilities: Capabilities;
  readonly client: ZiaClient;
  readonly #auth: AuthStrategy;
  readonly #defaultDepartment: string | undefined;
  readonly #defaultGroups: readonly string[] | undefined;
  readonly #activation: Activation;
  readonly #directory: ZiaDirectory;
  readonly #lookupCacheMs: number;
  #byEmail: { at: number; users: Promise<Map<string, ZiaUser>> } | undefined;
  #closed = false;

  constructor(options: ZscalerConnectorOptions) {
    this.appName = options.appName;
    this.#auth = options.auth;
    this.#defaultDepartment = options.defaultDepartment;
    this.#defaultGroups = options.defaultGroups;
    this.#lookupCacheMs = options.lookupCacheMs ?? 60_000;
    this.capabilities = { ...zscalerManifest.capabilities, deactivate: options.disableLeavers === true };
    const http = new HttpClient({ ...httpSettings(options), contentType: zscalerManifest.contentType });
    this.client = new ZiaClient(http, { ...options.editLock, pageSize: options.pageSize });
    this.#activation = new Activation(this.client, this.appName, { pollMs: options.activationPollMs, pollCapMs: options.activationPollCapMs, timeoutMs: options.activationTimeoutMs });
    this.#directory = new ZiaDirectory(this.client, this.appName);
  }

  /** True while writes are staged that this connector has not activated yet. */
  get dirty(): boolean {
    return this.#activation.dirty;
  }

  observe(observer: (exchange: HttpExchange) => void): () => void {
    const offs = [this.client.http.observe(observer)];
    if (isObservableAuth(this.#auth)) offs.push(this.#auth.observe(observer));
    return () => {
      for (const off of offs) off();
    };
  }

  async *listAccounts(): AsyncIterable<AccountPage> {
    let readSoFar = 0;
    for await (const users of this.client.users()) {
      readSoFar += users.length;
      yield { accounts: users.map(accountFromZiaUser), readSoFar, total: undefined };
    }
    if (readSoFar === 0) yield { accounts: [], readSoFar, total: undefined };
  }

  async getAccount(remoteId: string): Promise<RemoteAccount | undefined> {
    const id = idOf(remoteId);
    if (id === undefined) return undefined;
    const user = await this.client.getUser(id);
    return user ? accountFromZiaUser(user) : undefined;
  }

  /**
   * ZIA signs people in by email, and its API cannot filter by it (`search` is ignored, `name` is
   * the display name): lookups read the whole list once and reuse it for lookupCacheMs, kept
   * current with this connector's own writes.
   */
  async findAccount(by: { userName?: string; email?: string }): Promise<RemoteAccount | undefined> {
    const wanted = (by.email ?? by.userName)?.toLowerCase();
    if (!wanted) return undefined;
    const user = (await this.#usersByEmail()).get(wanted);
    return user ? accountFromZiaUser(user) : undefined;
  }

  async createAccount(input: ZscalerAccountInput): Promise<RemoteAccount> {
    const email = input.email ?? input.userName;
    if (!email.includes('@')) throw this.#invalid(`a ZIA user needs an email address (got userName "${input.userName}" and no email)`);
    const name = this.#nameFrom(input) ?? email;
    if (name.length > zscalerManifest.nameMaxLength) throw this.#tooLong(name);
    const departmentName = input.department ?? this.#defaultDepartment;
    if (!departmentName) throw this.#invalid('ZIA requires a department for every user: give one, or set the connector option defaultDepartment');
    // The groups asked for (the policy's, on create); the app's defaults only when there are none.
    const groupNames = input.groups && input.groups.length > 0 ? input.groups : this.#defaultGroups;
    if (!groupNames || groupNames.length === 0) throw this.#invalid('ZIA requires groups for every user: give them, or set the connector option defaultGroups');
    if (input.active === false && !this.capabilities.deactivate) this.#refuseDeactivation();
    const [department, groups] = await Promise.all([this.#directory.department(departmentName), this.#directory.groups(groupNames)]);
    const body: ZiaUserWrite = { name, email, password: generatePassword(), groups, department };
    if (input.active === false) body.disabled = true;
    const created = await this.#write(() => this.client.createUser(body));
    return accountFromZiaUser(created);
  }

  /** Read, merge, write the whole record: ZIA's PUT resets whatever it is not sent. */
  async updateAccount(remoteId: string, changes: Partial<ZscalerAccountInput>): Promise<RemoteAccount> {
    if (changes.active === false && !this.capabilities.deactivate) this.#refuseDeactivation();
    const name = this.#nameFrom(changes);
    const priority = changes.active === false ? priorities.leaver : priorities.joinerMover;
    const current = await this.#editable(remoteId, priority);
    const patch: Partial<ZiaUserWrite> = {};
    const email = changes.email ?? (changes.userName?.includes('@') ? changes.userName : undefined);
    if (email !== undefined && email.toLowerCase() !== current.email.toLowerCase()) {
      throw new RosterError(
        'unsupported',
        `${this.appName}: ZIA cannot change a user's email (${current.email} → ${email}): it is read-only on update; a new email needs a new account, which a plan makes as a delete and a create for approval; nothing was changed`,
        { appName: this.appName, remoteId },
      );
    }
    if (name !== undefined && name !== current.name) patch.name = name;
    if (changes.department !== undefined && changes.department !== '' && changes.department !== current.department?.name) {
      patch.department = await this.#directory.department(changes.department);
    }
    if (changes.groups !== undefined) {
      const groups = await this.#directory.groups(changes.groups);
      const now = new Set((current.groups ?? []).map((g) => g.id));
      if (groups.length !== now.size || groups.some((g) => !now.has(g.id))) patch.groups = groups;
    }
    if (changes.active !== undefined && changes.active !== (current.disabled !== true)) patch.disabled = !changes.active;
    if (Object.keys(patch).length === 0) return accountFromZiaUser(current);
    const updated = await this.#write(() => this.client.replaceUser(current.id, replacementFor(current, patch), priority));
    if (patch.disabled === true && updated.disabled !== true) {
      throw new RosterError('app_error', `${this.appName}: ZIA accepted disabled:true for ${current.email} but answers the user still enabled; this tenant does not honour it, so turn disableLeavers off and let leavers be deleted`, { appName: this.appName, remoteId });
    }
    return accountFromZiaUser(updated);
  }

  /** Switches the user on or off with `disabled`; switching off only with disableLeavers. */
  async setActive(remoteId: string, active: boolean): Promise<RemoteAccount> {
    return this.updateAccount(remoteId, { active });
  }

  async isMember(remoteId: string, group: string): Promise<boolean> {
    return (await this.getAccount(remoteId))?.groups.includes(group) ?? false;
  }

  /** Adds the user to a group named as ZIA names it; the other groups and fields stay. */
  async listGroups(): Promise<string[]> {
    return (await this.client.listGroups()).map((g) => g.name);
  }

  /** True when the user as ZIA answered the write (or as read, when nothing was to be written) is in the group. */
  async addToGroup(remoteId: string, group: string): Promise<boolean> {
    const [current, ref] = await Promise.all([this.#editable(remoteId), this.#directory.groups([group])]);
    const groups = current.groups ?? [];
    const add = ref[0];
    if (!add) return false;
    if (groups.some((g) => g.id === add.id)) return true;
    const written = await this.#write(() => this.client.replaceUser(current.id, replacementFor(current, { groups: [...groups, add] })));
    return (written.groups ?? []).some((g) => g.id === add.id);
  }

  /** Removes the user from a group; the other groups and fields stay. True when ZIA's answer shows them out. */
  async removeFromGroup(remoteId: string, group: string): Promise<boolean> {
    const [current, ref] = await Promise.all([this.#editable(remoteId), this.#directory.groups([group])]);
    const groups = current.groups ?? [];
    const drop = ref[0];
    if (!drop) return false;
    if (!groups.some((g) => g.id === drop.id)) return true;
    const written = await this.#write(() => this.client.replaceUser(current.id, replacementFor(current, { groups: groups.filter((g) => g.id !== drop.id) })));
    return !(written.groups ?? []).some((g) => g.id === drop.id);
  }

  /**
   * Hard delete (no undo), through bulkDelete: a POST with 400 an hour, rather than DELETE, which
   * ZIA allows once a minute and 4 times an hour per session.
   */
  async deleteAccount(remoteId: string): Promise<void> {
    const { notFound } = await this.deleteAccounts([remoteId]);
    if (notFound.length > 0) throw new RosterError('not_found', `${this.appName}: no ZIA user with id ${remoteId}`, { appName: this.appName, remoteId });
  }

  /**
   * Hard-deletes many users with bulkDelete (≤ 500 a call): reads them all, hands the records to
   * `beforeDelete` before anything is destroyed, then reads back to prove them gone (bulkDelete
   * skips unknown ids silently, so its 204 proves nothing). Refuses the whole batch, deleting
   * none, if any user is synced from the IdP or is an admin (the API deletes neither).
   */
  async deleteAccounts(remoteIds: readonly string[], beforeDelete?: (accounts: readonly RemoteAccount[]) => Promise<void>): Promise<{ deleted: RemoteAccount[]; notFound: string[] }> {
    const ids = [...new Set(remoteIds)];
    const numeric = ids.map((r) => [r, idOf(r)] as const);
    const found = await this.#readUsers(numeric.flatMap(([, id]) => (id === undefined ? [] : [id])), priorities.leaver);
    const notFound = numeric.filter(([, id]) => id === undefined || !found.has(id)).map(([r]) => r);
    const records = [...found.values()];
    this.#refuseIdpManaged(records);
    this.#refuseAdmins(records);
    const deleted = records.map((user) => accountFromZiaUser(structuredClone(user)));
    if (beforeDelete && deleted.length > 0) await beforeDelete(deleted);
    const toDelete = [...found.keys()];
    for (let i = 0; i < toDelete.length; i += zscalerManifest.bulkDeleteMax) {
      const chunk = toDelete.slice(i, i + zscalerManifest.bulkDeleteMax);
      await this.#write(() => this.client.bulkDeleteUsers(chunk));
      await this.#forget(records.filter((u) => chunk.includes(u.id)));
    }
    if (toDelete.length > 0) {
      const left = await this.#readUsers(toDelete, priorities.leaver);
      if (left.size > 0) {
        throw new RosterError('app_error', `${this.appName}: bulkDelete answered success but ${left.size} user(s) still exist (ids ${[...left.keys()].slice(0, 10).join(', ')})`, {
          appName: this.appName,
          remaining: [...left.keys()].map(String),
        });
      }
    }
    return { deleted, notFound };
  }

  /** Makes staged writes live (see Activation.flush); resolves only once they are. */
  flush(options: FlushOptions = {}): Promise<void> {
    return this.#activation.flush(options);
  }

  /** POST /status/activate now and wait until the tenant is ACTIVE. */
  activate(): Promise<void> {
    return this.#activation.activate();
  }

  /** Activates anything staged, then logs out. Writes never end staged-but-not-live. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    let failure: unknown;
    try {
      await this.flush();
    } catch (error) {
      failure = error;
    }
    await this.client.http.close();
    if (failure !== undefined) throw failure;
  }

  /** A staged write; the lookup list follows what it did, or is dropped when that is unknown. */
  async #write<T extends ZiaUser | void>(write: () => Promise<T>): Promise<T> {
    try {
      const result = await this.#activation.staged(write);
      if (result) await this.#remember(result);
      return result;
    } catch (error) {
      if (mayHaveLanded(error)) this.#byEmail = undefined;
      throw error;
    }
  }

  #usersByEmail(): Promise<Map<string, ZiaUser>> {
    const now = Date.now();
    if (!this.#byEmail || now - this.#byEmail.at > this.#lookupCacheMs) {
      const users = (async () => {
        const map = new Map<string, ZiaUser>();
        for await (const page of this.client.users({}, priorities.joinerMover)) for (const user of page) map.set(user.email.toLowerCase(), user);
        return map;
      })();
      const entry = { at: now, users };
      users.catch(() => {
        if (this.#byEmail === entry) this.#byEmail = undefined;
      });
      this.#byEmail = entry;
    }
    return this.#byEmail.users;
  }

  async #remember(user: ZiaUser): Promise<void> {
    const users = await this.#byEmail?.users.catch(() => undefined);
    users?.set(user.email.toLowerCase(), user);
  }

  async #forget(gone: readonly ZiaUser[]): Promise<void> {
    const users = await this.#byEmail?.users.catch(() => undefined);
    for (const user of gone) users?.delete(user.email.toLowerCase());
  }

  /** Users by id: one GET each for a few, else one paged list of everyone. */
  async #readUsers(ids: readonly number[], priority: number): Promise<Map<number, ZiaUser>> {
    const found = new Map<number, ZiaUser>();
    if (ids.length === 0) return found;
    if (ids.length <= READ_ONE_BY_ONE_MAX) {
      for (const id of ids) {
        const user = await this.client.getUser(id, priority);
        if (user) found.set(id, user);
      }
      return found;
    }
    const wanted = new Set(ids);
    for await (const users of this.client.users({}, priority)) {
      for (const user of users) if (wanted.has(user.id)) found.set(user.id, user);
      if (found.size === wanted.size) break;
    }
    return found;
  }

  async #editable(remoteId: string, priority: number = priorities.joinerMover): Promise<ZiaUser> {
    const id = idOf(remoteId);
    const user = id === undefined ? undefined : await this.client.getUser(id, priority);
    if (!user) throw new RosterError('not_found', `${this.appName}: no ZIA user with id ${remoteId}`, { appName: this.appName, remoteId });
    this.#refuseIdpManaged([user]);
    return user;
  }

  #refuseIdpManaged(users: readonly ZiaUser[]): void {
    const managed = users.filter((u) => u.isNonEditable === true);
    if (managed.length === 0) return;
    const who = managed.slice(0, 5).map((u) => `${u.email} (${u.id})`).join(', ');
    throw new RosterError(
      'forbidden',
      `${this.appName}: ${managed.length === 1 ? 'this user is' : `${managed.length} users are`} synced from the identity provider and ZIA allows no changes to them here: ${who}; change ${managed.length === 1 ? 'it' : 'them'} in the IdP, nothing was changed`,
      { appName: this.appName, remoteIds: managed.map((u) => String(u.id)) },
    );
  }

  #refuseAdmins(users: readonly ZiaUser[]): void {
    const admins = users.filter((u) => u.adminUser === true);
    if (admins.length === 0) return;
    const who = admins.slice(0, 5).map((u) => `${u.email} (${u.id})`).join(', ');
    throw new RosterError('unsupported', `${this.appName}: ${zscalerManifest.adminUndeletable}: ${who}; nothing was deleted`, { appName: this.appName, remoteIds: admins.map((u) => String(u.id)) });
  }

  #refuseDeactivation(): never {
    throw new RosterError(
      'unsupported',
      `${this.appName}: ZIA has no documented way to switch a user off (no soft-delete), so roster deletes leavers here; set disableLeavers for this app to use PUT disabled:true instead; nothing was changed`,
      { appName: this.appName },
    );
  }

  #nameFrom(input: Partial<AccountInput>): string | undefined {
    const name = input.displayName ?? (input.givenName && input.familyName ? `${input.givenName} ${input.familyName}` : undefined);
    if (name !== undefined && [...name].length > zscalerManifest.nameMaxLength) throw this.#tooLong(name);
    return name || undefined;
  }

  #tooLong(name: string): RosterError {
    return this.#invalid(`a ZIA user's name has at most ${zscalerManifest.nameMaxLength} characters ("${name.slice(0, 20)}…" has ${[...name].length})`);
  }

  #invalid(message: string): RosterError {
    return new RosterError('input_invalid', `${this.appName}: ${message}`, { appName: this.appName });
  }
}

function idOf(remoteId: string): number | undefined {
  return /^\d{1,15}$/.test(remoteId) ? Number(remoteId) : undefined;
}
