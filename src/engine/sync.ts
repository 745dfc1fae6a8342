import type { Actor, AuditInput } from '../audit/trail.ts';
import { exchangeEvent } from '../audit/exchange.ts';
import { recordAudit } from '../audit/trail.ts';
import type { ResolvedApp } from '../config/load.ts';
import type { Connector, AccountPage } from '../connectors/connector.ts';
import type { HttpExchange } from '../connectors/http/client.ts';
import { createConnector, moduleFor } from '../connectors/modules.ts';
import { diffLinks, linkAccounts, type LinkableAccount } from '../core/links.ts';
import { isRosterError } from '../errors.ts';
import { log } from '../log.ts';
import { recordSync, recordVendorRequest } from '../metrics.ts';
import { completeSyncRun, ensureApp, refreshSyncStatistics, failSyncRun, insertAccounts, interruptStaleSyncRuns, recordAppGroups, startSyncRun, syncHeartbeatMs, touchSyncRun, type AppRecord } from '../store/accounts.ts';
import type { Database } from '../store/database.ts';
import { listLinks, writeLinkDiff } from '../store/links.ts';
import { listPeopleForLinking } from '../store/people.ts';
import { ingestAppEvents } from './app-events.ts';

export interface SyncResult {
  appName: string;
  ok: boolean;
  syncId: number;
  accountsRead: number;
  /** Successful list-page requests (the figure a benchmark compares with ceil(n / page size)). */
  listRequests: number;
  /** Every request on the wire, retries included. */
  requests: number;
  ms: number;
  linked?: number;
  error?: string;
  errorCode?: string;
}

export interface SyncOptions {
  actor: Actor;
  onPage?: (appName: string, page: AccountPage) => void;
}

/**
 * Reads every account of one app into a new sync run, page by page, then — only when every page
 * arrived — makes it the app's current state and links accounts to people. A failure part way
 * leaves the previous good state current. Every request is written to the audit trail.
 */
export async function syncApp(db: Database, app: AppRecord, connector: Connector, options: SyncOptions): Promise<SyncResult> {
  const started = performance.now();
  await ensureApp(db, app);
  for (const run of await interruptStaleSyncRuns(db, app.name)) {
    await recordAudit(db, { actor: options.actor, action: 'sync.interrupted', appName: app.name, outcome: 'failed', detail: { syncId: run.id, lastHeartbeat: run.heartbeatAt.toISOString() } });
  }
  const syncId = await startSyncRun(db, app.name);
  const pending: AuditInput[] = [];
  let requests = 0;
  const stopObserving = connector.observe((exchange: HttpExchange) => {
    requests += 1;
    recordVendorRequest(app.name, exchange);
    pending.push(exchangeEvent(options.actor, app.name, 'app.read', exchange, { syncId }));
  });
  const flush = async () => {
    if (pending.length > 0) await recordAudit(db, pending.splice(0));
  };
  await recordAudit(db, { actor: options.actor, action: 'sync.started', appName: app.name, detail: { syncId } });
  let accountsRead = 0;
  let listRequests = 0;
  // What linking needs of each account, kept as the pages arrive: the accounts are not read back.
  const linkable = new Map<string, LinkableAccount>();
  // Between pages too: a page can take minutes when the app makes roster wait.
  const heartbeat = setInterval(() => void touchSyncRun(db, syncId).catch(() => undefined), syncHeartbeatMs);
  heartbeat.unref();
  try {
    // One page ahead: the app serves the next page while this one is stored.
    const pages = connector.listAccounts()[Symbol.asyncIterator]();
    let next = pages.next();
    try {
      for (let read = await next; !read.done; read = await next) {
        next = pages.next();
        next.catch(() => undefined); // awaited on the next turn; a failure while storing this page must not go unhandled
        const page = read.value;
        listRequests += 1;
        accountsRead += page.accounts.length;
        await insertAccounts(db, syncId, app.name, page.accounts);
        // An account listed twice (it changed while being paged) counts as its last copy, as stored.
        for (const a of page.accounts) linkable.set(a.remoteId, { remoteId: a.remoteId, externalId: a.externalId, email: a.email, userName: a.userName });
        await touchSyncRun(db, syncId);
        await flush();
        options.onPage?.(app.name, page);
      }
    } catch (error) {
      await next.catch(() => undefined);
      await pages.return?.(undefined);
      throw error;
    }
    if (connector.capabilities.groups && connector.listGroups) {
      await recordAppGroups(db, syncId, await connector.listGroups());
      await flush();
    }
    clearInterval(heartbeat);
    const linked = await db.transaction(async (tx) => {
      await completeSyncRun(tx, syncId, app.name, { accountsRead, listRequests });
      // One connection in a transaction: queries go one at a time.
      const people = await listPeopleForLinking(tx);
      const existing = await listLinks(tx, app.name);
      const { links } = linkAccounts(app.name, people, [...linkable.values()], existing);
      await writeLinkDiff(tx, app.name, diffLinks(existing, links));
      return links.length;
    });
    stopObserving();
    // Best effort: the accounts are current already; stale statistics only make reads slower.
    await refreshSyncStatistics(db).catch((error: Error) => log.warn({ app: app.name, err: error.message }, 'planner statistics not refreshed'));
    await flush();
    const ms = performance.now() - started;
    recordSync(app.name, true, ms);
    await recordAudit(db, { actor: options.actor, action: 'sync.completed', appName: app.name, detail: { syncId, accountsRead, listRequests, requests, linked, ms: Math.round(ms) } });
    return { appName: app.name, ok: true, syncId, accountsRead, listRequests, requests, ms, linked };
  } catch (error) {
    clearInterval(heartbeat);
    stopObserving();
    const message = error instanceof Error ? error.message : String(error);
    recordSync(app.name, false, performance.now() - started);
    await failSyncRun(db, syncId, message, { accountsRead, listRequests });
    await flush();
    await recordAudit(db, { actor: options.actor, action: 'sync.failed', appName: app.name, outcome: 'failed', detail: { syncId, accountsRead, listRequests, requests, error: message } });
    return {
      appName: app.name,
      ok: false,
      syncId,
      accountsRead,
      listRequests,
      requests,
      ms: performance.now() - started,
      error: message,
      ...(isRosterError(error) ? { errorCode: error.code } : {}),
    };
  }
}

/** One app's sync, with the app's own audit events read into the trail after it (Netskope), or why that failed. */
export interface AppSyncReport extends SyncResult {
  events?: { read: number; recorded: number } | { error: string };
}

export interface SyncAppsOptions extends SyncOptions {
  /** The connector for an app; by default its module's, on its credential's shared budget. */
  connectorFor?: ((app: ResolvedApp) => Connector) | undefined;
  /** Called when an app's sync (and its events) is done, before the next app starts. */
  onAppDone?: ((report: AppSyncReport) => void) | undefined;
}

/**
 * Syncs apps one after another; after each, where its module reads the app's own audit events
 * and the config asks for them, reads those into the trail too (a failure there is reported, not
 * thrown: the accounts read still stand).
 */
export async function syncApps(db: Database, apps: readonly ResolvedApp[], options: SyncAppsOptions): Promise<AppSyncReport[]> {
  const results: AppSyncReport[] = [];
  for (const app of apps) {
    const connector = (options.connectorFor ?? createConnector)(app);
    let report: AppSyncReport;
    try {
      report = await syncApp(db, { name: app.name, type: app.type, baseUrl: app.baseUrl }, connector, options);
    } finally {
      await connector.close();
    }
    const source = moduleFor(app.type).events?.(app);
    if (source) {
      try {
        const { read, recorded } = await ingestAppEvents(db, source);
        report.events = { read, recorded };
      } catch (error) {
        report.events = { error: error instanceof Error ? error.message : String(error) };
      } finally {
        await source.close();
      }
    }
    options.onAppDone?.(report);
    results.push(report);
  }
  return results;
}
