import { redactText } from '../core/redact.ts';
import type { RemoteAccount } from '../core/account.ts';
import type { Link, LinkRule } from '../core/links.ts';
import type { Queryable } from './database.ts';
import { inSlices, readByKey } from './keyset.ts';

export interface AppRecord {
  name: string;
  type: string;
  baseUrl: string;
}

/** Registers an app (or updates its type and URL); credentials never reach the database. */
export async function ensureApp(db: Queryable, app: AppRecord): Promise<void> {
  await db.query(
    `insert into apps (name, type, base_url) values ($1, $2, $3)
     on conflict (name) do update set type = excluded.type, base_url = excluded.base_url`,
    [app.name, app.type, app.baseUrl],
  );
}

/**
 * How long a running sync may go without a heartbeat before it counts as interrupted. Well above
 * the heartbeat period and the longest wait a sync sits out in place (a Retry-After of a minute).
 */
export const syncLeaseMs = 2 * 60_000;
/** How often a running sync renews its heartbeat, besides once per page. */
export const syncHeartbeatMs = 20_000;

const leaseInterval = `${syncLeaseMs / 1000} seconds`;
const interruptedReason = (heartbeat: Date) => `no sign of life since ${heartbeat.toISOString().replace('T', ' ').slice(0, 19)} UTC: the process running it stopped part way; what it read is not used`;

export async function startSyncRun(db: Queryable, appName: string): Promise<number> {
  const [row] = await db.query<{ id: number }>("insert into sync_runs (app_name, status) values ($1, 'running') returning id", [appName]);
  if (!row) throw new Error('sync run not created');
  return Number(row.id);
}

/** Renews a running sync's heartbeat, so nobody takes it for interrupted. */
export async function touchSyncRun(db: Queryable, syncId: number): Promise<void> {
  await db.query("update sync_runs set heartbeat_at = now() where id = $1 and status = 'running'", [syncId]);
}

/**
 * Records as interrupted every run of this app still 'running' whose heartbeat is older than the
 * lease, and drops the accounts it had read; returns them. Called as a new sync of the app starts.
 */
export async function interruptStaleSyncRuns(db: Queryable, appName: string): Promise<{ id: number; heartbeatAt: Date }[]> {
  const stale = await db.query<{ id: number; heartbeat_at: Date }>(
    `select id, heartbeat_at from sync_runs where app_name = $1 and status = 'running' and heartbeat_at < now() - $2::interval order by id`,
    [appName, leaseInterval],
  );
  for (const run of stale) {
    await db.query('delete from accounts where sync_id = $1', [run.id]);
    await db.query("update sync_runs set status = 'interrupted', finished_at = now(), error = $2 where id = $1 and status = 'running'", [run.id, interruptedReason(run.heartbeat_at)]);
  }
  return stale.map((run) => ({ id: Number(run.id), heartbeatAt: run.heartbeat_at }));
}

/** Stores one page of accounts under a running sync; they stay invisible until the run succeeds. */
export async function insertAccounts(db: Queryable, syncId: number, appName: string, accounts: readonly RemoteAccount[]): Promise<void> {
  if (accounts.length === 0) return;
  const unique = [...new Map(accounts.map((a) => [a.remoteId, a])).values()];
  const rows = unique.map((a) => ({
    remote_id: a.remoteId,
    user_name: a.userName ?? null,
    email: a.email ?? null,
    external_id: a.externalId ?? null,
    display_name: a.displayName ?? null,
    given_name: a.givenName ?? null,
    family_name: a.familyName ?? null,
    active: a.active,
    department: a.department ?? null,
    title: a.title ?? null,
    groups: a.groups,
    undeletable: a.undeletable ?? null,
    role: a.role ?? null,
    pending: a.pending ?? null,
    raw: a.raw ?? {},
  }));
  // An app that lists one account twice across pages (it changed while being paged) keeps the last copy.
  await db.query(
    `insert into accounts (sync_id, app_name, remote_id, user_name, email, external_id, display_name, given_name, family_name, active, department, title, groups, undeletable, role, pending, raw)
     select $2, $3, x.remote_id, x.user_name, x.email, x.external_id, x.display_name, x.given_name, x.family_name, x.active, x.department, x.title, x.groups, x.undeletable, x.role, x.pending, x.raw
       from jsonb_to_recordset($1::jsonb) as x(remote_id text, user_name text, email text, external_id text, display_name text, given_name text,
            family_name text, active boolean, department text, title text, groups jsonb, undeletable text, role text, pending text, raw jsonb)
     on conflict (sync_id, remote_id) do update set user_name = excluded.user_name, email = excluded.email, external_id = excluded.external_id,
       display_name = excluded.display_name, given_name = excluded.given_name, family_name = excluded.family_name, active = excluded.active,
       department = excluded.department, title = excluded.title, groups = excluded.groups, undeletable = excluded.undeletable, role = excluded.role, pending = excluded.pending, raw = excluded.raw`,
    [JSON.stringify(rows), syncId, appName],
  );
}

/** Makes a finished run's accounts the app's current state and drops the previous run's. */
export async function completeSyncRun(db: Queryable, syncId: number, appName: string, counts: { accountsRead: number; listRequests: number }): Promise<void> {
  const updated = await db.query(
    "update sync_runs set status = 'succeeded', finished_at = now(), accounts_read = $2, list_requests = $3 where id = $1 and status = 'running' returning id",
    [syncId, counts.accountsRead, counts.listRequests],
  );
  if (updated.length === 0) {
    throw new Error(`sync run ${syncId} of ${appName} was recorded as interrupted while it ran (no heartbeat for over ${syncLeaseMs / 60_000} minutes); what it read is not used, sync again`);
  }
  await db.query('update apps set current_sync_id = $1 where name = $2', [syncId, appName]);
  await db.query('delete from accounts where app_name = $1 and sync_id <> $2', [appName, syncId]);
}

/**
 * Brings the query planner's statistics up to date after a sync replaced an app's accounts and
 * links. The embedded database has no autovacuum: without this its planner never learns a table
 * grew past a handful of rows, and reads a page of a large tenant by scanning and sorting the rest.
 */
export async function refreshSyncStatistics(db: Queryable): Promise<void> {
  // Just the key columns: the whole tables' statistics cost seconds at 100,000 accounts an app.
  await db.exec('analyze people (id, external_id, user_name, email), accounts (sync_id, app_name, remote_id), links (app_name, remote_id, person_id)');
}

/**
 * Records a failed run and discards what it had read: the last good state stays current. The error
 * is stored redacted (it may quote an app). A run already recorded as interrupted stays so.
 */
export async function failSyncRun(db: Queryable, syncId: number, error: string, counts: { accountsRead: number; listRequests: number }): Promise<void> {
  await db.query('delete from accounts where sync_id = $1', [syncId]);
  await db.query(
    "update sync_runs set status = 'failed', finished_at = now(), error = $2, accounts_read = $3, list_requests = $4 where id = $1 and status = 'running'",
    [syncId, redactText(error), counts.accountsRead, counts.listRequests],
  );
}

interface AccountRow {
  remote_id: string;
  user_name: string | null;
  email: string | null;
  external_id: string | null;
  display_name: string | null;
  given_name: string | null;
  family_name: string | null;
  active: boolean;
  department: string | null;
  title: string | null;
  groups: string[];
  undeletable: string | null;
  role: string | null;
  pending: string | null;
  raw: unknown;
}

const accountColumns = 'a.remote_id, a.user_name, a.email, a.external_id, a.display_name, a.given_name, a.family_name, a.active, a.department, a.title, a.groups, a.undeletable, a.role, a.pending';

/** The accounts of an app's last successful sync; `raw: false` leaves out the apps' whole records. */
export async function currentAccounts(db: Queryable, appName: string, options: { raw?: boolean; remoteIds?: readonly string[] } = {}): Promise<RemoteAccount[]> {
  const selected = `${accountColumns}${options.raw === false ? ', null as raw' : ', a.raw'}`;
  const rows = options.remoteIds
    ? await db.query<AccountRow>(
        `select ${selected} from accounts a join apps p on p.name = a.app_name and p.current_sync_id = a.sync_id
          where a.app_name = $1 and a.remote_id = any($2::text[]) order by a.remote_id`,
        [appName, options.remoteIds],
      )
    : await readByKey<AccountRow>(
        db,
        `select ${selected} from accounts a
          where a.sync_id = (select current_sync_id from apps where name = $3) and ($1::text is null or a.remote_id > $1)
          order by a.remote_id limit $2`,
        [appName],
        'remote_id',
      );
  return rows.map(toAccount);
}

/**
 * The accounts of the app's last successful sync linked to these people, with their links: what a
 * plan narrowed to them reads of the app (found through the links, not by reading every account).
 */
export async function linkedAccountsOf(db: Queryable, appName: string, personIds: readonly string[]): Promise<{ accounts: RemoteAccount[]; links: Link[] }> {
  const found: { accounts: RemoteAccount[]; links: Link[] } = { accounts: [], links: [] };
  // A group push can touch a whole tenant: read a slice of people at a time (see readByKey for why).
  await inSlices(personIds, async (slice) => {
    const rows = await db.query<AccountRow & { person_id: string; rule: LinkRule; reason: string }>(
      `select ${accountColumns}, null as raw, l.person_id, l.rule, l.reason from links l
         join apps p on p.name = l.app_name
         join accounts a on a.sync_id = p.current_sync_id and a.remote_id = l.remote_id
        where l.app_name = $1 and l.person_id = any($2::text[])`,
      [appName, slice],
    );
    for (const r of rows) {
      found.accounts.push(toAccount(r));
      found.links.push({ appName, remoteId: r.remote_id, personId: r.person_id, rule: r.rule, reason: r.reason });
    }
  });
  return found;
}

/** What the app's last successful sync found: its groups (undefined: not known) and how many accounts it read. */
export async function lastSyncSummary(db: Queryable, appName: string): Promise<{ appGroups: string[] | undefined; accounts: number }> {
  const [row] = await db.query<{ app_groups: string[] | null; accounts_read: number }>('select r.app_groups, r.accounts_read from apps a join sync_runs r on r.id = a.current_sync_id where a.name = $1', [appName]);
  return { appGroups: row?.app_groups ?? undefined, accounts: row?.accounts_read ?? 0 };
}

function toAccount(r: AccountRow): RemoteAccount {
  return {
    remoteId: r.remote_id,
    userName: r.user_name ?? undefined,
    email: r.email ?? undefined,
    externalId: r.external_id ?? undefined,
    displayName: r.display_name ?? undefined,
    givenName: r.given_name ?? undefined,
    familyName: r.family_name ?? undefined,
    active: r.active,
    department: r.department ?? undefined,
    title: r.title ?? undefined,
    groups: r.groups,
    ...(r.undeletable ? { undeletable: r.undeletable } : {}),
    ...(r.role ? { role: r.role } : {}),
    ...(r.pending ? { pending: r.pending } : {}),
    raw: r.raw ?? undefined,
  };
}

export interface SyncRunSummary {
  id: number;
  appName: string;
  /** 'interrupted' also for a run still marked running whose heartbeat is older than the lease. */
  status: 'running' | 'succeeded' | 'failed' | 'interrupted';
  startedAt: Date;
  finishedAt: Date | null;
  /** The run's last sign of life. */
  heartbeatAt: Date;
  accountsRead: number;
  listRequests: number;
  error: string | null;
}

/** Per app: its type, the current (last good) run and the latest run, which may have failed or been interrupted. */
export async function appSyncState(db: Queryable): Promise<{ app: AppRecord; current: SyncRunSummary | undefined; latest: SyncRunSummary | undefined }[]> {
  const apps = await db.query<{ name: string; type: string; base_url: string; current_sync_id: number | null }>('select * from apps order by name');
  const runs = await db.query<{
    id: number;
    app_name: string;
    status: SyncRunSummary['status'];
    stale: boolean;
    started_at: Date;
    finished_at: Date | null;
    heartbeat_at: Date;
    accounts_read: number;
    list_requests: number;
    error: string | null;
  }>(
    `select r.*, (r.status = 'running' and r.heartbeat_at < now() - $1::interval) as stale from sync_runs r
      where r.id in (select max(id) from sync_runs group by app_name) or r.id in (select current_sync_id from apps)`,
    [leaseInterval],
  );
  const summary = (id: number | null | undefined): SyncRunSummary | undefined => {
    const r = runs.find((run) => Number(run.id) === Number(id));
    if (!r) return undefined;
    return {
      id: Number(r.id),
      appName: r.app_name,
      status: r.stale ? 'interrupted' : r.status,
      startedAt: r.started_at,
      finishedAt: r.finished_at,
      heartbeatAt: r.heartbeat_at,
      accountsRead: r.accounts_read,
      listRequests: r.list_requests,
      error: r.stale ? interruptedReason(r.heartbeat_at) : r.error,
    };
  };
  return apps.map((a) => {
    const latestId = Math.max(0, ...runs.filter((r) => r.app_name === a.name).map((r) => Number(r.id)));
    return { app: { name: a.name, type: a.type, baseUrl: a.base_url }, current: summary(a.current_sync_id), latest: summary(latestId) };
  });
}

/**
 * Keeps an app's current accounts in step with a change roster just made and verified, so status
 * and the next plan see it without a full sync. Nothing happens for an app never synced.
 */
/** The group names a sync read from the app. */
export async function recordAppGroups(db: Queryable, syncId: number, names: readonly string[]): Promise<void> {
  await db.query('update sync_runs set app_groups = $2::jsonb where id = $1', [syncId, JSON.stringify([...new Set(names)].sort())]);
}

/** The group names the app held at its current sync; undefined when that sync did not read them. */
export async function currentAppGroups(db: Queryable, appName: string): Promise<string[] | undefined> {
  const [row] = await db.query<{ app_groups: string[] | null }>('select r.app_groups from apps a join sync_runs r on r.id = a.current_sync_id where a.name = $1', [appName]);
  return row?.app_groups ?? undefined;
}

/** A membership roster changed: the stored account's groups follow, nothing else is touched. */
export async function recordMembership(db: Queryable, appName: string, remoteId: string, group: string, member: boolean): Promise<void> {
  await db.query(
    `update accounts a set groups = case when $4 then (case when a.groups ? $3 then a.groups else a.groups || to_jsonb($3::text) end) else a.groups - $3 end
       from apps p where p.name = a.app_name and p.current_sync_id = a.sync_id and a.app_name = $1 and a.remote_id = $2`,
    [appName, remoteId, group, member],
  );
}

export async function recordAccountChange(db: Queryable, appName: string, change: { account: RemoteAccount } | { deleted: string }): Promise<void> {
  const [app] = await db.query<{ current_sync_id: number | null }>('select current_sync_id from apps where name = $1', [appName]);
  const syncId = app?.current_sync_id;
  if (!syncId) return;
  if ('deleted' in change) {
    await db.query('delete from accounts where sync_id = $1 and remote_id = $2', [syncId, change.deleted]);
    return;
  }
  await insertAccounts(db, Number(syncId), appName, [change.account]);
}

export async function quarantineApp(db: Queryable, appName: string, until: Date, reason: string): Promise<void> {
  await db.query('update apps set quarantined_until = $2, quarantine_reason = $3 where name = $1', [appName, until, reason]);
}

/** The app answered again: its work flows normally. */
export async function liftQuarantine(db: Queryable, appName: string): Promise<void> {
  await db.query('update apps set quarantined_until = null, quarantine_reason = null where name = $1', [appName]);
}

export async function quarantinedUntil(db: Queryable, appName: string): Promise<Date | undefined> {
  const [row] = await db.query<{ quarantined_until: Date | null }>('select quarantined_until from apps where name = $1 and quarantined_until > now()', [appName]);
  return row?.quarantined_until ?? undefined;
}

export async function activeQuarantines(db: Queryable): Promise<Map<string, { until: Date; reason: string }>> {
  const rows = await db.query<{ name: string; quarantined_until: Date; quarantine_reason: string | null }>('select name, quarantined_until, quarantine_reason from apps where quarantined_until > now()');
  return new Map(rows.map((r) => [r.name, { until: r.quarantined_until, reason: r.quarantine_reason ?? 'most calls failed' }]));
}
