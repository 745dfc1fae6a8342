// The embedded database on its own thread answers as the one on the caller's thread does: the same
// rows and types, the same errors, the same transactions, and nothing lost when the process dies.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Database } from './database.ts';
import { isUniqueViolation } from './directory.ts';
import { openPglite, pgliteImage } from './pglite.ts';
import { openPgliteThread } from './pglite-thread.ts';

const threadModule = new URL('./pglite-thread.ts', import.meta.url).href;

/** Runs a script in a node process of its own; answers its exit code, output and duration. */
function runScript(source: string): { status: number | null; signal: string | null; stdout: string; stderr: string; ms: number } {
  const folder = mkdtempSync(join(tmpdir(), 'roster-thread-script-'));
  const file = join(folder, 'script.ts');
  writeFileSync(file, source);
  const started = performance.now();
  const result = spawnSync(process.execPath, ['--liftoff-only', file], { encoding: 'utf8', timeout: 60_000 });
  rmSync(folder, { recursive: true, force: true });
  return { status: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr, ms: performance.now() - started };
}

describe('the embedded database on its own thread', () => {
  let home: string;
  let db: Database;
  /** Every database here starts from this image (initdb once, not for each), written to a file for the scripts. */
  let image: Blob;
  let imageFile: string;

  before(async () => {
    home = mkdtempSync(join(tmpdir(), 'roster-thread-'));
    image = await pgliteImage((empty) => empty.exec('create table kept (id int)'));
    imageFile = join(home, 'image.tar');
    writeFileSync(imageFile, Buffer.from(await image.arrayBuffer()));
    db = await openPgliteThread(join(home, 'db'), { image });
    await db.exec(`create table things (id text primary key, n int8, at timestamptz, doc jsonb, raw bytea, tags text[]);
                   create table deferred (id int, constraint deferred_unique unique (id) deferrable initially deferred)`);
  });
  after(async () => {
    await db.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('gives back the rows and types the same database gives on the calling thread', async () => {
    const values = ['a', 42, new Date('2026-01-02T03:04:05.678Z'), { nested: [1, 'two', null] }, Uint8Array.from([0, 1, 255]), ['x', 'y']];
    await db.query('insert into things values ($1, $2, $3, $4, $5, $6)', values);
    await db.query('insert into things (id) values ($1)', ['b']);
    const select = 'select * from things order by id';
    const threaded = await db.query(select);
    const local = await openPglite(undefined, { image });
    try {
      await local.exec('create table things (id text primary key, n int8, at timestamptz, doc jsonb, raw bytea, tags text[])');
      await local.query('insert into things values ($1, $2, $3, $4, $5, $6)', values);
      await local.query('insert into things (id) values ($1)', ['b']);
      assert.deepEqual(threaded, await local.query(select));
    } finally {
      await local.close();
    }
    assert.ok(threaded[0]?.at instanceof Date);
    assert.deepEqual(threaded[0]?.doc, { nested: [1, 'two', null] });
    assert.equal(threaded[1]?.n, null);
  });

  it('answers a statement sent again and again, among others, with its own rows each time', async () => {
    const texts = ['select $1::int + 1 as n', 'select $1::int * 10 as n', "select $1::int || ' items' as n"];
    const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => db.query<{ n: number | string }>(texts[i % 3] as string, [i])));
    answers.forEach((rows, i) => assert.deepEqual(rows, [{ n: i % 3 === 0 ? i + 1 : i % 3 === 1 ? i * 10 : `${i} items` }]));
    await assert.rejects(db.query('select $1::int / 0 as n', [1]), /division by zero/);
    await assert.rejects(db.query('select $1::int / 0 as n', [2]), /division by zero/, 'a failed statement sent by number fails the same');
  });

  it("reports the database's errors with their code and constraint, and never their parameters", async () => {
    await db.query('insert into things (id) values ($1)', ['dup']);
    const error = await db.query('insert into things (id, doc) values ($1, $2)', ['dup', { secret: 'hunter2' }]).then(
      () => assert.fail('a duplicate id was accepted'),
      (e: unknown) => e as Error & Record<string, unknown>,
    );
    assert.ok(isUniqueViolation(error));
    assert.equal(error.code, '23505');
    assert.equal(error.constraint, 'things_pkey');
    assert.ok(error instanceof Error);
    assert.doesNotMatch(JSON.stringify({ ...error, message: error.message }), /hunter2/);
    await assert.rejects(db.query('select * from no_such_table'), (e: Error & { code?: string }) => e.code === '42P01' && /no_such_table/.test(e.message));
  });

  it('commits a transaction whole, and rolls it back whole when its work throws', async () => {
    await db.transaction(async (tx) => {
      await tx.query('insert into things (id) values ($1)', ['t1']);
      await tx.query('insert into things (id) values ($1)', ['t2']);
    });
    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.query('insert into things (id) values ($1)', ['t3']);
        throw new Error('the caller changed its mind');
      }),
      /changed its mind/,
    );
    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.query('insert into things (id) values ($1)', ['t4']);
        await tx.query('insert into things (id) values ($1)', ['t1']);
      }),
      (e: Error & { code?: string }) => e.code === '23505',
    );
    const ids = (await db.query<{ id: string }>("select id from things where id like 't%' order by id")).map((r) => r.id);
    assert.deepEqual(ids, ['t1', 't2']);
  });

  it('reports a commit that fails as a failure, with nothing written', async () => {
    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.query('insert into deferred values (1), (1)');
      }),
      (e: Error & { code?: string }) => e.code === '23505',
    );
    assert.deepEqual(await db.query('select * from deferred'), []);
  });

  it('holds a statement from outside a transaction until the transaction ends, and then shows it what was committed', async () => {
    let outsideDone = false;
    let outside: Promise<{ n: number }[]> | undefined;
    await db.transaction(async (tx) => {
      await tx.query('insert into things (id) values ($1)', ['held']);
      outside = db.query<{ n: number }>("select count(*)::int as n from things where id = 'held'");
      void outside.then(() => (outsideDone = true));
      await sleep(100);
      assert.equal(outsideDone, false, 'a statement from outside ran inside an open transaction');
      await tx.query('update things set n = 1 where id = $1', ['held']);
    });
    assert.deepEqual(await outside, [{ n: 1 }]);
  });

  it('runs two transactions begun at once one after the other, each whole', async () => {
    const bump = (tag: string) =>
      db.transaction(async (tx) => {
        const [row] = await tx.query<{ n: string | null }>('select max(n) as n from things where id like $1', ['c%']);
        await sleep(20);
        await tx.query('insert into things (id, n) values ($1, $2)', [tag, Number(row?.n ?? 0) + 1]);
      });
    await Promise.all([bump('c1'), bump('c2'), bump('c3')]);
    const ns = (await db.query<{ n: string }>("select n from things where id like 'c%' order by n")).map((r) => Number(r.n));
    assert.deepEqual(ns, [1, 2, 3], 'each transaction saw the one before it');
  });

  it("refuses a second opening of the same folder while it is open, and allows it once it is closed", async () => {
    const folder = join(home, 'locked');
    const first = await openPgliteThread(folder, { image });
    await assert.rejects(openPgliteThread(folder, { image }), /in use|already open/);
    await assert.rejects(openPglite(folder, { image }), /in use|already open/);
    await first.close();
    const again = await openPgliteThread(folder);
    assert.deepEqual(await again.query('select 1 as one'), [{ one: 1 }]);
    await again.close();
    await assert.rejects(again.query('select 1'), /stopped|closed/);
  });

  it('when its thread dies (out of memory), fails the statement waiting and every one after, says so once, and lets the folder be opened again', async () => {
    const folder = join(home, 'lost');
    const lost: Error[] = [];
    const doomed = await openPgliteThread(folder, { image, resourceLimits: { maxOldGenerationSizeMb: 24, maxYoungGenerationSizeMb: 4 }, onLost: (error) => lost.push(error) });
    await doomed.query('insert into kept values (1)');
    // The rows of this answer do not fit in the thread's heap.
    await assert.rejects(doomed.query("select repeat(md5(n::text), 40) as filler from generate_series(1, 400000) n"), /embedded database's thread (failed|stopped)/);
    await assert.rejects(doomed.query('select 1'), /embedded database's thread (failed|stopped)/);
    await assert.rejects(doomed.transaction((tx) => tx.query('select 1')), /embedded database's thread (failed|stopped)/);
    assert.equal(lost.length, 1);
    assert.match(lost[0]?.message ?? '', /memory/i);
    await doomed.close();
    const reopened = await openPgliteThread(folder);
    try {
      assert.deepEqual(await reopened.query('select id from kept'), [{ id: 1 }]);
    } finally {
      await reopened.close();
    }
  });

  it('does not report a thread it closed on purpose as lost', async () => {
    const lost: Error[] = [];
    const closed = await openPgliteThread(undefined, { image, onLost: (error) => lost.push(error) });
    await closed.query('select 1');
    await closed.close();
    await sleep(50);
    assert.deepEqual(lost, []);
  });

  it('keeps what was committed and drops what was not when the process is killed mid-transaction', () => {
    const folder = join(home, 'killed');
    const killed = runScript(`
      import { readFileSync } from 'node:fs';
      import { openPgliteThread } from ${JSON.stringify(threadModule)};
      const db = await openPgliteThread(${JSON.stringify(folder)}, { image: new Blob([readFileSync(${JSON.stringify(imageFile)})]) });
      await db.query('insert into kept values (1)');
      await db.transaction(async (tx) => {
        await tx.query('insert into kept values (2)');
        process.kill(process.pid, 'SIGKILL');
        await new Promise(() => undefined);
      });
    `);
    assert.equal(killed.signal, 'SIGKILL', killed.stderr);
    const reopened = runScript(`
      import { openPgliteThread } from ${JSON.stringify(threadModule)};
      const db = await openPgliteThread(${JSON.stringify(folder)});
      console.log(JSON.stringify(await db.query('select id from kept order by id')));
      await db.close();
    `);
    assert.equal(reopened.status, 0, reopened.stderr);
    assert.deepEqual(JSON.parse(reopened.stdout), [{ id: 1 }]);
  });

  it('vacuums a table that updates filled with dead rows, as autovacuum would, and leaves a quiet one alone', async () => {
    const churned = await openPgliteThread(undefined, { image, upkeepMs: 100 });
    try {
      await churned.exec('create table churn (id int primary key, v int); create table quiet (id int primary key)');
      await churned.query('insert into quiet select g from generate_series(1, 10) g');
      await churned.query('insert into churn select g, 0 from generate_series(1, 5000) g');
      for (let i = 0; i < 3; i += 1) await churned.query('update churn set v = v + 1');
      const stats = (table: string) => churned.query<{ dead: number; vacuumed: boolean }>('select n_dead_tup::int as dead, last_vacuum is not null as vacuumed from pg_stat_user_tables where relname = $1', [table]);
      let churn = await stats('churn');
      for (let waited = 0; !churn[0]?.vacuumed && waited < 20_000; waited += 200) {
        await sleep(200);
        churn = await stats('churn');
      }
      assert.deepEqual(churn, [{ dead: 0, vacuumed: true }]);
      let analyzed = await churned.query<{ analyzed: boolean; changes: number }>("select last_analyze is not null as analyzed, n_mod_since_analyze::int as changes from pg_stat_user_tables where relname = 'churn'");
      for (let waited = 0; !analyzed[0]?.analyzed && waited < 20_000; waited += 200) {
        await sleep(200);
        analyzed = await churned.query("select last_analyze is not null as analyzed, n_mod_since_analyze::int as changes from pg_stat_user_tables where relname = 'churn'");
      }
      assert.deepEqual(analyzed, [{ analyzed: true, changes: 0 }], 'the changes are analyzed too');
      assert.equal((await stats('quiet'))[0]?.vacuumed, false, 'ten rows never inserted past the threshold');
      assert.equal((await churned.query<{ n: number }>('select count(*)::int as n from churn where v = 3'))[0]?.n, 5000);
    } finally {
      await churned.close();
    }
  });

  it('keeps the process alive while a statement runs, and not once the database is idle', () => {
    const result = runScript(`
      import { readFileSync } from 'node:fs';
      import { openPgliteThread } from ${JSON.stringify(threadModule)};
      const db = await openPgliteThread(undefined, { image: new Blob([readFileSync(${JSON.stringify(imageFile)})]) });
      const [row] = await db.query('select pg_sleep(0.5), 7 as seven');
      console.log(row.seven);
      // Not closed: an idle database must not hold the process open.
    `);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout.trim(), '7');
  });
});
