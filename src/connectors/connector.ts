import type { AccountAttributes, RemoteAccount } from '../core/account.ts';
import type { ConnectorType } from '../config/schema.ts';
import type { AuthStrategy } from './http/auth.ts';
import type { HttpExchange } from './http/client.ts';
import type { RateBudget } from './http/rate-budget.ts';

/** What a connector can do; the contract suite checks a missing ability is refused cleanly. */
export interface Capabilities {
  createAccount: boolean;
  updateAccount: boolean;
  /** Can switch an account off and on without deleting it. */
  deactivate: boolean;
  deleteAccount: boolean;
  groups: boolean;
}

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
}

/** The settings every connector hands its HttpClient unchanged (the client applies the defaults). */
export function httpSettings(options: ConnectorOptions): Pick<ConnectorOptions, 'appName' | 'baseUrl' | 'auth' | 'timeoutMs' | 'maxWaitMs' | 'backoffBaseMs' | 'budget'> {
  const { appName, baseUrl, auth, timeoutMs, maxWaitMs, backoffBaseMs, budget } = options;
  return { appName, baseUrl, auth, timeoutMs, maxWaitMs, backoffBaseMs, budget };
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
  readonly type: ConnectorType;
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
  /** Adds the account to a group named as the app names it (capability `groups`). */
  addToGroup(remoteId: string, group: string): Promise<void>;
  removeFromGroup(remoteId: string, group: string): Promise<void>;
  /** Whether the account is in the group, as the app holds it now (for read-before-write and read-back). */
  isMember(remoteId: string, group: string): Promise<boolean>;
  /**
   * Deletes many accounts in as few requests as the app allows (capability of apps with bulk
   * delete). `beforeDelete` is awaited with the records as they are, before any destructive request
   * is sent (so snapshots are durable first); answers those records and the ids not found.
   */
  deleteAccounts?(remoteIds: readonly string[], beforeDelete?: (accounts: readonly RemoteAccount[]) => Promise<void>): Promise<{ deleted: RemoteAccount[]; notFound: string[] }>;
  /**
   * True for apps that stage writes until they are activated (ZIA): a write is not done until a
   * flush has made it live.
   */
  readonly stagesWrites?: boolean;
  /**
   * Makes every write so far take effect where the app stages them (ZIA's activation) and
   * resolves only once they are live; a no-op elsewhere. `pending`: also make live what another
   * process staged (after a crash), even when this connector wrote nothing itself.
   */
  flush(options?: FlushOptions): Promise<void>;
  /** Reports every request on the wire (for audit, metrics and benchmarks). Returns an unsubscribe. */
  observe(observer: (exchange: HttpExchange) => void): () => void;
  close(): Promise<void>;
}
