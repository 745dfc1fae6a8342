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

/** The chainer takes this lock, so the chain has one order across processes. */
const chainLock = 7428016;

/**
 * Appends events to the trail; details are redacted on the way in. Writers only insert (no lock
 * is held to commit, so writers never wait on each other); chainAudit then links committed
 * events in batches: each gets its place in the chain, the hash of the one before and its own
 * hash over its content, so an edited, deleted or reordered event breaks the chain (see
 * verifyAudit). Given a Database it runs in a transaction of its own; given a transaction, in
 * that one, and the events are in the trail exactly when that transaction commits.
 */
export async function recordAudit(db: Queryable | Database, events: AuditInput | readonly AuditInput[]): Promise<void> {
  const insert = auditInsert(events);
  if (insert.count === 0) return;
  await db.query(insert.sql(1), [insert.rows]);
}

/**
 * The trail's insert, to be one part of a caller's own statement (a data-modifying CTE): `sql(n,
 * when)` inserts the events passed as parameter $n, only when the condition `when` holds (that
 * the statement's own write happened), so the events are written exactly when that write is.
 */
export interface AuditInsert {
  count: number;
  /** The events, as the statement's parameter. */
  rows: string;
  sql(param: number, when?: string): string;
}

export function auditInsert(events: AuditInput | readonly AuditInput[]): AuditInsert {
  const list = Array.isArray(events) ? events : [events as AuditInput];
  const at = new Date().toISOString();
  const rows = list.map((e, n) => ({ n, at, actor: e.actor, action: e.action, app_name: e.appName ?? null, target: e.target ?? null, outcome: e.outcome ?? 'ok', detail: normalised(redact(e.detail ?? {})) }));
  return {
    count: rows.length,
    rows: JSON.stringify(rows),
    sql: (param, when) => `insert into audit_events (at, actor, action, app_name, target, outcome, detail)
     select x.at, x.actor, x.action, x.app_name, x.target, x.outcome, x.detail
       from jsonb_to_recordset($${param}::jsonb) as x(at timestamptz, actor text, action text, app_name text, target text, outcome text, detail jsonb, n int)
      ${when ? `where ${when}` : ''}
      order by x.n`,
  };
}

interface UnchainedRow extends Omit<EventContent, 'at'> {
  id: number | string;
  at: Date;
}

/**
 * Links committed events not chained yet, oldest first, in batches; answers how many it chained.
 * An event whose transaction commits late is chained after those already chained: its place in
 * the chain (seq) is when it was chained, its id when it was written.
 */
export async function chainAudit(db: Database, batch = 2000): Promise<number> {
  let chained = 0;
  for (;;) {
    const n = await db.transaction(async (tx) => {
      await tx.query('select pg_advisory_xact_lock($1)', [chainLock]);
      const pending = await tx.query<UnchainedRow>('select id, at, actor, action, app_name, target, outcome, detail from audit_events where seq is null order by id limit $1', [batch]);
      if (pending.length === 0) return 0;
      const [head] = await tx.query<{ seq: string | number; hash: string | null }>('select seq, hash from audit_events where seq is not null order by seq desc limit 1');
      let seq = Number(head?.seq ?? 0);
      let prev = head?.hash ?? null;
      const links = pending.map((row) => {
        const hash = eventHash(prev, contentOf(row));
        const link = { id: Number(row.id), seq: (seq += 1), prev_hash: prev, hash };
        prev = hash;
        return link;
      });
      await tx.query(
        `update audit_events e set seq = x.seq, prev_hash = x.prev_hash, hash = x.hash
           from jsonb_to_recordset($1::jsonb) as x(id bigint, seq bigint, prev_hash text, hash text) where e.id = x.id`,
        [JSON.stringify(links)],
      );
      return links.length;
    });
    chained += n;
    if (n < batch) return chained;
  }
}

/**
 * Keeps the trail chained while a process runs: every interval, and at once on stop. Any process
 * may chain any process's events; one that dies leaves its committed events to the next chainer.
 */
export function startAuditChainer(db: Database, intervalMs = 200): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const tick = () => {
    running = chainAudit(db).catch(() => 0);
    return running;
  };
  const timer = setInterval(() => {
    if (!stopped) void running.then(tick);
  }, intervalMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
      await chainAudit(db);
    },
  };
}

const contentOf = (row: UnchainedRow): EventContent => ({ at: new Date(row.at).toISOString(), actor: row.actor, action: row.action, app_name: row.app_name, target: row.target, outcome: row.outcome, detail: row.detail });

interface EventContent {
  at: string;
  actor: string;
  action: string;
  app_name: string | null;
  target: string | null;
  outcome: string;
  detail: Record<string, unknown>;
}

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
  /** Events committed but not chained yet (verify chains what it can first; these came in meanwhile). */
  pending: number;
  /** The hash of the newest event: keep it elsewhere to notice events cut off the end. */
  head: string | null;
  /** The first broken link, if any. */
  broken?: { id: number; problem: string } | undefined;
}

/**
 * Walks the whole trail in chain order and names the first event whose link does not hold.
 * Given a Database, it first chains every committed event not chained yet.
 */
export async function verifyAudit(db: Queryable | Database, pageSize = 2000): Promise<AuditVerification> {
  if ('transaction' in db) await chainAudit(db);
  const [waiting] = await db.query<{ n: number }>('select count(*)::int as n from audit_events where seq is null');
  const pending = Number(waiting?.n ?? 0);
  let verified = 0;
  let unchained = 0;
  let prev: string | null = null;
  let chained = false;
  let prevId = 0;
  const result = (broken?: AuditVerification['broken']): AuditVerification => ({ verified, unchained, pending, head: prev, ...(broken ? { broken } : {}) });
  for (let after = Number.MIN_SAFE_INTEGER; ; ) {
    const rows = await db.query<UnchainedRow & { seq: number | string; prev_hash: string | null; hash: string | null }>(
      'select id, seq, at, actor, action, app_name, target, outcome, detail, prev_hash, hash from audit_events where seq > $1 order by seq limit $2',
      [after, pageSize],
    );
    if (rows.length === 0) return result();
    for (const row of rows) {
      const id = Number(row.id);
      after = Number(row.seq);
      if (row.hash === null) {
        if (chained) return result({ id, problem: `event ${id} has no hash: it was written around the chain, or its hash was removed` });
        unchained += 1;
        prevId = id;
        continue;
      }
      if (row.prev_hash !== prev) {
        const problem = chained
          ? `event ${id} does not follow event ${prevId}: an event between them was deleted, or events were reordered`
          : `event ${id} is the first chained event but names a predecessor: earlier events were deleted`;
        return result({ id, problem });
      }
      if (eventHash(row.prev_hash, contentOf(row)) !== row.hash) return result({ id, problem: `event ${id} was changed after it was written: its content does not match its hash` });
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
