import type { Connector, AccountInput } from '../connectors/connector.ts';
import type { RemoteAccount } from '../core/account.ts';
import type { Change, ChangeAttributes } from '../core/plan.ts';
import { RosterError } from '../errors.ts';

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
}

export interface RunContext {
  connector: Connector;
  /** The account of the change's person in this app, from the links (for changes planned before a create). */
  linkedRemoteId(personId: string): Promise<string | undefined>;
  /** Called with the whole record before anything destructive is sent. */
  snapshot(account: RemoteAccount): Promise<void>;
}

/**
 * Carries out one change so that running it twice does it once: it reads the app first and writes
 * only what is still missing, then reads back to verify the app now holds what was wanted.
 */
export async function runChange(ctx: RunContext, change: Change): Promise<ChangeOutcome> {
  const { connector } = ctx;
  if (change.kind === 'create') return create(ctx, change);
  const remoteId = change.remoteId ?? (change.personId ? await ctx.linkedRemoteId(change.personId) : undefined);
  if (!remoteId) throw new NotReadyError(`${change.id}: the account does not exist yet`);
  const current = await connector.getAccount(remoteId);
  if (change.kind === 'delete') {
    if (!current) return { alreadyDone: true, remoteId, account: undefined };
    await ctx.snapshot(current);
    await connector.deleteAccount(remoteId);
    const after = await connector.getAccount(remoteId);
    if (after) throw new RosterError('app_error', `${change.app}: account ${remoteId} still exists after delete`);
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
    case 'add-member':
    case 'remove-member': {
      const group = change.group ?? '';
      const wantIn = change.kind === 'add-member';
      if ((await connector.isMember(remoteId, group)) === wantIn) return { alreadyDone: true, remoteId, account: current };
      if (wantIn) await connector.addToGroup(remoteId, group);
      else await connector.removeFromGroup(remoteId, group);
      if ((await connector.isMember(remoteId, group)) !== wantIn) throw new RosterError('app_error', `${change.app}: read back after ${change.kind} of ${change.subject}: the app does not show them ${wantIn ? 'in' : 'out of'} ${group}`);
      const groups = wantIn ? [...new Set([...current.groups, group])] : current.groups.filter((g) => g !== group);
      return { alreadyDone: false, remoteId, account: { ...current, groups } };
    }
  }
}

async function create(ctx: RunContext, change: Change): Promise<ChangeOutcome> {
  const attributes = change.attributes ?? {};
  const input = { ...attributes, userName: attributes.userName ?? change.subject } as AccountInput;
  const existing = (await ctx.connector.findAccount({ userName: input.userName })) ?? (input.email ? await ctx.connector.findAccount({ email: input.email }) : undefined);
  if (existing) return { alreadyDone: true, remoteId: existing.remoteId, account: existing };
  const created = await ctx.connector.createAccount(input);
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
