import { randomBytes } from 'node:crypto';
import { Hono, type Context } from 'hono';
import type { SimulatorEnv } from '../shared/server.ts';
import { restError, restJson } from './http.ts';
import type { NetskopeSimulatorSettings } from './settings.ts';

/** One admin audit event as REST API v2 `GET /api/v2/events/data/audit` returns it. */
export interface NetskopeAuditEvent {
  _id: string;
  /** When it happened, epoch seconds. */
  timestamp: number;
  /**
   * When Netskope stored it, epoch seconds: never before `timestamp`, often later (events arrive
   * late). What `insertionstarttime` / `insertionendtime` select on.
   */
  _insertion_epoch_timestamp: number;
  type: string;
  /** The admin (or API) that acted. */
  user: string;
  audit_log_event: string;
  supporting_data: Record<string, unknown>;
  activity: string;
}

export type AuditEventInput = Partial<NetskopeAuditEvent>;

/** The largest `limit` the endpoint takes. */
export const MAX_EVENTS_LIMIT = 5000;
/** What a request without `limit` gets. */
export const DEFAULT_EVENTS_LIMIT = 100;

/** The tenant's admin audit log. */
export class AuditEventLog {
  readonly #events: NetskopeAuditEvent[] = [];

  /**
   * Stores events; anything left out is made up (`_id` random, `timestamp` now). They are stored
   * now: `_insertion_epoch_timestamp` is now unless given, so an event with an old `timestamp` is
   * one that arrived late. Returns them whole.
   */
  add(input: AuditEventInput | readonly AuditEventInput[] = {}): NetskopeAuditEvent[] {
    const list = Array.isArray(input) ? (input as readonly AuditEventInput[]) : [input as AuditEventInput];
    const now = Math.floor(Date.now() / 1000);
    const added = list.map((e) => ({
      _id: e._id ?? randomBytes(12).toString('hex'),
      timestamp: e.timestamp ?? now,
      _insertion_epoch_timestamp: e._insertion_epoch_timestamp ?? Math.max(now, e.timestamp ?? now),
      type: e.type ?? 'admin_audit_logs',
      user: e.user ?? 'admin@example.com',
      audit_log_event: e.audit_log_event ?? 'Edit settings',
      supporting_data: e.supporting_data ?? {},
      activity: e.activity ?? 'Edit',
    }));
    this.#events.push(...added);
    return added;
  }

  /** Every event, in the order added. */
  all(): readonly NetskopeAuditEvent[] {
    return this.#events;
  }

  get size(): number {
    return this.#events.length;
  }

  /** Drops the events `drop` picks (Netskope deletes a user's audit history with the user). */
  removeWhere(drop: (event: NetskopeAuditEvent) => boolean): number {
    const before = this.#events.length;
    const kept = this.#events.filter((e) => !drop(e));
    this.#events.splice(0, this.#events.length, ...kept);
    return before - kept.length;
  }

  clear(): void {
    this.#events.length = 0;
  }
}

class BadQuery extends Error {}

function wholeParam(c: Context, names: string[], min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  for (const name of names) {
    const text = c.req.query(name);
    if (text === undefined || text === '') continue;
    if (!/^\d+$/.test(text.trim())) throw new BadQuery(`'${name}' must be a whole number, got '${text}'`);
    const n = Number(text);
    if (n < min || n > max) throw new BadQuery(`'${name}' must be between ${min} and ${max}, got ${n}`);
    return n;
  }
  return undefined;
}

type Condition = { field: string; op: 'eq' | 'ne' | 'like'; value: string };

/** `field eq 'v' and field2 like 'x'` — the subset of Netskope's query language the simulator takes. */
export function parseEventQuery(text: string): Condition[] {
  const parts = text.split(/\s+and\s+/i);
  return parts.map((part) => {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_.]*)\s+(eq|ne|like)\s+(?:'([^']*)'|"([^"]*)"|(\S+))\s*$/i.exec(part);
    if (!m?.[1] || !m[2]) throw new BadQuery(`cannot read the query '${text}'; write field eq 'value' [and ...]`);
    return { field: m[1], op: m[2].toLowerCase() as Condition['op'], value: m[3] ?? m[4] ?? m[5] ?? '' };
  });
}

function fieldOf(event: NetskopeAuditEvent, path: string): string {
  let value: unknown = event;
  for (const key of path.split('.')) value = value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  return value === undefined || value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function matches(event: NetskopeAuditEvent, conditions: readonly Condition[]): boolean {
  return conditions.every(({ field, op, value }) => {
    const actual = fieldOf(event, field);
    if (op === 'eq') return actual === value;
    if (op === 'ne') return actual !== value;
    return actual.toLowerCase().includes(value.toLowerCase());
  });
}

/**
 * `GET /api/v2/events/data/audit`: `limit` (1–5000, default 100), `offset` (alias `skip`),
 * `starttime` / `endtime` (event time, epoch seconds, both inclusive), `insertionstarttime` /
 * `insertionendtime` (the time Netskope stored the event, likewise), `query`. Pages are
 * `{"ok":1,"result":[…]}`. SCIM paging (`startIndex`, `count`) is not understood: a request that
 * pages that way and not with limit/offset gets an empty result and no error, as the real one does.
 */
export function auditEventRoutes(log: AuditEventLog, settings: NetskopeSimulatorSettings): Hono<SimulatorEnv> {
  const app = new Hono<SimulatorEnv>();
  app.get('/', (c) => {
    try {
      const limit = wholeParam(c, ['limit'], 1, MAX_EVENTS_LIMIT);
      const offset = wholeParam(c, ['offset', 'skip'], 0) ?? 0;
      const start = wholeParam(c, ['starttime'], 0);
      const end = wholeParam(c, ['endtime'], 0);
      const insertedFrom = wholeParam(c, ['insertionstarttime'], 0);
      const insertedTo = wholeParam(c, ['insertionendtime'], 0);
      const queryText = c.req.query('query');
      const conditions = queryText?.trim() ? parseEventQuery(queryText) : [];
      const scimPaging = (c.req.query('startIndex') !== undefined || c.req.query('count') !== undefined) && limit === undefined && c.req.query('offset') === undefined && c.req.query('skip') === undefined;
      if (scimPaging) return restJson({ ok: 1, result: [] });
      const inserted = (e: NetskopeAuditEvent) => (insertedFrom === undefined || e._insertion_epoch_timestamp >= insertedFrom) && (insertedTo === undefined || e._insertion_epoch_timestamp <= insertedTo);
      const picked = log.all().filter((e) => (start === undefined || e.timestamp >= start) && (end === undefined || e.timestamp <= end) && inserted(e) && matches(e, conditions));
      const sign = settings.eventsOrder === 'newest-first' ? -1 : 1;
      // Stable within one timestamp (the order added), so limit/offset pages neither skip nor repeat.
      const ordered = picked.map((e, i) => ({ e, i })).sort((a, b) => sign * (a.e.timestamp - b.e.timestamp) || sign * (a.i - b.i));
      const page = ordered.slice(offset, offset + (limit ?? DEFAULT_EVENTS_LIMIT)).map(({ e }) => e);
      return restJson({ ok: 1, result: page });
    } catch (error) {
      if (error instanceof BadQuery) return restError(400, [error.message], 'Invalid Parameter');
      throw error;
    }
  });
  return app;
}
