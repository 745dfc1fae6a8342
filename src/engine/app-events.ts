import { recordAudit, type AuditInput } from '../audit/trail.ts';
import type { AppEvent, AppEventSource } from '../connectors/events.ts';
import { lastAppEventRead, lockAppEvents, recordedAppEventIds } from '../store/app-events.ts';
import type { Database } from '../store/database.ts';

export interface IngestOptions {
  /** Where to start when the trail holds no event of this app yet. Default: 7 days ago. */
  initialSince?: number | Date | undefined;
  /**
   * Seconds re-read before the end of the last read's window, for clocks that disagree; events
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
  /** The window read, epoch seconds of the app's storing time. */
  since: number;
  until: number;
  requests: number;
}

const seconds = (t: number | Date): number => (t instanceof Date ? Math.floor(t.getTime() / 1000) : Math.floor(t));

/**
 * Reads an app's own audit events (Netskope's admin audit events) into roster's audit trail,
 * incrementally, by the time the app stored them (an event filed late, with an old timestamp, is
 * still in the next window). The cursor is the trail itself: the end of the last read's window
 * (less `overlapSeconds`) is where the next read starts, and `_id`s already recorded are skipped,
 * so two reads never record an event twice. Each event becomes one `source.action` by `source.actor`,
 * target the user it is about, detail the event; one `source.readAction` summarises the read.
 * Writes happen in one transaction under an advisory lock, so concurrent ingests of one app cannot
 * both record the same event.
 */
export async function ingestAppEvents(db: Database, source: AppEventSource, options: IngestOptions = {}): Promise<IngestResult> {
  const appName = source.appName;
  const now = options.now ?? new Date();
  const overlap = options.overlapSeconds ?? 300;
  const lastEnd = await lastAppEventRead(db, source.readAction, appName);
  const since = lastEnd === undefined ? seconds(options.initialSince ?? new Date(now.getTime() - 7 * 24 * 3600 * 1000)) : Math.max(0, lastEnd - overlap);
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
    const known = await recordedAppEventIds(tx, source.action, appName, [...new Set(read.map((e) => e._id))]);
    const fresh = new Map<string, AppEvent>();
    for (const event of read) if (!known.has(event._id) && !fresh.has(event._id)) fresh.set(event._id, event);
    // Oldest first, so the trail's own order follows the app's.
    const ordered = [...fresh.values()].sort((a, b) => a.timestamp - b.timestamp || a._id.localeCompare(b._id));
    for (let i = 0; i < ordered.length; i += 1000) await recordAudit(tx, ordered.slice(i, i + 1000).map((e) => auditInputFor(source, e)));
    await recordAudit(tx, { actor: 'system', action: source.readAction, appName, detail: { read: read.length, recorded: ordered.length, since, until, by: 'insertion', requests } });
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
