import type { Queryable } from '../store/database.ts';
import { redact } from './redact.ts';

/** Who or what asked: `operator:<name>`, `idp:<name>`, `agent:<name>`, or `system`. */
export type Actor = string;

export interface AuditInput {
  actor: Actor;
  action: string;
  appName?: string | undefined;
  target?: string | undefined;
  outcome?: 'ok' | 'failed' | 'retried' | undefined;
  detail?: Record<string, unknown> | undefined;
}

export interface AuditEvent extends Required<Omit<AuditInput, 'appName' | 'target'>> {
  id: number;
  at: Date;
  appName: string | null;
  target: string | null;
}

/** Appends events to the trail in one statement; details are redacted on the way in. */
export async function recordAudit(db: Queryable, events: AuditInput | readonly AuditInput[]): Promise<void> {
  const list = Array.isArray(events) ? events : [events as AuditInput];
  if (list.length === 0) return;
  const rows = list.map((e) => ({ actor: e.actor, action: e.action, app_name: e.appName ?? null, target: e.target ?? null, outcome: e.outcome ?? 'ok', detail: redact(e.detail ?? {}) }));
  await db.query(
    `insert into audit_events (actor, action, app_name, target, outcome, detail)
     select x.actor, x.action, x.app_name, x.target, x.outcome, x.detail from jsonb_to_recordset($1::jsonb) as x(actor text, action text, app_name text, target text, outcome text, detail jsonb)`,
    [JSON.stringify(rows)],
  );
}

export interface AuditQuery {
  action?: string | undefined;
  appName?: string | undefined;
  actor?: string | undefined;
  since?: Date | undefined;
  limit?: number | undefined;
}

/** Newest first. `action` matches a prefix: `sync` finds sync.started, sync.completed, ... */
export async function queryAudit(db: Queryable, query: AuditQuery = {}): Promise<AuditEvent[]> {
  const rows = await db.query<{ id: number; at: Date; actor: string; action: string; app_name: string | null; target: string | null; outcome: AuditEvent['outcome']; detail: Record<string, unknown> }>(
    `select * from audit_events
      where ($1::text is null or action like $1 || '%') and ($2::text is null or app_name = $2)
        and ($3::text is null or actor = $3) and ($4::timestamptz is null or at >= $4)
      order by id desc limit $5`,
    [query.action ?? null, query.appName ?? null, query.actor ?? null, query.since ?? null, query.limit ?? 100],
  );
  return rows.map((r) => ({ id: Number(r.id), at: r.at, actor: r.actor, action: r.action, appName: r.app_name, target: r.target, outcome: r.outcome, detail: r.detail }));
}
