import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { databaseKinds, openTestDatabase } from '../store/testing.ts';
import { Secret } from '../config/secret.ts';
import { chainAudit, queryAudit, recordAudit, verifyAudit } from './trail.ts';
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
      /** What someone with the database's own user can do: switch the append-only trigger off. */
      async function tamper(db: Database, sql: string): Promise<void> {
        await db.exec(`alter table audit_events disable trigger user; ${sql}; alter table audit_events enable trigger user;`);
      }
      const ids = async (db: Database) => (await db.query<{ id: number }>('select id from audit_events order by id')).map((r) => Number(r.id));

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
          const order = await db.query<{ action: string }>('select action from audit_events order by seq');
          assert.deepEqual(order.map((r) => r.action).slice(2), kind === 'postgres' ? ['early', 'late'] : ['late', 'early']);
          // Chained once, never again: a chained event cannot be re-chained or edited through the trigger.
          await assert.rejects(db.query("update audit_events set hash = 'x' where action = 'late'"), /append-only/);
          await assert.rejects(db.query("update audit_events set detail = '{}' where action = 'early'"), /append-only/);
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

      it('an edited event is named', async () => {
        const db = await trailOf(5);
        try {
          const [, , third] = await ids(db);
          await tamper(db, `update audit_events set detail = '{"n": 99}' where id = ${third}`);
          const result = await verifyAudit(db);
          assert.equal(result.broken?.id, third);
          assert.match(result.broken?.problem ?? '', /changed after it was written/);
          assert.equal(result.verified, 2);
        } finally {
          await db.close();
        }
      });

      it('a deleted event is found at the event after it', async () => {
        const db = await trailOf(5);
        try {
          const [, second, third] = await ids(db);
          await tamper(db, `delete from audit_events where id = ${second}`);
          const result = await verifyAudit(db);
          assert.equal(result.broken?.id, third);
          assert.match(result.broken?.problem ?? '', /deleted, or events were reordered/);
        } finally {
          await db.close();
        }
      });

      it('two events swapped in place are found', async () => {
        const db = await trailOf(5);
        try {
          const [, second, third] = await ids(db);
          const cols = 'at, actor, action, app_name, target, outcome, detail, prev_hash, hash';
          await tamper(
            db,
            `create temp table swap as select * from audit_events where id in (${second}, ${third});
             update audit_events e set (${cols}) = (select ${cols} from swap s where s.id = case when e.id = ${second} then ${third} else ${second} end) where e.id in (${second}, ${third});
             drop table swap`,
          );
          const result = await verifyAudit(db);
          assert.equal(result.broken?.id, second);
        } finally {
          await db.close();
        }
      });
    });
  });
}
