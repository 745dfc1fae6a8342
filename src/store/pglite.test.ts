import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Database } from './database.ts';
import { openPglite } from './pglite.ts';

async function withDatabase(fn: (db: Database) => Promise<void>, options: { statementLimit?: number } = {}): Promise<void> {
  const db = await openPglite(undefined, { ...options, settings: [] });
  try {
    await db.exec('create table t (id int primary key, name text not null, doc jsonb, active boolean, at timestamptz, tags text[])');
    await fn(db);
  } finally {
    await db.close();
  }
}

const insert = 'insert into t (id, name, doc, active, at, tags) values ($1, $2, $3, $4, $5, $6) returning *';
const byId = 'select id, name, doc, active, at, tags from t where id = $1';

describe('embedded database statements', () => {
  it('runs one statement many times with values of every type the store uses', async () => {
    await withDatabase(async (db) => {
      const at = new Date('2026-12-04T10:00:00.123Z');
      for (let id = 1; id <= 5; id++) {
        const [row] = await db.query(insert, [id, `name ${id}`, { id, nested: { list: [id, 'x'] } }, id % 2 === 0, at, ['a', `b,${id}`, 'c"d']]);
        assert.deepEqual(row, { id, name: `name ${id}`, doc: { id, nested: { list: [id, 'x'] } }, active: id % 2 === 0, at, tags: ['a', `b,${id}`, 'c"d'] });
      }
      await db.query(insert, [6, 'nulls', null, null, undefined, null]);
      assert.deepEqual(await db.query(byId, [6]), [{ id: 6, name: 'nulls', doc: null, active: null, at: null, tags: null }]);
      assert.deepEqual((await db.query<{ id: number }>('select id from t where id = any($1::int[]) order by id', [[2, 4, 9]])).map((r) => r.id), [2, 4]);
      assert.deepEqual(await db.query(byId, [99]), [], 'no rows is an empty list');
    });
  });

  it('raises a database error with its code, and the same statement works after it, in and out of a transaction', async () => {
    await withDatabase(async (db) => {
      await db.query(insert, [1, 'one', null, true, null, null]);
      await assert.rejects(db.query(insert, [1, 'again', null, true, null, null]), (error: Error & { code?: string }) => error.code === '23505' && /duplicate key/.test(error.message));
      await assert.rejects(db.query(insert, [2, null, null, true, null, null]), (error: Error & { code?: string }) => error.code === '23502');
      await assert.rejects(
        db.transaction(async (tx) => {
          await tx.query(insert, [2, 'two', null, true, null, null]);
          await tx.query(insert, [1, 'clash', null, true, null, null]);
        }),
        (error: Error & { code?: string }) => error.code === '23505',
      );
      assert.deepEqual(await db.query(byId, [2]), [], 'the failed transaction wrote nothing');
      await db.transaction(async (tx) => {
        await tx.query(insert, [3, 'three', null, false, null, null]);
      });
      assert.deepEqual((await db.query<{ id: number }>('select id from t order by id')).map((r) => r.id), [1, 3]);
    });
  });

  it('answers correctly past the number of statements it keeps prepared', async () => {
    await withDatabase(
      async (db) => {
        for (let id = 1; id <= 10; id++) await db.query(insert, [id, `n${id}`, null, true, null, null]);
        for (let round = 0; round < 3; round++) {
          for (let limit = 1; limit <= 8; limit++) {
            const rows = await db.query<{ id: number }>(`select id from t where id <= $1 order by id limit ${limit}`, [5]);
            assert.deepEqual(
              rows.map((r) => r.id),
              [1, 2, 3, 4, 5].slice(0, limit),
            );
          }
        }
      },
      { statementLimit: 2 },
    );
  });

  it('keeps answering after a schema change alters what a prepared statement returns', async () => {
    await withDatabase(async (db) => {
      await db.query(insert, [1, 'one', null, true, null, null]);
      const all = 'select * from t where id = $1';
      assert.deepEqual(Object.keys((await db.query(all, [1]))[0] ?? {}), ['id', 'name', 'doc', 'active', 'at', 'tags']);
      await db.exec("alter table t add column extra text not null default 'x'");
      assert.equal((await db.query<{ extra: string }>(all, [1]))[0]?.extra, 'x', 'outside a transaction it is prepared again');
      await db.exec('alter table t drop column extra');
      await assert.rejects(
        db.transaction((tx) => tx.query(all, [1])),
        (error: Error & { code?: string }) => error.code === '0A000',
      );
      assert.deepEqual(Object.keys((await db.transaction((tx) => tx.query(all, [1])))[0] ?? {}), ['id', 'name', 'doc', 'active', 'at', 'tags'], 'and the next transaction prepares it again');
      await db.exec('alter table t rename column name to title');
      assert.deepEqual((await db.query(all, [1]))[0], { id: 1, title: 'one', doc: null, active: true, at: null, tags: null }, 'a renamed column comes back under its new name');
    });
  });

  it('serialises concurrent callers: each transaction sees its own writes, and no query is lost', async () => {
    await withDatabase(async (db) => {
      const outside = Array.from({ length: 40 }, (_, i) => db.query(insert, [i + 1, `p${i}`, null, true, null, null]));
      const inside = db.transaction(async (tx) => {
        await tx.query(insert, [1000, 'tx', null, true, null, null]);
        const [seen] = await tx.query<{ n: number; mine: number }>('select count(*)::int as n, count(*) filter (where id = 1000)::int as mine from t');
        return seen;
      });
      const [seen] = await Promise.all([inside, ...outside]);
      assert.equal(seen?.mine, 1);
      assert.deepEqual(await db.query('select count(*)::int as n from t'), [{ n: 41 }]);
    });
  });

  it('commits synchronously, with fsync off on PGlite\'s command line where no setting reaches it (so roster syncs the files itself: pglite-durable.ts)', async () => {
    const db = await openPglite(undefined, { settings: ['fsync=on'] });
    try {
      assert.deepEqual(await db.query("select name, setting, source from pg_settings where name in ('fsync', 'synchronous_commit') order by name"), [
        { name: 'fsync', setting: 'off', source: 'command line' },
        { name: 'synchronous_commit', setting: 'on', source: 'default' },
      ]);
    } finally {
      await db.close();
    }
  });

  it('has a write on disk by the time it returns: a process killed right after loses nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roster-pglite-'));
    try {
      const writer = `
        import { openPglite } from ${JSON.stringify(new URL('./pglite.ts', import.meta.url).href)};
        const db = await openPglite(${JSON.stringify(dir)}, { settings: [] });
        await db.exec('create table t (id int primary key, name text)');
        await db.query('insert into t values ($1, $2)', [1, 'kept']);
        await db.transaction((tx) => tx.query('insert into t values ($1, $2)', [2, 'kept too']));
        process.stdout.write('written\\n');
        setInterval(() => {}, 1000);`;
      const child = spawn(process.execPath, ['--input-type=module', '-e', writer], { stdio: ['ignore', 'pipe', 'inherit'] });
      const [line] = await once(createInterface({ input: child.stdout }), 'line');
      assert.equal(line, 'written');
      child.kill('SIGKILL');
      await once(child, 'exit');
      const reopened = await openPglite(dir, { settings: [] });
      try {
        assert.deepEqual(await reopened.query('select id, name from t order by id'), [
          { id: 1, name: 'kept' },
          { id: 2, name: 'kept too' },
        ]);
      } finally {
        await reopened.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
