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
    /** Epoch seconds. */
    timestamp: z.number(),
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
 * `<tenant>/api/v2`. auth: a REST API v2 token with the `events` scope (not the SCIM token).
 * pageSize: events per request, at most 5000 (the default).
 */
export type NetskopeEventsOptions = ConnectorOptions;

export interface ReadAuditEventsOptions {
  /** Newest event time to read, epoch seconds or a Date. Default: now. */
  until?: number | Date | undefined;
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
   * Every audit event from `since` to `until` (epoch seconds, both inclusive), page by page, with
   * `limit`/`offset` — never SCIM's startIndex/count, which this endpoint silently answers with
   * nothing. The window is fixed before the first page, so new events cannot shift the offsets.
   */
  async *readAuditEvents(since: number | Date, options: ReadAuditEventsOptions = {}): AsyncIterable<NetskopeAuditEvent[]> {
    const starttime = seconds(since);
    const endtime = seconds(options.until ?? new Date());
    for (let offset = 0; ; ) {
      const res = await this.http.request({
        method: 'GET',
        path: '/events/data/audit',
        query: { starttime, endtime, limit: this.pageSize, offset, ...(options.query ? { query: options.query } : {}) },
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
   * Seconds re-read before the newest recorded event, for events Netskope files late; those
   * already recorded are recognised by `_id` and skipped. Default 300.
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
  /** The window read, epoch seconds. */
  since: number;
  until: number;
  requests: number;
}

/**
 * Reads Netskope's admin audit events into roster's audit trail, incrementally. The cursor is the
 * trail itself: the newest recorded event's timestamp (less `overlapSeconds`) is where the next read
 * starts, and `_id`s already recorded are skipped, so two reads never record an event twice. Each
 * event becomes one `netskope.audit_event` by `app:netskope`, target the Netskope user, detail the
 * event; one `netskope.audit_read` summarises the read. Writes happen in one transaction under an
 * advisory lock, so concurrent ingests of one app cannot both record the same event.
 */
export async function ingestNetskopeAuditEvents(db: Database, events: NetskopeEventsClient, options: IngestOptions): Promise<IngestResult> {
  const now = options.now ?? new Date();
  const overlap = options.overlapSeconds ?? 300;
  const newest = await newestRecordedTimestamp(db, options.appName);
  const since = newest === undefined ? seconds(options.initialSince ?? new Date(now.getTime() - 7 * 24 * 3600 * 1000)) : Math.max(0, newest - overlap);
  const until = seconds(now);

  let requests = 0;
  const stop = events.observe(() => (requests += 1));
  const read: NetskopeAuditEvent[] = [];
  try {
    for await (const page of events.readAuditEvents(since, { until })) read.push(...page);
  } finally {
    stop();
  }

  const recorded = await db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock(hashtext($1))', [`netskope-events:${options.appName}`]);
    const known = await recordedIds(tx, options.appName, since);
    const fresh = new Map<string, NetskopeAuditEvent>();
    for (const event of read) if (!known.has(event._id) && !fresh.has(event._id)) fresh.set(event._id, event);
    // Oldest first, so the trail's own order follows Netskope's.
    const ordered = [...fresh.values()].sort((a, b) => a.timestamp - b.timestamp || a._id.localeCompare(b._id));
    for (let i = 0; i < ordered.length; i += 1000) await recordAudit(tx, ordered.slice(i, i + 1000).map((e) => auditInputFor(e, options.appName)));
    await recordAudit(tx, {
      actor: 'system',
      action: NETSKOPE_AUDIT_READ_ACTION,
      appName: options.appName,
      detail: { read: read.length, recorded: ordered.length, since, until, requests },
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

/** The newest Netskope event time recorded for this app, epoch seconds. */
async function newestRecordedTimestamp(db: Queryable, appName: string): Promise<number | undefined> {
  const rows = await db.query<{ newest: string | number | null }>(
    `select max((detail->>'timestamp')::double precision) as newest from audit_events where action = $1 and app_name = $2`,
    [NETSKOPE_AUDIT_ACTION, appName],
  );
  const newest = rows[0]?.newest;
  return newest === null || newest === undefined ? undefined : Number(newest);
}

async function recordedIds(db: Queryable, appName: string, since: number): Promise<Set<string>> {
  const rows = await db.query<{ id: string }>(
    `select detail->>'_id' as id from audit_events where action = $1 and app_name = $2 and (detail->>'timestamp')::double precision >= $3`,
    [NETSKOPE_AUDIT_ACTION, appName, since],
  );
  return new Set(rows.map((r) => r.id));
}
