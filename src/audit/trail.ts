// The audit trail: what roster, and the people and agents using it, did. Tamper-evident, in three
// tables. audit_events holds the events and is only ever inserted into. audit_unchained queues the
// events committed but not chained yet: a trigger on audit_events fills it in the statement that
// inserts the events, whoever inserts them. audit_chain holds one link per chained event (its place
// in the chain, seq; the hash of the link before; its own hash over that and the event's content),
// appended by the chainer only. Both audit_events and audit_chain refuse updates and deletes, so
// changing either takes switching their triggers off, and verifyAudit names the first event an
// edit, a deletion, a reordering or an event written around the chain broke.
import { createHash } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Database, Queryable } from '../store/database.ts';
import { canonical } from '../core/canonical.ts';
import { redact } from '../core/redact.ts';
import { runEvery } from '../periodic.ts';

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

/**
 * Appends events to the trail; details are redacted on the way in. Writers only insert, into
 * audit_events (no lock is held to commit, so writers never wait on each other), and the insert's
 * trigger queues the events in audit_unchained; chainAudit then links committed events in
 * batches, appending a link for each to audit_chain: its place in the chain, the hash of the one
 * before and its own hash over its content, so an edited, deleted or reordered event breaks the
 * chain (see verifyAudit). Given a Database it runs in a transaction of its own; given a
 * transaction, in that one, and the events are in the trail, queued, exactly when that
 * transaction commits.
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
 * The trigger on audit_events queues them for the chainer within that same statement.
 */
export interface AuditInsert {
  count: number;
  /** The events, as the statement's parameter (made when asked for). */
  readonly rows: string;
  /** The same events, for a statement that logs several writes (`auditInsertOfWrites`). */
  events: readonly object[];
  sql(param: number, when?: string): string;
}

export function auditInsert(events: AuditInput | readonly AuditInput[]): AuditInsert {
  const list = Array.isArray(events) ? events : [events as AuditInput];
  const at = new Date().toISOString();
  const rows = list.map((e, n) => ({ n, at, actor: e.actor, action: e.action, app_name: e.appName ?? null, target: e.target ?? null, outcome: e.outcome ?? 'ok', detail: normalised(redact(e.detail ?? {})) }));
  return {
    count: rows.length,
    get rows() {
      return JSON.stringify(rows);
    },
    events: rows,
    sql: (param, when) => `insert into audit_events (at, actor, action, app_name, target, outcome, detail)
     select x.at, x.actor, x.action, x.app_name, x.target, x.outcome, x.detail
       from jsonb_to_recordset($${param}::jsonb) as x(at timestamptz, actor text, action text, app_name text, target text, outcome text, detail jsonb, n int)
      ${when ? `where ${when}` : ''}
      order by x.n`,
  };
}

/**
 * The trail's insert for a statement that makes several writes, each with its own events: the
 * events of every write, as `writesAudit` makes them, are parameter $param; only those of the
 * writes that happened (the values of column `w` in the statement's CTE `done`) are inserted, in
 * the order of the writes.
 */
export function auditInsertOfWrites(param: number, done: string): string {
  return `insert into audit_events (at, actor, action, app_name, target, outcome, detail)
     select x.at, x.actor, x.action, x.app_name, x.target, x.outcome, x.detail
       from jsonb_to_recordset($${param}::jsonb) as x(at timestamptz, actor text, action text, app_name text, target text, outcome text, detail jsonb, n int, w int)
      where x.w in (select w from ${done})
      order by x.w, x.n`;
}

/** The events of several writes, each tagged with its write's place (w), as one parameter for `auditInsertOfWrites`. */
export function writesAudit(inserts: readonly AuditInsert[]): string {
  return JSON.stringify(inserts.flatMap((insert, w) => insert.events.map((event) => ({ ...event, w }))));
}

interface UnchainedRow extends Omit<EventContent, 'at'> {
  id: number | string;
  at: Date;
}

/** A queued event, with its content; `present` is false when the event is no longer in the trail. */
interface QueuedRow extends Omit<UnchainedRow, 'id'> {
  event_id: number | string;
  present: boolean;
  chained: boolean;
}

/** The chain's last link. */
const chainHead = 'select seq, hash from audit_chain order by seq desc limit 1';

/**
 * The next $1 queued events, oldest first, with their content and the chain's head, in one
 * statement (one snapshot). Each is looked up by its id (the lateral limit keeps the planner from
 * joining): joined, the trail was read from its first event on, whatever the queue held.
 */
export const queuedEvents = `with head as (${chainHead}),
       queue as materialized (select event_id from audit_unchained order by event_id limit $1)
       select q.event_id, e.id is not null as present,
              (select true from audit_chain c where c.event_id = q.event_id limit 1) is not null as chained,
              e.at, e.actor, e.action, e.app_name, e.target, e.outcome, e.detail,
              (select seq from head) as head_seq, (select hash from head) as head_hash
         from queue q
         left join lateral (select * from audit_events e where e.id = q.event_id limit 1) e on true
        order by q.event_id`;

/**
 * Links committed events not chained yet, oldest first, in batches; answers how many it chained.
 * Each batch is one statement: it takes events off the queue (audit_unchained) and appends their
 * links to audit_chain after its head. An event whose transaction commits late is chained after
 * those already chained: its place in the chain (seq) is when it was chained, its id when it was
 * written. A queue row whose event is no longer in the trail (deleted around the append-only
 * trigger before it was chained) or is already chained is dropped, so it cannot hold the chain up.
 * Such a deletion leaves no link behind for verifyAudit to find: the chain vouches for an event
 * from when it is chained.
 */
export async function chainAudit(db: Queryable, batch = 500): Promise<number> {
  let chained = 0;
  for (;;) {
    // The queue and the chain's head are read in one statement (one snapshot), and the batch hashed outside any
    // transaction: on the embedded database a transaction holds up every other statement, and
    // hashing 500 events takes milliseconds. The links are written only if the head is still the
    // one they were hashed from; else read again.
    const queued = await db.query<QueuedRow & { head_seq: string | number | null; head_hash: string | null }>(queuedEvents, [batch]);
    const first = queued[0];
    const head = first?.head_hash ? { seq: Number(first.head_seq), hash: first.head_hash } : undefined;
    if (queued.length === 0) return chained;
    const links = await linksFor(queued, head);
    if (!(await appendLinks(db, links, queued, head))) continue;
    chained += links.length;
    if (queued.length < batch) return chained;
  }
}

interface ChainHead {
  seq: number;
  hash: string;
}

/**
 * Appends the links after head and takes the batch off the queue, in one statement, only if head
 * is still the chain's head; answers whether it did. One statement, not a transaction: on the
 * embedded database a transaction holds every other statement up for as long as its round trips
 * take. Two chainers that read the same head both write a link at head's seq + 1 (or the same
 * event's link): the chain's keys let one in and make the other fail whole, and it reads again.
 */
async function appendLinks(db: Queryable, links: readonly Link[], queued: readonly QueuedRow[], head: ChainHead | undefined): Promise<boolean> {
  try {
    const [result] = await db.query<{ written: boolean }>(
      `with head as (${chainHead}),
       unmoved as (select where (select seq from head) is not distinct from $3::bigint and (select hash from head) is not distinct from $4::text),
       linked as (
         insert into audit_chain (seq, event_id, prev_hash, hash)
         select x.seq, x.event_id, x.prev_hash, x.hash
           from jsonb_to_recordset($1::jsonb) as x(seq bigint, event_id bigint, prev_hash text, hash text)
          where exists (select from unmoved)
          order by x.seq),
       dequeued as (delete from audit_unchained where event_id = any($2::bigint[]) and exists (select from unmoved))
       select exists (select from unmoved) as written`,
      [JSON.stringify(links), queued.map((row) => Number(row.event_id)), head?.seq ?? null, head?.hash ?? null],
    );
    return result?.written === true;
  } catch (error) {
    if ((error as { code?: string }).code === '23505') return false;
    throw error;
  }
}

interface Link {
  seq: number;
  event_id: number;
  prev_hash: string | null;
  hash: string;
}

/** The links that chain these queued events after head (those gone from the trail, or chained already, get none). */
async function linksFor(queued: readonly QueuedRow[], head: ChainHead | undefined): Promise<Link[]> {
  let seq = head?.seq ?? 0;
  let prev = head?.hash ?? null;
  const links: Link[] = [];
  // Hashing a batch takes milliseconds of the process's one thread; in slices, requests served
  // by the same process are answered in between rather than after it.
  let slice = performance.now();
  for (const row of queued) {
    if (!row.present || row.chained) continue;
    const hash = eventHash(prev, contentOf({ ...row, id: row.event_id }));
    links.push({ seq: (seq += 1), event_id: Number(row.event_id), prev_hash: prev, hash });
    prev = hash;
    if (performance.now() - slice > 1) {
      await nextTurn();
      slice = performance.now();
    }
  }
  return links;
}

/**
 * Keeps the trail chained while a process runs: every interval, and at once on stop. Any process
 * may chain any process's events; one that dies leaves its committed events to the next chainer.
 * It chains in batches of 100: each batch's read and write hold the embedded database for about
 * a millisecond, where 500 held it for 4-5 ms each, long enough to show in the p99 of the requests
 * that wait behind them (PATCH at 2,000 req/s: p99 33-39 ms with 500, 20-28 ms with 100).
 */
export function startAuditChainer(db: Database, intervalMs = 200, batch = 100): { stop(): Promise<void> } {
  const chaining = runEvery(intervalMs, () => chainAudit(db, batch));
  return {
    async stop() {
      await chaining.stop();
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

interface LinkRow extends Omit<QueuedRow, 'chained'> {
  seq: number | string;
  prev_hash: string | null;
  hash: string;
}

/** The next $2 links after seq $1, in chain order, each with its event (looked up by id, as in queuedEvents). */
export const chainPage = `select c.seq, c.event_id, c.prev_hash, c.hash, e.id is not null as present,
       e.at, e.actor, e.action, e.app_name, e.target, e.outcome, e.detail
  from (select * from audit_chain where seq > $1 order by seq limit $2) c
  left join lateral (select * from audit_events e where e.id = c.event_id limit 1) e on true
 order by c.seq`;

/**
 * Walks the whole chain in order and names the first event whose link does not hold: an event
 * edited (its content does not match its hash), deleted (its link is left, or the next link does
 * not follow the one before), or reordered. Then an event written around the chain: one neither
 * chained nor queued, newer than the first chained event (older ones predate the chain). Given a
 * Database, it first chains every committed event not chained yet.
 */
export async function verifyAudit(db: Queryable | Database, pageSize = 2000): Promise<AuditVerification> {
  if ('transaction' in db) await chainAudit(db);
  const [waiting] = await db.query<{ n: number }>('select count(*)::int as n from audit_unchained');
  const pending = Number(waiting?.n ?? 0);
  // One statement, so one snapshot: an event is queued in the statement that inserts it and taken
  // off the queue in the transaction that chains it, so a committed event is always in one of the two.
  const [outside] = await db.query<{ legacy: number; around: number | string | null }>(
    `with first as (select min(event_id) as id from audit_chain)
     select count(*) filter (where first.id is null or e.id < first.id)::int as legacy,
            min(e.id) filter (where e.id > first.id) as around
       from audit_events e cross join first
      where not exists (select 1 from audit_chain c where c.event_id = e.id)
        and not exists (select 1 from audit_unchained u where u.event_id = e.id)`,
  );
  const unchained = Number(outside?.legacy ?? 0);
  let verified = 0;
  let prev: string | null = null;
  let prevId = 0;
  const result = (broken?: AuditVerification['broken']): AuditVerification => ({ verified, unchained, pending, head: prev, ...(broken ? { broken } : {}) });
  for (let after = Number.MIN_SAFE_INTEGER; ; ) {
    const rows = await db.query<LinkRow>(chainPage, [after, pageSize]);
    if (rows.length === 0) break;
    for (const row of rows) {
      const id = Number(row.event_id);
      after = Number(row.seq);
      if (row.prev_hash !== prev) {
        const problem =
          verified > 0
            ? `event ${id} does not follow event ${prevId}: an event between them was deleted, or events were reordered`
            : `event ${id} is the first chained event but names a predecessor: earlier events were deleted`;
        return result({ id, problem });
      }
      if (!row.present) return result({ id, problem: `event ${id} was deleted: its link is in the chain but the event is not in the trail` });
      if (eventHash(row.prev_hash, contentOf({ ...row, id })) !== row.hash) return result({ id, problem: `event ${id} was changed after it was written: its content does not match its hash` });
      prev = row.hash;
      prevId = id;
      verified += 1;
    }
  }
  if (outside?.around !== null && outside?.around !== undefined) {
    const id = Number(outside.around);
    return result({ id, problem: `event ${id} is neither chained nor queued: it was written around the chain, or its link was removed` });
  }
  return result();
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
