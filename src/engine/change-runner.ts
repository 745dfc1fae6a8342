import type { Connector, AccountInput } from '../connectors/connector.ts';
import type { RemoteAccount } from '../core/account.ts';
import type { Change, ChangeAttributes } from '../core/plan.ts';
import { RosterError, isRosterError } from '../errors.ts';

/** The account a change needs does not exist yet (a membership waiting for its create). */
export class NotReadyError extends Error {}

export interface ChangeOutcome {
  /** The app already held the wanted state: nothing was written (a retry, a resume, or drift undone). */
  alreadyDone: boolean;
  remoteId: string | undefined;
  /** The account as read back after the write (undefined once deleted). */
  account: RemoteAccount | undefined;
  /** The record as it was before a destructive change. */
  before?: RemoteAccount | undefined;
  /** For a membership change: the group and whether the account is now in it. */
  membership?: { group: string; member: boolean } | undefined;
}

export interface RunContext {
  connector: Connector;
  /** The account of the change's person in this app, from the links (for changes planned before a create). */
  linkedRemoteId(personId: string): Promise<string | undefined>;
  /** Called with the whole record before anything destructive is sent. */
  snapshot(account: RemoteAccount): Promise<void>;
  /** The account as roster last knew it (its last sync, and roster's own writes since), raw record included. */
  storedAccount?(remoteId: string): Promise<RemoteAccount | undefined>;
}

/**
 * Carries out one change so that running it twice does it once, in as few requests as that allows.
 * A first attempt trusts the plan's view of the app (the last sync, and what roster wrote since):
 * it writes at once and lets the app's answer verify it (a create answered 409 is found and taken).
 * A later attempt (a retry, a resume after a crash) reads the app first and writes only what is
 * still missing. Destructive changes always read first: the snapshot is the record as it is now.
 */
export async function runChange(ctx: RunContext, change: Change, attempt = 2): Promise<ChangeOutcome> {
  const { connector } = ctx;
  const first = attempt <= 1;
  if (change.kind === 'create') return create(ctx, change, first);
  const remoteId = change.remoteId ?? (change.personId ? await ctx.linkedRemoteId(change.personId) : undefined);
  if (!remoteId) throw new NotReadyError(`${change.id}: the account does not exist yet`);
  if (first && (change.kind === 'update' || change.kind === 'activate')) return writeFirst(connector, change, remoteId);
  if (change.kind === 'add-member' || change.kind === 'remove-member') return membership(connector, change, remoteId, first);
  if (first && (change.kind === 'deactivate' || change.kind === 'delete')) {
    // The snapshot is the record roster holds (read in the last sync); a retry reads the app afresh.
    const stored = await ctx.storedAccount?.(remoteId);
    if (stored) return switchOffFirst(ctx, change, remoteId, stored);
  }
  const current = await connector.getAccount(remoteId);
  if (change.kind === 'delete') {
    if (!current) return { alreadyDone: true, remoteId, account: undefined };
    await ctx.snapshot(current);
    try {
      await connector.deleteAccount(remoteId);
    } catch (error) {
      // Gone between the read and the delete: what was wanted.
      if (isRosterError(error, 'not_found')) return { alreadyDone: true, remoteId, account: undefined, before: current };
      throw error;
    }
    return { alreadyDone: false, remoteId, account: undefined, before: current };
  }
  if (!current) throw new RosterError('not_found', `${change.app}: account ${remoteId} no longer exists; sync and plan again`);
  switch (change.kind) {
    case 'activate':
    case 'deactivate': {
      const wanted = change.kind === 'activate';
      if (current.active === wanted) return { alreadyDone: true, remoteId, account: current };
      if (!wanted) await ctx.snapshot(current);
      const written = await connector.setActive(remoteId, wanted);
      return { alreadyDone: false, remoteId, account: await confirm(connector, change, remoteId, written, (a) => a.active === wanted, `active=${wanted}`), before: current };
    }
    case 'update': {
      const missing = stillDifferent(change.attributes ?? {}, current);
      if (Object.keys(missing).length === 0) return { alreadyDone: true, remoteId, account: current };
      const written = await connector.updateAccount(remoteId, missing as Partial<AccountInput>);
      return { alreadyDone: false, remoteId, account: await confirm(connector, change, remoteId, written, (a) => Object.keys(stillDifferent(missing, a)).length === 0, describe(missing)) };
    }
  }
}

/** A deactivation or a delete on a first attempt: snapshot of the stored record, then the one write. */
async function switchOffFirst(ctx: RunContext, change: Change, remoteId: string, stored: RemoteAccount): Promise<ChangeOutcome> {
  const { connector } = ctx;
  await ctx.snapshot(stored);
  if (change.kind === 'delete') {
    try {
      await connector.deleteAccount(remoteId);
    } catch (error) {
      if (isRosterError(error, 'not_found')) return { alreadyDone: true, remoteId, account: undefined, before: stored };
      throw error;
    }
    return { alreadyDone: false, remoteId, account: undefined, before: stored };
  }
  const written = await connector.setActive(remoteId, false);
  return { alreadyDone: false, remoteId, account: await confirm(connector, change, remoteId, written, (a) => !a.active, 'active=false'), before: stored };
}

/** An update or an activation on a first attempt: written at once, verified by the app's answer. */
async function writeFirst(connector: Connector, change: Change, remoteId: string): Promise<ChangeOutcome> {
  if (change.kind === 'activate') {
    const written = await connector.setActive(remoteId, true);
    return { alreadyDone: false, remoteId, account: await confirm(connector, change, remoteId, written, (a) => a.active, 'active=true') };
  }
  const wanted = change.attributes ?? {};
  const written = await connector.updateAccount(remoteId, wanted as Partial<AccountInput>);
  return { alreadyDone: false, remoteId, account: await confirm(connector, change, remoteId, written, (a) => Object.keys(stillDifferent(wanted, a)).length === 0, describe(wanted)) };
}

/**
 * A membership, without reading the account: on a first attempt the write goes at once (adding a
 * member twice or removing a non-member is harmless in SCIM and ZIA alike), on a retry the
 * membership is read first; either way the app's answer, or else a read, proves it holds.
 */
async function membership(connector: Connector, change: Change, remoteId: string, first: boolean): Promise<ChangeOutcome> {
  const group = change.group ?? '';
  const wantIn = change.kind === 'add-member';
  if (!first && (await connector.isMember(remoteId, group)) === wantIn) return { alreadyDone: true, remoteId, account: undefined, membership: { group, member: wantIn } };
  const confirmed = wantIn ? await connector.addToGroup(remoteId, group) : await connector.removeFromGroup(remoteId, group);
  if (confirmed !== true && (await connector.isMember(remoteId, group)) !== wantIn) throw new RosterError('app_error', `${change.app}: read back after ${change.kind} of ${change.subject}: the app does not show them ${wantIn ? 'in' : 'out of'} ${group}`);
  return { alreadyDone: false, remoteId, account: undefined, membership: { group, member: wantIn } };
}

async function create(ctx: RunContext, change: Change, first: boolean): Promise<ChangeOutcome> {
  const attributes = change.attributes ?? {};
  const input = { ...attributes, userName: attributes.userName ?? change.subject } as AccountInput;
  const find = async () => (await ctx.connector.findAccount({ userName: input.userName })) ?? (input.email && input.email !== input.userName ? await ctx.connector.findAccount({ email: input.email }) : undefined);
  if (!first) {
    const existing = await find();
    if (existing) return { alreadyDone: true, remoteId: existing.remoteId, account: existing };
  }
  let created: RemoteAccount;
  try {
    created = await ctx.connector.createAccount(input);
  } catch (error) {
    if (!isRosterError(error, 'conflict')) throw error;
    // The app has it already (made by hand, or by an attempt whose answer was lost): take it.
    const existing = await find();
    if (!existing) throw error;
    return { alreadyDone: true, remoteId: existing.remoteId, account: existing };
  }
  const account = await confirm(ctx.connector, change, created.remoteId, created, (a) => (a.email ?? '').toLowerCase() === (input.email ?? a.email ?? '').toLowerCase(), 'the new account');
  return { alreadyDone: false, remoteId: created.remoteId, account };
}

/**
 * The app's own answer to a write is its read-back (the resource as stored, or fetched after a
 * 204); only when that answer does not show the change is the account read again.
 */
async function confirm(connector: Connector, change: Change, remoteId: string, written: RemoteAccount, holds: (account: RemoteAccount) => boolean, what: string): Promise<RemoteAccount> {
  return holds(written) ? written : verify(connector, change, remoteId, holds, what);
}

async function verify(connector: Connector, change: Change, remoteId: string, holds: (account: RemoteAccount) => boolean, what: string): Promise<RemoteAccount> {
  const account = await connector.getAccount(remoteId);
  if (!account || !holds(account)) throw new RosterError('app_error', `${change.app}: read back after ${change.kind} of ${change.subject}: the app does not show ${what}`);
  return account;
}

function stillDifferent(wanted: ChangeAttributes, account: RemoteAccount): ChangeAttributes {
  const different: ChangeAttributes = {};
  for (const [key, value] of Object.entries(wanted) as [keyof ChangeAttributes, ChangeAttributes[keyof ChangeAttributes]][]) {
    if (value === undefined) continue;
    const actual = account[key as keyof RemoteAccount];
    const same = key === 'email' ? String(value).toLowerCase() === String(actual ?? '').toLowerCase() : value === actual;
    if (!same) (different as Record<string, unknown>)[key] = value;
  }
  return different;
}

function describe(attributes: ChangeAttributes): string {
  return Object.entries(attributes)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(', ');
}
