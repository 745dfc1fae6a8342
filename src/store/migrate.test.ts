import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { recordAudit, verifyAudit } from '../audit/trail.ts';
import type { Database } from './database.ts';
import { migrate } from './migrate.ts';
import { openPglite } from './pglite.ts';
import { openPostgres } from './postgres.ts';
import { databaseKinds, openTestDatabase, testPostgresUrl } from './testing.ts';

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

describe('upgrading a database that already holds an audit trail', () => {
  for (const kind of databaseKinds) {
    it(`carries events written before the trail was chained into the chained trail (${kind})`, async () => {
      const schema = `roster_upgrade_${randomBytes(6).toString('hex')}`;
      let db: Database;
      if (kind === 'pglite') db = await openPglite();
      else {
        const admin = await openPostgres(testPostgresUrl, { max: 1 });
        await admin.exec(`create schema ${schema}`);
        await admin.close();
        db = await openPostgres(testPostgresUrl, { schema, max: 2 });
      }
      try {
        // The schema as it was before the chainer (migration 015), with events in it.
        const dir = new URL('./migrations/', import.meta.url);
        await db.exec('create table schema_migrations (name text primary key, applied_at timestamptz not null default now())');
        for (const name of readdirSync(dir).filter((n) => n.endsWith('.sql') && n < '015').sort()) {
          await db.exec(readFileSync(new URL(name, dir), 'utf8'));
          await db.query('insert into schema_migrations (name) values ($1)', [name]);
        }
        for (const action of ['sync.started', 'sync.completed', 'plan.created']) await db.query("insert into audit_events (actor, action) values ('system', $1)", [action]);
        assert.ok((await migrate(db)).includes('015_audit_chainer.sql'));
        await recordAudit(db, { actor: 'system', action: 'after.upgrade' });
        const result = await verifyAudit(db);
        assert.equal(result.broken, undefined);
        assert.deepEqual({ unchained: result.unchained, verified: result.verified, pending: result.pending }, { unchained: 3, verified: 1, pending: 0 });
        await assert.rejects(db.query("update audit_events set actor = 'x'"), /append-only/);
      } finally {
        if (kind === 'postgres') await db.exec(`drop schema ${schema} cascade`);
        await db.close();
      }
    });
  }
});
