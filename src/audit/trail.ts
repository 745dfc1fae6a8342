import { createHash } from 'node:crypto';
import type { Database, Queryable } from '../store/database.ts';
import { canonical } from '../core/canonical.ts';
import { redact } from '../core/redact.ts';

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

/** Every writer of the trail takes this lock, so the chain has one order across processes. */
const chainLock = 7428016;

interface ChainedRow {
  at: string;
  actor: string;
  action: string;
  app_name: string | null;
  target: string | null;
  outcome: string;
  detail: Record<string, unknown>;
  prev_hash: string | null;
  hash: string;
}

/**
 * Appends events to the trail; details are redacted on the way in. Each event carries the hash
 * of the one before and its own hash over its content, so an edited, deleted or reordered event
 * breaks the chain (see verifyAudit). Given a Database it runs in a transaction of its own; given
 * a transaction, in that one.
 */
export async function recordAudit(db: Queryable | Database, events: AuditInput | readonly AuditInput[]): Promise<void> {
  const list = Array.isArray(events) ? events : [events as AuditInput];
  if (list.length === 0) return;
  if ('transaction' in db) return db.transaction((tx) => appendChained(tx, list));
  return appendChained(db, list);
}

async function appendChained(tx: Queryable, list: readonly AuditInput[]): Promise<void> {
  await tx.query('select pg_advisory_xact_lock($1)', [chainLock]);
  const [last] = await tx.query<{ hash: string | null }>('select hash from audit_events order by id desc limit 1');
  let prev = last?.hash ?? null;
  const at = new Date().toISOString();
  const rows: (ChainedRow & { n: number })[] = [];
  for (const e of list) {
    const content = { at, actor: e.actor, action: e.action, app_name: e.appName ?? null, target: e.target ?? null, outcome: e.outcome ?? 'ok', detail: normalised(redact(e.detail ?? {})) };
    const hash = eventHash(prev, content);
    rows.push({ ...content, prev_hash: prev, hash, n: rows.length });
    prev = hash;
  }
  await tx.query(
    `insert into audit_events (at, actor, action, app_name, target, outcome, detail, prev_hash, hash)
     select x.at, x.actor, x.action, x.app_name, x.target, x.outcome, x.detail, x.prev_hash, x.hash
       from jsonb_to_recordset($1::jsonb) as x(at timestamptz, actor text, action text, app_name text, target text, outcome text, detail jsonb, prev_hash text, hash text, n int)
      order by x.n`,
    [JSON.stringify(rows)],
  );
}

type EventContent = Omit<ChainedRow, 'prev_hash' | 'hash'>;

function eventHash(prev: string | null, content: EventContent): string {
  return createHash('sha256').update(canonical([prev, content.at, content.actor, content.action, content.app_name, content.target, content.outcome, content.detail])).digest('hex');
}

/** The value as it comes back from a jsonb column: plain JSON, no undefined, no Dates. */
function normalised(value: unknown): Record<string, unknown> {
  return JSON.parse(JSON.stringify(value ?? {})) as Record<string, unknown>;
}

export interface AuditVerification {
  /** Events whose links all hold. */
  verified: number;
  /** Events written before the trail was chained (nothing to check them against). */
  unchained: number;
  /** The hash of the newest event: keep it elsewhere to notice events cut off the end. */
  head: string | null;
  /** The first broken link, if any. */
  broken?: { id: number; problem: string } | undefined;
}

/** Walks the whole trail in order and names the first event whose link does not hold. */
export async function verifyAudit(db: Queryable, pageSize = 2000): Promise<AuditVerification> {
  let verified = 0;
  let unchained = 0;
  let prev: string | null = null;
  let chained = false;
  let prevId = 0;
  for (let after = 0; ; ) {
    const rows = await db.query<{ id: number | string; at: Date; actor: string; action: string; app_name: string | null; target: string | null; outcome: string; detail: Record<string, unknown>; prev_hash: string | null; hash: string | null }>(
      'select id, at, actor, action, app_name, target, outcome, detail, prev_hash, hash from audit_events where id > $1 order by id limit $2',
      [after, pageSize],
    );
    if (rows.length === 0) return { verified, unchained, head: prev };
    for (const row of rows) {
      const id = Number(row.id);
      after = id;
      if (row.hash === null) {
        if (chained) return { verified, unchained, head: prev, broken: { id, problem: `event ${id} has no hash: it was written around the chain, or its hash was removed` } };
        unchained += 1;
        prevId = id;
        continue;
      }
      if (row.prev_hash !== prev) {
        const problem = chained
          ? `event ${id} does not follow event ${prevId}: an event between them was deleted, or events were reordered`
          : `event ${id} is the first chained event but names a predecessor: earlier events were deleted`;
        return { verified, unchained, head: prev, broken: { id, problem } };
      }
      const content: EventContent = { at: new Date(row.at).toISOString(), actor: row.actor, action: row.action, app_name: row.app_name, target: row.target, outcome: row.outcome, detail: row.detail };
      if (eventHash(row.prev_hash, content) !== row.hash) return { verified, unchained, head: prev, broken: { id, problem: `event ${id} was changed after it was written: its content does not match its hash` } };
      chained = true;
      prev = row.hash;
      prevId = id;
      verified += 1;
    }
  }
}

export interface AuditQuery {
  action?: string | undefined;
  appName?: string | undefined;
  actor?: string | undefined;
  target?: string | undefined;
  since?: Date | undefined;
  limit?: number | undefined;
}

/** Newest first. `action` matches a prefix: `sync` finds sync.started, sync.completed, ... */
export async function queryAudit(db: Queryable, query: AuditQuery = {}): Promise<AuditEvent[]> {
  const rows = await db.query<{ id: number; at: Date; actor: string; action: string; app_name: string | null; target: string | null; outcome: AuditEvent['outcome']; detail: Record<string, unknown> }>(
    `select * from audit_events
      where ($1::text is null or starts_with(action, $1)) and ($2::text is null or app_name = $2)
        and ($3::text is null or actor = $3) and ($4::timestamptz is null or at >= $4) and ($6::text is null or target = $6)
      order by id desc limit $5`,
    [query.action ?? null, query.appName ?? null, query.actor ?? null, query.since ?? null, query.limit ?? 100, query.target ?? null],
  );
  return rows.map((r) => ({ id: Number(r.id), at: r.at, actor: r.actor, action: r.action, appName: r.app_name, target: r.target, outcome: r.outcome, detail: r.detail }));
}
