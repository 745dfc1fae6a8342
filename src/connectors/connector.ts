import type { AccountAttributes, RemoteAccount } from '../core/account.ts';
import type { Capabilities } from '../core/capabilities.ts';
import type { Clock } from '../core/clock.ts';
import type { AuthStrategy } from './http/auth.ts';
import type { HttpExchange } from './http/client.ts';
import type { RateBudget } from './http/rate-budget.ts';

export type { Capabilities } from '../core/capabilities.ts';

/** What roster writes to an app (see AccountAttributes). */
export type AccountInput = AccountAttributes;

/** What every connector is built from: where the app is, how to authenticate, how patient to be. */
export interface ConnectorOptions {
  appName: string;
  baseUrl: string;
  auth: AuthStrategy;
  /** Page size to ask for; by default the largest the app allows. */
  pageSize?: number | undefined;
  timeoutMs?: number | undefined;
  maxWaitMs?: number | undefined;
  backoffBaseMs?: number | undefined;
  /** The credential's shared rate budget. */
  budget?: RateBudget | undefined;
  /** Time, for every wait (Retry-After, backoff); the system clock by default. */
  clock?: Clock | undefined;
}

/** The settings every connector hands its HttpClient unchanged (the client applies the defaults). */
export function httpSettings(options: ConnectorOptions): Pick<ConnectorOptions, 'appName' | 'baseUrl' | 'auth' | 'timeoutMs' | 'maxWaitMs' | 'backoffBaseMs' | 'budget' | 'clock'> {
  const { appName, baseUrl, auth, timeoutMs, maxWaitMs, backoffBaseMs, budget, clock } = options;
  return { appName, baseUrl, auth, timeoutMs, maxWaitMs, backoffBaseMs, budget, clock };
}

export interface AccountPage {
  accounts: RemoteAccount[];
  /** Position of this page, for progress: accounts read so far and the total, when the app says. */
  readSoFar: number;
  total: number | undefined;
}

export interface FlushOptions {
  pending?: boolean | undefined;
}

export interface Connector {
  readonly appName: string;
  /** Its module's type (scim, zscaler, netskope, …). */
  readonly type: string;
  /** Its module's capabilities: what the app can hold and do. */
  readonly capabilities: Capabilities;
  /** Every account, page by page, in pages as large as the app allows. */
  listAccounts(): AsyncIterable<AccountPage>;
  getAccount(remoteId: string): Promise<RemoteAccount | undefined>;
  findAccount(by: { userName?: string; email?: string }): Promise<RemoteAccount | undefined>;
  createAccount(input: AccountInput): Promise<RemoteAccount>;
  /** Changes only the attributes given; never loses the others. */
  updateAccount(remoteId: string, changes: Partial<AccountInput>): Promise<RemoteAccount>;
  setActive(remoteId: string, active: boolean): Promise<RemoteAccount>;
  deleteAccount(remoteId: string): Promise<void>;
  /**
   * Adds the account to a group named as the app names it (capability `groups`). Answers true when
   * the app's own answer already shows the membership (then no read-back is needed).
   */
  addToGroup(remoteId: string, group: string): Promise<boolean | void>;
  /** Removes the account from the group; true when the app's answer already shows it gone. */
  removeFromGroup(remoteId: string, group: string): Promise<boolean | void>;
  /**
   * Adds (or removes) many accounts to (from) one group in as few requests as the app allows
   * (capability `bulkMembership`). Answers the ids the app's answer shows done; the others are
   * read back by the caller.
   */
  changeMembers?(group: string, op: 'add' | 'remove', remoteIds: readonly string[]): Promise<Set<string>>;
  /**
   * The names of every group the app holds, where groups must exist before roster can add people
   * to them (roster creates none): read at sync, so the plan can say a policy group is missing.
   */
  listGroups?(): Promise<string[]>;
  /** Whether the account is in the group, as the app holds it now (for read-before-write and read-back). */
  isMember(remoteId: string, group: string): Promise<boolean>;
  /**
   * Deletes many accounts in as few requests as the app allows: present exactly when
   * `capabilities.bulkDelete` (the contract suite checks they agree). `beforeDelete` is awaited with the records as they are, before any destructive request
   * is sent (so snapshots are durable first); answers those records and the ids not found.
   */
  deleteAccounts?(remoteIds: readonly string[], beforeDelete?: (accounts: readonly RemoteAccount[]) => Promise<void>): Promise<{ deleted: RemoteAccount[]; notFound: string[] }>;
  /**
   * Makes every write so far take effect where the app stages them (ZIA's activation) and
   * resolves only once they are live (`capabilities.stagesWrites`); a no-op elsewhere. `pending`: also make live what another
   * process staged (after a crash), even when this connector wrote nothing itself.
   */
  flush(options?: FlushOptions): Promise<void>;
  /** Reports every request on the wire (for audit, metrics and benchmarks). Returns an unsubscribe. */
  observe(observer: (exchange: HttpExchange) => void): () => void;
  close(): Promise<void>;
}
