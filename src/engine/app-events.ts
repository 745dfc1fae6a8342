import { recordAudit, type AuditInput } from '../audit/trail.ts';
import type { AppEvent, AppEventSource } from '../connectors/events.ts';
import { lockAppEvents, newestAppEventTimestamp, recordedAppEventIds } from '../store/app-events.ts';
import type { Database } from '../store/database.ts';

export interface IngestOptions {
  /** Where to start when the trail holds no event of this app yet. Default: 7 days ago. */
  initialSince?: number | Date | undefined;
  /**
   * Seconds re-read before the newest recorded event, for events the app files late; those
   * already recorded are recognised by `_id` and skipped. Default 300.
   */
  overlapSeconds?: number | undefined;
  /** "Now", for tests. */
  now?: Date | undefined;
}

export interface IngestResult {
  /** Events the app returned. */
  read: number;
  /** Events new to the trail, now recorded. */
  recorded: number;
  /** The window read, epoch seconds. */
  since: number;
  until: number;
  requests: number;
}

const seconds = (t: number | Date): number => (t instanceof Date ? Math.floor(t.getTime() / 1000) : Math.floor(t));

/**
 * Reads an app's own audit events (Netskope's admin audit events) into roster's audit trail,
 * incrementally. The cursor is the trail itself: the newest recorded event's timestamp (less
 * `overlapSeconds`) is where the next read starts, and `_id`s already recorded are skipped, so two
 * reads never record an event twice. Each event becomes one `source.action` by `source.actor`,
 * target the user it is about, detail the event; one `source.readAction` summarises the read.
 * Writes happen in one transaction under an advisory lock, so concurrent ingests of one app cannot
 * both record the same event.
 */
export async function ingestAppEvents(db: Database, source: AppEventSource, options: IngestOptions = {}): Promise<IngestResult> {
  const appName = source.appName;
  const now = options.now ?? new Date();
  const overlap = options.overlapSeconds ?? 300;
  const newest = await newestAppEventTimestamp(db, source.action, appName);
  const since = newest === undefined ? seconds(options.initialSince ?? new Date(now.getTime() - 7 * 24 * 3600 * 1000)) : Math.max(0, newest - overlap);
  const until = seconds(now);

  let requests = 0;
  const stop = source.observe(() => (requests += 1));
  const read: AppEvent[] = [];
  try {
    for await (const page of source.read(since, until)) read.push(...page);
  } finally {
    stop();
  }

  const recorded = await db.transaction(async (tx) => {
    await lockAppEvents(tx, `${source.action}:${appName}`);
    const known = await recordedAppEventIds(tx, source.action, appName, since);
    const fresh = new Map<string, AppEvent>();
    for (const event of read) if (!known.has(event._id) && !fresh.has(event._id)) fresh.set(event._id, event);
    // Oldest first, so the trail's own order follows the app's.
    const ordered = [...fresh.values()].sort((a, b) => a.timestamp - b.timestamp || a._id.localeCompare(b._id));
    for (let i = 0; i < ordered.length; i += 1000) await recordAudit(tx, ordered.slice(i, i + 1000).map((e) => auditInputFor(source, e)));
    await recordAudit(tx, { actor: 'system', action: source.readAction, appName, detail: { read: read.length, recorded: ordered.length, since, until, requests } });
    return ordered.length;
  });
  return { read: read.length, recorded, since, until, requests };
}

function auditInputFor(source: AppEventSource, event: AppEvent): AuditInput {
  return {
    actor: source.actor,
    action: source.action,
    appName: source.appName,
    target: event.user,
    outcome: 'ok',
    detail: { ...event, at: new Date(event.timestamp * 1000).toISOString() },
  };
}
