import { z } from 'zod';
import { RosterError } from '../../errors.ts';
import { httpSettings, type ConnectorOptions } from '../connector.ts';
import type { AppEventSource } from '../events.ts';
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

/** The audit trail's action for one Netskope admin audit event. */
export const NETSKOPE_AUDIT_ACTION = 'netskope.audit_event';
/** The audit trail's action summarising one read of the events. */
export const NETSKOPE_AUDIT_READ_ACTION = 'netskope.audit_read';
/** Who the trail says did it. */
export const NETSKOPE_ACTOR = 'app:netskope';

/**
 * Netskope's REST API v2 admin audit events: `GET /api/v2/events/data/audit`, paged by
 * limit/offset. As an AppEventSource, the engine reads them into roster's trail after each sync.
 */
export class NetskopeEventsClient implements AppEventSource {
  readonly action = NETSKOPE_AUDIT_ACTION;
  readonly readAction = NETSKOPE_AUDIT_READ_ACTION;
  readonly actor = NETSKOPE_ACTOR;
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

  /** By insertion time: an event Netskope stored late still falls in a later window. */
  read(since: number, until: number): AsyncIterable<NetskopeAuditEvent[]> {
    return this.readAuditEvents(since, { until, by: 'insertion' });
  }

  async close(): Promise<void> {
    await this.http.close();
  }
}

