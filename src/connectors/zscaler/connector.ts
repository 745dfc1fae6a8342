import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RemoteAccount } from '../../core/account.ts';
import { RosterError, isRosterError } from '../../errors.ts';
import { httpSettings, type AccountInput, type FlushOptions, type AccountPage, type Capabilities, type Connector, type ConnectorOptions } from '../connector.ts';
import type { AuthStrategy } from '../http/auth.ts';
import { HttpClient, type HttpExchange } from '../http/client.ts';
import { priorities, rulesPerMethod, type RateRule } from '../http/rate-budget.ts';
import { ZiaClient, type ZiaActivationStatus, type ZiaClientOptions, type ZiaNamed, type ZiaUser, type ZiaUserWrite } from './client.ts';
import { zscalerManifest } from './manifest.ts';
import { accountFromZiaUser, replacementFor } from './mapping.ts';
import { isObservableAuth } from './session-auth.ts';

/**
 * baseUrl: legacy `https://zsapi.<cloud>.net/api/v1` (session auth) or OneAPI
 * `https://api.zsapi.net/zia/api/v1` (bearer). auth: a ZiaSessionAuth for the legacy API, or a
 * bearer strategy for OneAPI; closed with the connector. pageSize: never above the manifest's
 * maximum (a clamped page would end the list early). budget: see ziaRateRules; leavers go first,
 * then joiners and movers, then reads.
 */
export interface ZscalerConnectorOptions extends ConnectorOptions {
  /** Department for new users when the input names none (ZIA requires one). */
  defaultDepartment?: string | undefined;
  /** Groups for new users when the input names none (ZIA requires them). */
  defaultGroups?: readonly string[] | undefined;
  /** Waits between GET /status polls while an activation runs: first wait, doubling up to the cap. Default 200 ms, 5 s. */
  activationPollMs?: number | undefined;
  activationPollCapMs?: number | undefined;
  /** Longest an activation may take before roster reports it. Default 10 minutes. */
  activationTimeoutMs?: number | undefined;
  /** Retry of 409 EDIT_LOCK_NOT_AVAILABLE. */
  editLock?: ZiaClientOptions | undefined;
}

/** ZIA's documented per-session limits as rate-budget rules. */
export const ziaRateRules: RateRule[] = rulesPerMethod(zscalerManifest.rateLimits);

/** AccountInput plus what ZIA can also set: group names. */
export interface ZscalerAccountInput extends AccountInput {
  groups?: readonly string[] | undefined;
}

/** The full ZIA record of a user, captured before a destructive change: enough to recreate it. */
export interface ZiaSnapshot {
  appName: string;
  remoteId: string;
  takenAt: string;
  record: ZiaUser;
}

export interface DeleteAccountsResult {
  /** One per user deleted, taken before the delete. */
  snapshots: ZiaSnapshot[];
  /** The same users in roster's common shape (raw: the whole ZIA record), for snapshots and restores. */
  deleted: RemoteAccount[];
  /** Ids the app did not know (ZIA's bulkDelete would have skipped them silently). */
  notFound: string[];
}

/** At or below this many ids, read users one by one; above it, one paged list is cheaper. */
const READ_ONE_BY_ONE_MAX = 3;

/**
 * Zscaler Internet Access. Every write is staged by ZIA until activated: the connector marks
 * itself dirty on each write and activates once, on `flush()`/`activate()` or at `close()`, so a
 * batch of writes ends live with one activation. PUT is a full replace, so updates read the user,
 * merge, and write the whole record back.
 */
export class ZscalerConnector implements Connector {
  readonly appName: string;
  readonly type = 'zscaler' as const;
  readonly capabilities: Capabilities = zscalerManifest.capabilities;
  readonly client: ZiaClient;
  readonly #auth: AuthStrategy;
  readonly #pageSize: number;
  readonly #defaultDepartment: string | undefined;
  readonly #defaultGroups: readonly string[] | undefined;
  readonly #poll: { firstMs: number; capMs: number; timeoutMs: number };
  readonly #snapshotListeners: ((snapshot: ZiaSnapshot) => void)[] = [];
  #departments: Promise<ZiaNamed[]> | undefined;
  #groups: Promise<ZiaNamed[]> | undefined;
  #dirty = false;
  #activating: Promise<void> | undefined;
  #closed = false;

  constructor(options: ZscalerConnectorOptions) {
    this.appName = options.appName;
    this.#auth = options.auth;
    const max = zscalerManifest.paging.maxPageSize;
    this.#pageSize = Math.max(1, Math.min(options.pageSize ?? max, max));
    this.#defaultDepartment = options.defaultDepartment;
    this.#defaultGroups = options.defaultGroups;
    this.#poll = {
      firstMs: options.activationPollMs ?? 200,
      capMs: options.activationPollCapMs ?? 5000,
      timeoutMs: options.activationTimeoutMs ?? 10 * 60_000,
    };
    const http = new HttpClient({ ...httpSettings(options), contentType: zscalerManifest.contentType });
    this.client = new ZiaClient(http, options.editLock);
  }

  /** True while writes are staged that this connector has not activated yet. */
  get dirty(): boolean {
    return this.#dirty;
  }

  observe(observer: (exchange: HttpExchange) => void): () => void {
    const offs = [this.client.http.observe(observer)];
    if (isObservableAuth(this.#auth)) offs.push(this.#auth.observe(observer));
    return () => {
      for (const off of offs) off();
    };
  }

  /** Calls the listener with every snapshot taken before a delete. Returns an unsubscribe. */
  onSnapshot(listener: (snapshot: ZiaSnapshot) => void): () => void {
    this.#snapshotListeners.push(listener);
    return () => {
      const index = this.#snapshotListeners.indexOf(listener);
      if (index >= 0) this.#snapshotListeners.splice(index, 1);
    };
  }

  async *listAccounts(): AsyncIterable<AccountPage> {
    let readSoFar = 0;
    for (let page = 1; ; page += 1) {
      const users = await this.client.listUsers({ page, pageSize: this.#pageSize });
      readSoFar += users.length;
      if (users.length > 0 || page === 1) yield { accounts: users.map(accountFromZiaUser), readSoFar, total: undefined };
      // No total in the answer: a short page is the end (which is why the page size never exceeds the app's max).
      if (users.length < this.#pageSize) return;
    }
  }

  async getAccount(remoteId: string): Promise<RemoteAccount | undefined> {
    const id = idOf(remoteId);
    if (id === undefined) return undefined;
    const user = await this.client.getUser(id);
    return user ? accountFromZiaUser(user) : undefined;
  }

  async findAccount(by: { userName?: string; email?: string }): Promise<RemoteAccount | undefined> {
    const wanted = (by.email ?? by.userName)?.toLowerCase();
    if (!wanted) return undefined;
    // `search` is a case-insensitive "contains" on name or email: keep the exact email match.
    for (let page = 1; ; page += 1) {
      const users = await this.client.listUsers({ page, pageSize: this.#pageSize, search: wanted });
      const match = users.find((u) => u.email.toLowerCase() === wanted);
      if (match) return accountFromZiaUser(match);
      if (users.length < this.#pageSize) return undefined;
    }
  }

  async createAccount(input: ZscalerAccountInput): Promise<RemoteAccount> {
    const email = input.email ?? input.userName;
    if (!email.includes('@')) throw this.#invalid(`a ZIA user needs an email address (got userName "${input.userName}" and no email)`);
    const name = this.#nameFrom(input) ?? email;
    const departmentName = input.department ?? this.#defaultDepartment;
    if (!departmentName) throw this.#invalid('ZIA requires a department for every user: give one, or set the connector option defaultDepartment');
    const groupNames = input.groups ?? this.#defaultGroups;
    if (!groupNames || groupNames.length === 0) throw this.#invalid('ZIA requires groups for every user: give them, or set the connector option defaultGroups');
    const [department, groups] = await Promise.all([this.#department(departmentName), this.#groupRefs(groupNames)]);
    const body: ZiaUserWrite = { name, email, password: strongPassword(), groups, department };
    if (input.active === false) body.disabled = true;
    const created = await this.#staged(() => this.client.createUser(body));
    return accountFromZiaUser(created);
  }

  /** Read, merge, write the whole record: ZIA's PUT resets whatever it is not sent. */
  async updateAccount(remoteId: string, changes: Partial<ZscalerAccountInput>): Promise<RemoteAccount> {
    const priority = changes.active === false ? priorities.leaver : priorities.joinerMover;
    const current = await this.#editable(remoteId, priority);
    const patch: Partial<ZiaUserWrite> = {};
    const email = changes.email ?? (changes.userName?.includes('@') ? changes.userName : undefined);
    if (email !== undefined && email !== current.email) patch.email = email;
    const name = this.#nameFrom(changes);
    if (name !== undefined && name !== current.name) patch.name = name;
    if (changes.department !== undefined && changes.department !== '' && changes.department !== current.department?.name) {
      patch.department = await this.#department(changes.department);
    }
    if (changes.groups !== undefined) {
      const groups = await this.#groupRefs(changes.groups);
      const now = new Set((current.groups ?? []).map((g) => g.id));
      if (groups.length !== now.size || groups.some((g) => !now.has(g.id))) patch.groups = groups;
    }
    if (changes.active !== undefined && changes.active !== (current.disabled !== true)) patch.disabled = !changes.active;
    if (Object.keys(patch).length === 0) return accountFromZiaUser(current);
    const updated = await this.#staged(() => this.client.replaceUser(current.id, replacementFor(current, patch), priority));
    return accountFromZiaUser(updated);
  }

  async setActive(remoteId: string, active: boolean): Promise<RemoteAccount> {
    return this.updateAccount(remoteId, { active });
  }

  /** Adds the user to a group named as ZIA names it; the other groups and fields stay. */
  async isMember(remoteId: string, group: string): Promise<boolean> {
    return (await this.getAccount(remoteId))?.groups.includes(group) ?? false;
  }

  async addToGroup(remoteId: string, group: string): Promise<void> {
    const [current, ref] = await Promise.all([this.#editable(remoteId), this.#groupRefs([group])]);
    const groups = current.groups ?? [];
    const add = ref[0];
    if (!add || groups.some((g) => g.id === add.id)) return;
    await this.#staged(() => this.client.replaceUser(current.id, replacementFor(current, { groups: [...groups, add] })));
  }

  /** Removes the user from a group; the other groups and fields stay. */
  async removeFromGroup(remoteId: string, group: string): Promise<void> {
    const [current, ref] = await Promise.all([this.#editable(remoteId), this.#groupRefs([group])]);
    const groups = current.groups ?? [];
    const drop = ref[0];
    if (!drop || !groups.some((g) => g.id === drop.id)) return;
    await this.#staged(() => this.client.replaceUser(current.id, replacementFor(current, { groups: groups.filter((g) => g.id !== drop.id) })));
  }

  /** The user's full record as ZIA holds it now, or undefined when there is no such user. */
  async snapshot(remoteId: string): Promise<ZiaSnapshot | undefined> {
    const id = idOf(remoteId);
    const user = id === undefined ? undefined : await this.client.getUser(id);
    return user ? this.#snapshotOf(user) : undefined;
  }

  /**
   * Hard delete (no undo). The snapshot goes to onSnapshot listeners before the delete
   * (deleteAccounts([id]) also returns it). Goes through bulkDelete, a POST with 400 an hour,
   * rather than DELETE, which ZIA allows once a minute and 4 times an hour per session.
   */
  async deleteAccount(remoteId: string): Promise<void> {
    const { notFound } = await this.deleteAccounts([remoteId]);
    if (notFound.length > 0) throw new RosterError('not_found', `${this.appName}: no ZIA user with id ${remoteId}`, { appName: this.appName, remoteId });
  }

  /**
   * Hard-deletes many users with bulkDelete (≤ 500 a call), after snapshotting them all, then reads
   * back to prove them gone (bulkDelete skips unknown ids silently, so its 204 proves nothing).
   * Refuses the whole batch, deleting none, if any user is synced from the IdP.
   */
  async deleteAccounts(remoteIds: readonly string[], beforeDelete?: (accounts: readonly RemoteAccount[]) => Promise<void>): Promise<DeleteAccountsResult> {
    const ids = [...new Set(remoteIds)];
    const numeric = ids.map((r) => [r, idOf(r)] as const);
    const found = await this.#readUsers(numeric.flatMap(([, id]) => (id === undefined ? [] : [id])), priorities.leaver);
    const snapshots = [...found.values()].map((u) => this.#snapshotOf(u));
    const notFound = numeric.filter(([, id]) => id === undefined || !found.has(id)).map(([r]) => r);
    this.#refuseIdpManaged(snapshots.map((s) => s.record));
    // Hand the snapshots over before anything is destroyed, so a crash mid-way loses no record.
    this.#emit(snapshots);
    const deleted = snapshots.map((snapshot) => accountFromZiaUser(snapshot.record));
    if (beforeDelete && deleted.length > 0) await beforeDelete(deleted);
    const toDelete = [...found.keys()];
    for (let i = 0; i < toDelete.length; i += zscalerManifest.bulkDeleteMax) {
      const chunk = toDelete.slice(i, i + zscalerManifest.bulkDeleteMax);
      await this.#staged(() => this.client.bulkDeleteUsers(chunk));
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
    return { snapshots, deleted, notFound };
  }

  /**
   * Makes staged writes live: activates when anything was written since the last activation, or,
   * with `pending`, when the tenant says changes are PENDING (staged by a process that died).
   */
  async flush(options: FlushOptions = {}): Promise<void> {
    if (this.#activating) await this.#activating;
    if (this.#dirty) return this.activate();
    if (options.pending && (await this.client.status()) !== 'ACTIVE') await this.activate();
  }

  /**
   * POST /status/activate once and poll GET /status until ACTIVE. A write refused with the edit
   * lock while this runs is retried by the client, and marks the connector dirty again.
   */
  activate(): Promise<void> {
    this.#activating ??= this.#runActivation().finally(() => {
      this.#activating = undefined;
    });
    return this.#activating;
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

  async #runActivation(): Promise<void> {
    this.#dirty = false;
    try {
      const deadline = Date.now() + this.#poll.timeoutMs;
      let status: ZiaActivationStatus = await this.client.activate();
      let wait = this.#poll.firstMs;
      // Polls answer INPROGRESS while it runs; after it, ACTIVE, or PENDING when something was
      // staged since (by us, which marks this connector dirty again, or by another admin).
      for (let polled = false; status === 'INPROGRESS' || (status === 'PENDING' && !polled); polled = true) {
        if (Date.now() > deadline) {
          throw new RosterError('app_error', `${this.appName}: ZIA activation still ${status} after ${Math.round(this.#poll.timeoutMs / 1000)} s; staged changes are not live yet`, { appName: this.appName, status });
        }
        await sleep(wait);
        wait = Math.min(wait * 2, this.#poll.capMs);
        status = await this.client.status();
      }
    } catch (error) {
      this.#dirty = true;
      throw error;
    }
  }

  /** Runs a write; marks the connector dirty when the write (may have) reached the app. */
  async #staged<T>(write: () => Promise<T>): Promise<T> {
    try {
      const result = await write();
      this.#dirty = true;
      return result;
    } catch (error) {
      if (!isRosterError(error) || ['app_unreachable', 'app_error', 'invalid_response'].includes(error.code)) this.#dirty = true;
      throw error;
    }
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
    for (let page = 1; ; page += 1) {
      const users = await this.client.listUsers({ page, pageSize: this.#pageSize }, priority);
      for (const user of users) if (wanted.has(user.id)) found.set(user.id, user);
      if (users.length < this.#pageSize || found.size === wanted.size) return found;
    }
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

  #snapshotOf(user: ZiaUser): ZiaSnapshot {
    return { appName: this.appName, remoteId: String(user.id), takenAt: new Date().toISOString(), record: structuredClone(user) };
  }

  #emit(snapshots: readonly ZiaSnapshot[]): void {
    for (const snapshot of snapshots) for (const listener of this.#snapshotListeners) listener(snapshot);
  }

  #nameFrom(input: Partial<AccountInput>): string | undefined {
    const name = input.displayName ?? (input.givenName && input.familyName ? `${input.givenName} ${input.familyName}` : undefined);
    if (name !== undefined && name.length > zscalerManifest.nameMaxLength) {
      throw this.#invalid(`a ZIA user's name has at most ${zscalerManifest.nameMaxLength} characters ("${name.slice(0, 20)}…" has ${name.length})`);
    }
    return name || undefined;
  }

  async #department(name: string): Promise<{ id: number; name: string }> {
    this.#departments ??= this.client.listDepartments().catch((error: unknown) => {
      this.#departments = undefined;
      throw error;
    });
    return this.#resolve(await this.#departments, name, 'department');
  }

  async #groupRefs(names: readonly string[]): Promise<{ id: number; name: string }[]> {
    this.#groups ??= this.client.listGroups().catch((error: unknown) => {
      this.#groups = undefined;
      throw error;
    });
    const known = await this.#groups;
    const refs = new Map<number, { id: number; name: string }>();
    for (const name of names) {
      const ref = this.#resolve(known, name, 'group');
      refs.set(ref.id, ref);
    }
    return [...refs.values()];
  }

  /** A name to its id: exact, else the one case-insensitive match. Never creates anything. */
  #resolve(known: readonly ZiaNamed[], name: string, kind: 'department' | 'group'): { id: number; name: string } {
    const exact = known.find((k) => k.name === name);
    const loose = known.filter((k) => k.name.toLowerCase() === name.toLowerCase());
    const hit = exact ?? (loose.length === 1 ? loose[0] : undefined);
    if (hit) return { id: hit.id, name: hit.name };
    const sample = known.slice(0, 10).map((k) => k.name).join(', ');
    throw this.#invalid(`ZIA has no ${kind} named "${name}" and roster creates none; add it in ZIA first (known: ${sample || 'none'}${known.length > 10 ? ', …' : ''})`);
  }

  #invalid(message: string): RosterError {
    return new RosterError('input_invalid', `${this.appName}: ${message}`, { appName: this.appName });
  }
}

function idOf(remoteId: string): number | undefined {
  return /^\d{1,15}$/.test(remoteId) ? Number(remoteId) : undefined;
}

const LETTERS = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const DIGITS = '23456789';
const SYMBOLS = '!#$%&*+-=?@^_~';

/** A random 24-character password with a letter, a digit and a symbol, for ZIA's policy. Never logged or returned. */
export function strongPassword(length = 24): string {
  const all = LETTERS + DIGITS + SYMBOLS;
  const pick = (set: string): string => set[randomInt(set.length)] ?? 'x';
  const chars = [pick(LETTERS), pick(DIGITS), pick(SYMBOLS)];
  while (chars.length < length) chars.push(pick(all));
  for (let i = chars.length - 1; i > 0; i -= 1) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j] as string, chars[i] as string];
  }
  return chars.join('');
}
