import { z } from 'zod';
import { recordAudit, type AuditInput } from '../../audit/trail.ts';
import { RosterError } from '../../errors.ts';
import type { Database, Queryable } from '../../store/database.ts';
import { httpSettings, type ConnectorOptions } from '../connector.ts';
import type { HttpExchange } from '../http/client.ts';
import { NetskopeHttpClient } from './http.ts';
import { netskopeManifest, netskopeRestBaseUrl } from './manifest.ts';

/** One Netskope admin audit event, as REST API v2 returns it (other fields are kept). */
export const netskopeAuditEventSchema = z
  .object({
    _id: z.string().min(1),
    /** When it happened, epoch seconds. */
    timestamp: z.number(),
    /** When Netskope stored it, epoch seconds (events arrive late: this is what reads walk). */
    _insertion_epoch_timestamp: z.number().optional(),
    type: z.string().optional(),
    user: z.string().optional(),
    audit_log_event: z.string().optional(),
    supporting_data: z.unknown().optional(),
    activity: z.string().optional(),
  })
  .loose();

export type NetskopeAuditEvent = z.infer<typeof netskopeAuditEventSchema>;

const pageSchema = z.object({ ok: z.literal(1), result: z.array(netskopeAuditEventSchema) }).loose();

/**
 * baseUrl: the tenant (`https://<tenant>.goskope.com`) or its SCIM base URL; events are read from
 * `<tenant>/api/v2`. auth: a REST API v2 token granted `/api/v2/events/data/audit` (the one SCIM
 * uses, if it has that endpoint too; a legacy SCIM-only token has none).
 * pageSize: events per request, at most 5000 (the default).
 */
export type NetskopeEventsOptions = ConnectorOptions;

export interface ReadAuditEventsOptions {
  /** End of the window, epoch seconds or a Date, inclusive. Default: now. */
  until?: number | Date | undefined;
  /**
   * Which time the window is on: `'insertion'` (default) — when Netskope stored the event
   * (`insertionstarttime`/`insertionendtime`), so an event that arrives late still falls in a
   * later window — or `'event'` — when it happened (`starttime`/`endtime`).
   */
  by?: 'insertion' | 'event' | undefined;
  /** Netskope's query, e.g. `user eq 'jane@acme.example'`. */
  query?: string | undefined;
}

const seconds = (t: number | Date): number => (t instanceof Date ? Math.floor(t.getTime() / 1000) : Math.floor(t));

/** Netskope's REST API v2 admin audit events: `GET /api/v2/events/data/audit`, paged by limit/offset. */
export class NetskopeEventsClient {
  readonly appName: string;
  readonly http: NetskopeHttpClient;
  readonly pageSize: number;

  constructor(options: NetskopeEventsOptions) {
    const max = netskopeManifest.paging.events.maxLimit;
    this.appName = options.appName;
    this.pageSize = Math.min(max, Math.max(1, options.pageSize ?? max));
    this.http = new NetskopeHttpClient({ ...httpSettings(options), api: 'rest', baseUrl: netskopeRestBaseUrl(options.baseUrl) });
  }

  observe(observer: (exchange: HttpExchange) => void): () => void {
    return this.http.observe(observer);
  }

  /**
   * Every audit event stored (or, `by: 'event'`, that happened) from `since` to `until` (epoch
   * seconds, both inclusive), page by page, with `limit`/`offset` — never SCIM's startIndex/count,
   * which this endpoint silently answers with nothing. The window is fixed before the first page,
   * so new events cannot shift the offsets.
   */
  async *readAuditEvents(since: number | Date, options: ReadAuditEventsOptions = {}): AsyncIterable<NetskopeAuditEvent[]> {
    const from = seconds(since);
    const to = seconds(options.until ?? new Date());
    const window = (options.by ?? 'insertion') === 'insertion' ? { insertionstarttime: from, insertionendtime: to } : { starttime: from, endtime: to };
    for (let offset = 0; ; ) {
      const res = await this.http.request({
        method: 'GET',
        path: '/events/data/audit',
        query: { ...window, limit: this.pageSize, offset, ...(options.query ? { query: options.query } : {}) },
      });
      const parsed = pageSchema.safeParse(res.body);
      if (!parsed.success) {
        const problem = parsed.error.issues[0];
        throw new RosterError('invalid_response', `${this.appName}: GET /api/v2/events/data/audit answered something that is not an events page (${problem?.path.join('.') || 'body'}: ${problem?.message})`);
      }
      const events = parsed.data.result;
      if (events.length > 0) yield events;
      if (events.length < this.pageSize) return;
      offset += events.length;
    }
  }

  async close(): Promise<void> {
    await this.http.close();
  }
}

/** The audit trail's action for one Netskope admin audit event. */
export const NETSKOPE_AUDIT_ACTION = 'netskope.audit_event';
/** The audit trail's action summarising one read of the events. */
export const NETSKOPE_AUDIT_READ_ACTION = 'netskope.audit_read';
/** Who the trail says did it. */
export const NETSKOPE_ACTOR = 'app:netskope';

export interface IngestOptions {
  /** The roster app name the events belong to (audit_events.app_name). */
  appName: string;
  /** Where to start when the trail holds no event of this app yet. Default: 7 days ago. */
  initialSince?: number | Date | undefined;
  /**
   * Seconds re-read before the end of the last read's window (insertion time), for clocks that
   * disagree; events already recorded are recognised by `_id` and skipped. Default 300.
   */
  overlapSeconds?: number | undefined;
  /** "Now", for tests. */
  now?: Date | undefined;
}

export interface IngestResult {
  /** Events Netskope returned. */
  read: number;
  /** Events new to the trail, now recorded. */
  recorded: number;
  /** The window read, epoch seconds of insertion time. */
  since: number;
  until: number;
  requests: number;
}

/**
 * Reads Netskope's admin audit events into roster's audit trail, incrementally, by insertion time:
 * an event that happened long ago but reached Netskope late is still in the next window. The
 * cursor is the trail itself: the end of the last read's window (less `overlapSeconds`) is where
 * the next read starts, and `_id`s already recorded are skipped, so two reads never record an event
 * twice. Each
 * event becomes one `netskope.audit_event` by `app:netskope`, target the Netskope user, detail the
 * event; one `netskope.audit_read` summarises the read. Writes happen in one transaction under an
 * advisory lock, so concurrent ingests of one app cannot both record the same event.
 */
export async function ingestNetskopeAuditEvents(db: Database, events: NetskopeEventsClient, options: IngestOptions): Promise<IngestResult> {
  const now = options.now ?? new Date();
  const overlap = options.overlapSeconds ?? 300;
  const lastEnd = await lastReadUntil(db, options.appName);
  const since = lastEnd === undefined ? seconds(options.initialSince ?? new Date(now.getTime() - 7 * 24 * 3600 * 1000)) : Math.max(0, lastEnd - overlap);
  const until = seconds(now);

  let requests = 0;
  const stop = events.observe(() => (requests += 1));
  const read: NetskopeAuditEvent[] = [];
  try {
    for await (const page of events.readAuditEvents(since, { until, by: 'insertion' })) read.push(...page);
  } finally {
    stop();
  }

  const recorded = await db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock(hashtext($1))', [`netskope-events:${options.appName}`]);
    const known = await recordedIds(tx, options.appName, [...new Set(read.map((e) => e._id))]);
    const fresh = new Map<string, NetskopeAuditEvent>();
    for (const event of read) if (!known.has(event._id) && !fresh.has(event._id)) fresh.set(event._id, event);
    // Oldest first, so the trail's own order follows Netskope's.
    const ordered = [...fresh.values()].sort((a, b) => a.timestamp - b.timestamp || a._id.localeCompare(b._id));
    for (let i = 0; i < ordered.length; i += 1000) await recordAudit(tx, ordered.slice(i, i + 1000).map((e) => auditInputFor(e, options.appName)));
    await recordAudit(tx, {
      actor: 'system',
      action: NETSKOPE_AUDIT_READ_ACTION,
      appName: options.appName,
      detail: { read: read.length, recorded: ordered.length, since, until, by: 'insertion', requests },
    });
    return ordered.length;
  });
  return { read: read.length, recorded, since, until, requests };
}

function auditInputFor(event: NetskopeAuditEvent, appName: string): AuditInput {
  return {
    actor: NETSKOPE_ACTOR,
    action: NETSKOPE_AUDIT_ACTION,
    appName,
    target: event.user,
    outcome: 'ok',
    detail: { ...event, at: new Date(event.timestamp * 1000).toISOString() },
  };
}

/** Where the last read of this app's events ended (its window's `until`, epoch seconds). */
async function lastReadUntil(db: Queryable, appName: string): Promise<number | undefined> {
  const rows = await db.query<{ until: string | number | null }>(
    `select (detail->>'until')::double precision as until from audit_events where action = $1 and app_name = $2 order by id desc limit 1`,
    [NETSKOPE_AUDIT_READ_ACTION, appName],
  );
  const until = rows[0]?.until;
  return until === null || until === undefined ? undefined : Number(until);
}

/** Which of these Netskope event ids the trail already holds for this app. */
async function recordedIds(db: Queryable, appName: string, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.query<{ id: string }>(
    `select detail->>'_id' as id from audit_events where action = $1 and app_name = $2 and detail->>'_id' = any($3::text[])`,
    [NETSKOPE_AUDIT_ACTION, appName, ids],
  );
  return new Set(rows.map((r) => r.id));
}
