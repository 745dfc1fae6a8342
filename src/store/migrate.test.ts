import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { databaseKinds, openTestDatabase } from './testing.ts';
import { migrate } from './migrate.ts';

for (const kind of databaseKinds) {
  describe(`migrations on ${kind}`, () => {
    it('creates the schema once and is a no-op the second time', async () => {
      const db = await openTestDatabase(kind);
      try {
        assert.deepEqual(await migrate(db), []);
        const tables = await db.query<{ table_name: string }>(
          "select table_name from information_schema.tables where table_schema = current_schema() order by 1",
        );
        const names = tables.map((t) => t.table_name);
        for (const table of ['people', 'apps', 'accounts', 'links', 'audit_events', 'sync_runs']) assert.ok(names.includes(table), table);
      } finally {
        await db.close();
      }
    });

    it('keeps the audit trail append-only', async () => {
      const db = await openTestDatabase(kind);
      try {
        await db.query("insert into audit_events (actor, action) values ('system', 'test')");
        await assert.rejects(db.query("update audit_events set actor = 'x'"), /append-only/);
        await assert.rejects(db.query('delete from audit_events'), /append-only/);
        const rows = await db.query<{ n: number }>('select count(*)::int as n from audit_events');
        assert.equal(rows[0]?.n, 1);
      } finally {
        await db.close();
      }
    });

    it('rolls a failed transaction back whole', async () => {
      const db = await openTestDatabase(kind);
      try {
        await assert.rejects(
          db.transaction(async (tx) => {
            await tx.query("insert into apps (name, type, base_url) values ('a', 'scim', 'http://x')");
            throw new Error('boom');
          }),
          /boom/,
        );
        assert.equal((await db.query('select * from apps')).length, 0);
      } finally {
        await db.close();
      }
    });
  });
}
