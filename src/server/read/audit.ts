// The trail, searched and paged by id (newest first).
import { redact } from '../../core/redact.ts';
import type { Queryable } from '../../store/database.ts';

export interface AuditSearch {
  action?: string | undefined;
  actor?: string | undefined;
  app?: string | undefined;
  target?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
  before?: number | undefined;
  limit: number;
}

export interface AuditRow {
  id: number;
  at: string;
  actor: string;
  action: string;
  app: string | null;
  target: string | null;
  outcome: string;
  detail: Record<string, unknown>;
}

export async function searchAudit(db: Queryable, q: AuditSearch): Promise<{ events: AuditRow[]; nextBefore: number | null }> {
  const rows = await db.query<{ id: string; at: Date; actor: string; action: string; app_name: string | null; target: string | null; outcome: string; detail: Record<string, unknown> }>(
    `select id, at, actor, action, app_name, target, outcome, detail from audit_events
      where ($1::text is null or starts_with(action, $1)) and ($2::text is null or lower(actor) = lower($2)) and ($3::text is null or app_name = $3)
        and ($4::text is null or target = $4) and ($5::timestamptz is null or at >= $5) and ($6::timestamptz is null or at < $6)
        and ($7::bigint is null or id < $7)
      order by id desc limit $8`,
    [q.action ?? null, q.actor ?? null, q.app ?? null, q.target ?? null, q.since ?? null, q.until ?? null, q.before ?? null, q.limit + 1],
  );
  const events = rows.slice(0, q.limit).map((r) => ({ id: Number(r.id), at: r.at.toISOString(), actor: r.actor, action: r.action, app: r.app_name, target: r.target, outcome: r.outcome, detail: redact(r.detail) as Record<string, unknown> }));
  return { events, nextBefore: rows.length > q.limit ? (events.at(-1)?.id ?? null) : null };
}
