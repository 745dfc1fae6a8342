import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { databaseKinds, openTestDatabase } from '../store/testing.ts';
import { Secret } from '../config/secret.ts';
import { chainAudit, chainPage, queryAudit, queuedEvents, recordAudit, verifyAudit } from './trail.ts';
import type { Database } from '../store/database.ts';

for (const kind of databaseKinds) {
  describe(`audit trail on ${kind}`, () => {
    it('records events, newest first, filtered by action prefix, with secrets redacted', async () => {
      const db = await openTestDatabase(kind);
      try {
        await recordAudit(db, { actor: 'operator:alice', action: 'sync.started', appName: 'hr' });
        await recordAudit(db, [
          { actor: 'system', action: 'account.list', appName: 'hr', detail: { request: { headers: { Authorization: 'Bearer abc123' } }, count: 100 } },
          { actor: 'system', action: 'sync.completed', appName: 'hr', detail: { token: new Secret('abc123', 'env:T'), note: 'ok' } },
        ]);
        const events = await queryAudit(db, { action: 'sync' });
        assert.deepEqual(events.map((e) => e.action), ['sync.completed', 'sync.started']);
        assert.equal(events[1]?.actor, 'operator:alice');
        const all = JSON.stringify(await queryAudit(db));
        assert.ok(!all.includes('abc123'), all);
        assert.match(all, /"count":100/);
      } finally {
        await db.close();
      }
    });

    describe('hash chain: roster audit verify names the first broken link', () => {
      async function trailOf(count: number): Promise<Database> {
        const db = await openTestDatabase(kind);
        for (let i = 1; i <= count; i += 1) await recordAudit(db, { actor: 'operator:alice', action: 'plan.created', target: `plan-${i}`, detail: { n: i, nested: { b: 2, a: [1, 'x'] } } });
        assert.equal(await chainAudit(db), count);
        return db;
      }
      /** What someone with the database's own user can do: switch the tables' triggers (append-only, queueing) off. */
      async function tamper(db: Database, tables: readonly string[], sql: string): Promise<void> {
        const triggers = (state: 'disable' | 'enable') => tables.map((table) => `alter table ${table} ${state} trigger user;`).join(' ');
        await db.exec(`${triggers('disable')} ${sql}; ${triggers('enable')}`);
      }
      const ids = async (db: Database) => (await db.query<{ id: number }>('select id from audit_events order by id')).map((r) => Number(r.id));
      const raw = "insert into audit_events (actor, action, detail) values ('operator:mallory', 'plan.created', '{\"n\": 0}')";

      it('an untouched trail verifies whole', async () => {
        const db = await trailOf(5);
        try {
          await recordAudit(db, [{ actor: 'system', action: 'a' }, { actor: 'system', action: 'b', detail: { when: new Date(0), skip: undefined } }]);
          const result = await verifyAudit(db, 3);
          assert.equal(result.broken, undefined);
          assert.equal(result.verified, 7);
          assert.match(result.head ?? '', /^[0-9a-f]{64}$/);
        } finally {
          await db.close();
        }
      });

      it('writers never wait on each other: a transaction that commits late is chained after the events committed before it', async () => {
        const db = await trailOf(2);
        try {
          let release!: () => void;
          const held = new Promise<void>((resolve) => (release = resolve));
          let written!: () => void;
          const inserted = new Promise<void>((resolve) => (written = resolve));
          // PGlite runs one transaction at a time: there the late one simply commits first.
          const late = db.transaction(async (tx) => {
            await recordAudit(tx, { actor: 'system', action: 'late' });
            written();
            await held;
          });
          await inserted;
          if (kind === 'postgres') {
            await recordAudit(db, { actor: 'system', action: 'early' });
            assert.equal(await chainAudit(db), 1, 'only the committed event is chained');
          }
          release();
          await late;
          if (kind === 'pglite') await recordAudit(db, { actor: 'system', action: 'early' });
          const result = await verifyAudit(db);
          assert.equal(result.broken, undefined);
          assert.equal(result.verified, 4);
          assert.equal(result.pending, 0);
          const order = await db.query<{ action: string }>('select e.action from audit_chain c join audit_events e on e.id = c.event_id order by c.seq');
          assert.deepEqual(order.map((r) => r.action).slice(2), kind === 'postgres' ? ['early', 'late'] : ['late', 'early']);
          // Chained once, never again: neither a link nor an event can be changed through the triggers.
          await assert.rejects(db.query("update audit_chain set hash = 'x' where event_id = (select id from audit_events where action = 'late')"), /append-only/);
          await assert.rejects(db.query("update audit_events set detail = '{}' where action = 'early'"), /append-only/);
          await assert.rejects(db.query("delete from audit_chain where event_id = (select id from audit_events where action = 'early')"), /append-only/);
          await assert.rejects(db.query('truncate audit_chain'), /append-only/);
        } finally {
          await db.close();
        }
      });

      it('many writers at once leave one unbroken chain', async () => {
        const db = await trailOf(1);
        try {
          await Promise.all(Array.from({ length: 40 }, (_, i) => recordAudit(db, [{ actor: `system:${i}`, action: 'a' }, { actor: `system:${i}`, action: 'b' }])));
          const chaining = Promise.all([chainAudit(db, 7), chainAudit(db, 5)]);
          await chaining;
          const result = await verifyAudit(db);
          assert.equal(result.broken, undefined);
          assert.equal(result.verified, 81);
        } finally {
          await db.close();
        }
      });

      it('a batch hashed in slices, while events keep coming and another chainer waits, leaves one unbroken chain', async () => {
        const db = await trailOf(1);
        try {
          const detail = { note: 'x'.repeat(400), list: Array.from({ length: 20 }, (_, i) => ({ i })) };
          await recordAudit(db, Array.from({ length: 1500 }, (_, i) => ({ actor: 'system:bulk', action: 'bulk', detail: { ...detail, i } })));
          const arriving = Promise.all(Array.from({ length: 20 }, (_, i) => recordAudit(db, { actor: 'system:late', action: 'late', detail: { i } })));
          const chained = await Promise.all([chainAudit(db), chainAudit(db), arriving.then(() => chainAudit(db))]);
          const result = await verifyAudit(db);
          assert.equal(result.broken, undefined);
          assert.equal(result.verified, 1 + 1500 + 20);
          assert.equal(chained.reduce((a, b) => a + b, 0), 1500 + 20);
        } finally {
          await db.close();
        }
      });

      it('a chainer whose batch another chainer linked while it was hashing writes nothing, and chains what is left', async () => {
        const db = await trailOf(1);
        try {
          await recordAudit(db, Array.from({ length: 30 }, (_, i) => ({ actor: 'system', action: 'queued', detail: { i } })));
          let other: Promise<number> | undefined;
          // The first chainer has read and hashed its batch; before it writes, a second chainer links
          // the same events (and, after it, more arrive).
          const racing: Database = {
            ...db,
            query: async (sql, params) => {
              if (sql.includes('insert into audit_chain')) {
                other ??= chainAudit(db).then(async (n) => (await recordAudit(db, { actor: 'system', action: 'after' }), n));
                await other;
              }
              return db.query(sql, params);
            },
          };
          const first = await chainAudit(racing, 100);
          assert.equal(await other, 30);
          assert.equal(first, 1, 'only the event that came after the other chainer is chained by the first');
          const result = await verifyAudit(db);
          assert.equal(result.broken, undefined);
          assert.equal(result.verified, 1 + 30 + 1);
        } finally {
          await db.close();
        }
      });

      it('a chainer whose links collide with those of another chainer still writing fails whole, then finds the queue done', async () => {
        const db = await trailOf(1);
        try {
          await recordAudit(db, Array.from({ length: 10 }, (_, i) => ({ actor: 'system', action: 'queued', detail: { i } })));
          let second: Promise<number> | undefined;
          let firstChained = 0;
          // The first chainer links the batch in a transaction left open; the second reads the same
          // head meanwhile and writes the same links, which wait on the first's keys (on the embedded
          // database, the whole statement waits for the transaction).
          await db.transaction(async (tx) => {
            firstChained = await chainAudit(tx);
            second = chainAudit(db);
            await new Promise((resolve) => setTimeout(resolve, 100));
          });
          assert.equal(firstChained, 10);
          assert.equal(await second, 0);
          const result = await verifyAudit(db);
          assert.equal(result.broken, undefined);
          assert.equal(result.verified, 11);
          assert.equal(result.pending, 0);
        } finally {
          await db.close();
        }
      });

      it('chaining a batch, and verifying a page, read only that batch or page of the trail, however long the trail is', async () => {
        const db = await trailOf(1);
        try {
          for (let i = 0; i < 6; i += 1) await recordAudit(db, Array.from({ length: 500 }, (_, n) => ({ actor: 'system', action: 'bulk', detail: { n } })));
          await chainAudit(db);
          await recordAudit(db, Array.from({ length: 50 }, (_, n) => ({ actor: 'system', action: 'late', detail: { n } })));
          await db.exec('analyze');
          /** Rows the statement read from each table, from its plan as run. */
          const rowsRead = async (sql: string, params: unknown[]): Promise<Map<string, number>> => {
            const [row] = await db.query<Record<string, unknown>>(`explain (analyze, format json) ${sql}`, params);
            const read = new Map<string, number>();
            const walk = (node: Record<string, unknown>): void => {
              const table = node['Relation Name'];
              if (typeof table === 'string') read.set(table, (read.get(table) ?? 0) + Number(node['Actual Rows']) * Number(node['Actual Loops']));
              for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) walk(child);
            };
            const plan = Object.values(row ?? {})[0];
            walk((typeof plan === 'string' ? JSON.parse(plan) : plan)[0].Plan);
            return read;
          };
          const queued = await rowsRead(queuedEvents, [20]);
          assert.ok((queued.get('audit_events') ?? 0) <= 20, `the chainer read ${queued.get('audit_events')} events for a batch of 20`);
          const page = await rowsRead(chainPage, [1000, 20]);
          assert.ok((page.get('audit_events') ?? 0) <= 20, `verify read ${page.get('audit_events')} events for a page of 20`);
          assert.ok((page.get('audit_chain') ?? 0) <= 20, `verify read ${page.get('audit_chain')} links for a page of 20`);
          assert.equal(await chainAudit(db, 20), 50);
          assert.equal((await verifyAudit(db, 20)).verified, 1 + 3000 + 50);
        } finally {
          await db.close();
        }
      });

      it('an edited event is named', async () => {
        const db = await trailOf(5);
        try {
          const [, , third] = await ids(db);
          await tamper(db, ['audit_events'], `update audit_events set detail = '{"n": 99}' where id = ${third}`);
          const result = await verifyAudit(db);
          assert.equal(result.broken?.id, third);
          assert.match(result.broken?.problem ?? '', /changed after it was written/);
          assert.equal(result.verified, 2);
        } finally {
          await db.close();
        }
      });

      it('an event deleted alone is named at its own id: its link is left in the chain', async () => {
        const db = await trailOf(5);
        try {
          const [, second] = await ids(db);
          await tamper(db, ['audit_events'], `delete from audit_events where id = ${second}`);
          const result = await verifyAudit(db);
          assert.equal(result.broken?.id, second);
          assert.equal(result.broken?.problem, `event ${second} was deleted: its link is in the chain but the event is not in the trail`);
          assert.equal(result.verified, 1);
        } finally {
          await db.close();
        }
      });

      it('an event deleted with its link is found at the event after it', async () => {
        const db = await trailOf(5);
        try {
          const [first, second, third] = await ids(db);
          await tamper(db, ['audit_events', 'audit_chain'], `delete from audit_events where id = ${second}; delete from audit_chain where event_id = ${second}`);
          const result = await verifyAudit(db);
          assert.equal(result.broken?.id, third);
          assert.equal(result.broken?.problem, `event ${third} does not follow event ${first}: an event between them was deleted, or events were reordered`);
          assert.equal(result.verified, 1);
        } finally {
          await db.close();
        }
      });

      it('the first event deleted with its link is found: the new first link names a predecessor', async () => {
        const db = await trailOf(3);
        try {
          const [first, second] = await ids(db);
          await tamper(db, ['audit_events', 'audit_chain'], `delete from audit_events where id = ${first}; delete from audit_chain where event_id = ${first}`);
          const result = await verifyAudit(db);
          assert.equal(result.broken?.id, second);
          assert.match(result.broken?.problem ?? '', /earlier events were deleted/);
        } finally {
          await db.close();
        }
      });

      it('an event written around the chain (not queued) after chaining began is named', async () => {
        const db = await trailOf(3);
        try {
          await tamper(db, ['audit_events'], raw);
          await recordAudit(db, { actor: 'system', action: 'after' });
          const [, , , around] = await ids(db);
          const result = await verifyAudit(db);
          assert.equal(result.broken?.id, around);
          assert.match(result.broken?.problem ?? '', /written around the chain/);
          assert.equal(result.verified, 4, 'the chain itself holds: the event is simply not in it');
          assert.equal(result.unchained, 0);
        } finally {
          await db.close();
        }
      });

      it('an event whose queue row was removed before it was chained is named', async () => {
        const db = await trailOf(2);
        try {
          await db.query(raw);
          const [, , around] = await ids(db);
          await db.query('delete from audit_unchained where event_id = $1', [around]);
          const result = await verifyAudit(db);
          assert.equal(result.broken?.id, around);
          assert.match(result.broken?.problem ?? '', /written around the chain/);
        } finally {
          await db.close();
        }
      });

      it('events written before the trail was chained are counted, not broken', async () => {
        const db = await openTestDatabase(kind);
        try {
          await tamper(db, ['audit_events'], `${raw}; ${raw}`);
          await recordAudit(db, [{ actor: 'system', action: 'a' }, { actor: 'system', action: 'b' }]);
          const result = await verifyAudit(db);
          assert.equal(result.broken, undefined);
          assert.equal(result.unchained, 2);
          assert.equal(result.verified, 2);
        } finally {
          await db.close();
        }
      });

      it('every insert is queued and chained, raw SQL included', async () => {
        const db = await trailOf(1);
        try {
          await db.query(raw);
          await db.query("insert into audit_events (actor, action, detail) select 'system', 'bulk.' || n, '{}' from generate_series(1, 3) n");
          const [queued] = await db.query<{ n: number }>('select count(*)::int as n from audit_unchained');
          assert.equal(queued?.n, 4, 'one queue row per inserted event');
          assert.equal((await verifyAudit(db, 1000)).pending, 0);
          assert.equal(await chainAudit(db), 0, 'verify chained them already');
          const result = await verifyAudit(db);
          assert.equal(result.broken, undefined);
          assert.equal(result.verified, 5);
          assert.equal(result.pending, 0);
        } finally {
          await db.close();
        }
      });

      it('a queued event that is no longer in the trail does not hold the chain up', async () => {
        const db = await trailOf(2);
        try {
          await recordAudit(db, [{ actor: 'system', action: 'gone' }, { actor: 'system', action: 'kept' }]);
          // Deleted before it was chained: it never had a link, so the chain has nothing to say about it.
          await tamper(db, ['audit_events'], "delete from audit_events where action = 'gone'");
          await recordAudit(db, { actor: 'system', action: 'later' });
          // A queue row for an event already chained, too.
          await db.query('insert into audit_unchained (event_id) select min(id) from audit_events');
          assert.equal(await chainAudit(db, 1), 2, 'kept and later, one batch at a time');
          const [queued] = await db.query<{ n: number }>('select count(*)::int as n from audit_unchained');
          assert.equal(queued?.n, 0);
          const result = await verifyAudit(db);
          assert.equal(result.broken, undefined);
          assert.equal(result.verified, 4);
        } finally {
          await db.close();
        }
      });

      it('a chain made before verifies whole after more events are chained onto it', async () => {
        const db = await trailOf(3);
        try {
          const before = await verifyAudit(db);
          await recordAudit(db, [{ actor: 'system', action: 'a' }, { actor: 'system', action: 'b' }]);
          assert.equal(await chainAudit(db), 2);
          const [link] = await db.query<{ prev_hash: string }>('select prev_hash from audit_chain order by seq offset 3 limit 1');
          assert.equal(link?.prev_hash, before.head, 'the new links follow the old head');
          const after = await verifyAudit(db);
          assert.equal(after.broken, undefined);
          assert.equal(after.verified, 5);
        } finally {
          await db.close();
        }
      });

      it('two events swapped in place are found', async () => {
        const db = await trailOf(5);
        try {
          const [, second, third] = await ids(db);
          // Each event's content and its link's hashes move to the other's place: every link still
          // hashes its own content, but the order no longer follows.
          const cols = 'at, actor, action, app_name, target, outcome, detail';
          await tamper(
            db,
            ['audit_events', 'audit_chain'],
            `create temp table swap as select * from audit_events where id in (${second}, ${third});
             create temp table swap_links as select * from audit_chain where event_id in (${second}, ${third});
             update audit_events e set (${cols}) = (select ${cols} from swap s where s.id = case when e.id = ${second} then ${third} else ${second} end) where e.id in (${second}, ${third});
             update audit_chain c set (prev_hash, hash) = (select prev_hash, hash from swap_links s where s.event_id = case when c.event_id = ${second} then ${third} else ${second} end) where c.event_id in (${second}, ${third});
             drop table swap; drop table swap_links`,
          );
          const result = await verifyAudit(db);
          assert.equal(result.broken?.id, second);
          assert.match(result.broken?.problem ?? '', /does not follow/);
        } finally {
          await db.close();
        }
      });
    });
  });
}
