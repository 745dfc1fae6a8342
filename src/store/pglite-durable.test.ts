import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { Database } from './database.ts';
import { openPglite } from './pglite.ts';
import { diskSync, keepDurable, type SyncIo } from './pglite-durable.ts';

/** A SyncIo that syncs for real and notes each path it synced, in order. */
function recordingSync(events: string[], folder: string): SyncIo {
  const relative = (path: string) => path.slice(folder.length);
  return {
    syncFile(path) {
      diskSync.syncFile(path);
      events.push(`sync ${relative(path)}`);
    },
    syncFolder(path) {
      diskSync.syncFolder(path);
      events.push(`sync folder ${relative(path)}`);
    },
  };
}

async function inFolder(fn: (folder: string) => Promise<void>): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), 'roster-durable-'));
  try {
    await fn(folder);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

const isLog = (event: string) => event.includes('/pg_wal/');

/** An on-disk database with a table t, its syncs noted in events from the table's creation on. */
async function withRecordedTable(fn: (db: Database, events: string[]) => Promise<void>): Promise<void> {
  await inFolder(async (folder) => {
    const events: string[] = [];
    const db = await openPglite(folder, { sync: recordingSync(events, folder) });
    try {
      await db.exec('create table t (id int primary key, v text)');
      events.length = 0;
      await fn(db, events);
    } finally {
      await db.close();
    }
  });
}

describe('the embedded database on disk', () => {
  it('syncs the log a write went to before the statement answers, and a read syncs nothing', async () => {
    await withRecordedTable(async (db, events) => {
      await db.query('insert into t values ($1, $2)', [1, 'x']);
      assert.ok(events.some((event) => event.startsWith('sync /pg_wal/')), `the insert answered before its log was synced: ${events.join(', ')}`);
      events.length = 0;
      assert.deepEqual(await db.query('select v from t'), [{ v: 'x' }]);
      assert.deepEqual(events, [], 'a read wrote nothing to sync');
    });
  });

  it('syncs a transaction once, when it commits', async () => {
    await withRecordedTable(async (db, events) => {
      await db.transaction(async (tx) => {
        await tx.query('insert into t values ($1, $2)', [1, 'x']);
        await tx.query('insert into t values ($1, $2)', [2, 'y']);
        assert.deepEqual(events, [], 'nothing is synced before the commit');
      });
      assert.ok(events.some((event) => event.startsWith('sync /pg_wal/')), 'the commit answered before its log was synced');
    });
  });

  it("keeps Postgres's order: the log before any other file is written, a file before its new name, every file before the control file", async () => {
    await inFolder(async (folder) => {
      const pg = await PGlite.create({ dataDir: folder });
      try {
        // Writes and renames as they reach the disk: seen under the watch keepDurable puts on top.
        const events: string[] = [];
        const fs = (pg.Module as unknown as { FS: { lookupPath(path: string): { node: { mount: { type: Record<string, unknown> } } } } }).FS.lookupPath('/pglite/data').node.mount.type as {
          realPath(node: object): string;
          stream_ops: Record<string, (...args: unknown[]) => unknown>;
          node_ops: Record<string, (...args: unknown[]) => unknown>;
        };
        const write = fs.stream_ops.write!;
        fs.stream_ops.write = (...args: unknown[]) => {
          events.push(`write ${fs.realPath((args[0] as { node: object }).node).slice(folder.length)}`);
          return write.apply(fs.stream_ops, args);
        };
        const rename = fs.node_ops.rename!;
        fs.node_ops.rename = (...args: unknown[]) => {
          events.push(`rename ${fs.realPath(args[0] as object).slice(folder.length)}`);
          return rename.apply(fs.node_ops, args);
        };
        const durability = keepDurable(pg, recordingSync(events, folder));
        await pg.exec('create table t (id int primary key, v text)');
        for (let i = 0; i < 300; i++) {
          await pg.query('insert into t values ($1, $2)', [i, 'x'.repeat(500)]);
          durability.flush();
        }
        await pg.exec('checkpoint');
        durability.flush();

        const writes = events.filter((event) => event.startsWith('write '));
        assert.ok(writes.some(isLog) && writes.some((event) => !isLog(event)), 'the run wrote both the log and other files');
        assert.ok(writes.includes('write /global/pg_control'), 'the checkpoint wrote the control file');
        assert.ok(events.some((event) => event.startsWith('rename ')), 'the checkpoint renamed a file into place');

        const unsynced = new Set<string>();
        for (const event of events) {
          const [kind, path = ''] = event.startsWith('sync folder ') ? ['folder', ''] : event.split(' ');
          if (kind === 'write') {
            if (!isLog(path)) assert.deepEqual([...unsynced].filter(isLog), [], `${path} was written while the log was not synced`);
            if (path === '/global/pg_control') assert.deepEqual([...unsynced].filter((other) => other !== path), [], 'the control file was written before the files it vouches for were synced');
            unsynced.add(path);
          } else if (kind === 'rename') {
            assert.ok(!unsynced.has(path), `${path} was renamed before its content was synced`);
          } else if (kind === 'sync') {
            unsynced.delete(path);
          }
        }
        assert.deepEqual([...unsynced], [], 'the last flush left files unsynced');
      } finally {
        await pg.close();
      }
    });
  });

  it('watches nothing in memory', async () => {
    const pg = await PGlite.create();
    try {
      const events: string[] = [];
      const durability = keepDurable(pg, recordingSync(events, ''));
      await pg.exec('create table t (id int primary key); insert into t values (1); checkpoint');
      durability.flush();
      assert.deepEqual(events, []);
    } finally {
      await pg.close();
    }
  });
});

describe('a sync that fails', () => {
  it('fails the write that needed it, and every statement after, even once the disk answers again; the folder then opens with what was synced', async () => {
    await inFolder(async (folder) => {
      let failing = false;
      const io: SyncIo = {
        syncFile(path) {
          if (failing) throw Object.assign(new Error(`EIO: i/o error, fdatasync '${path}'`), { code: 'EIO' });
          diskSync.syncFile(path);
        },
        syncFolder: diskSync.syncFolder,
      };
      const db = await openPglite(folder, { sync: io });
      try {
        await db.exec('create table t (id int primary key, v text)');
        await db.query('insert into t values ($1, $2)', [1, 'kept']);
        failing = true;
        await assert.rejects(db.query('insert into t values ($1, $2)', [2, 'unsynced']), /EIO/);
        failing = false;
        await assert.rejects(db.query('insert into t values ($1, $2)', [3, 'after']), /EIO/, 'a later write is not acknowledged');
        await assert.rejects(
          db.transaction((tx) => tx.query('insert into t values ($1, $2)', [4, 'after'])),
          /EIO/,
        );
        await assert.rejects(db.query('select id from t'), /EIO/, 'nor is anything else answered');
      } finally {
        await db.close().catch(() => undefined);
      }
      const reopened = await openPglite(folder);
      try {
        assert.ok((await reopened.query<{ id: number }>('select id from t order by id')).some((row) => row.id === 1), 'what was synced is there');
        await reopened.query('insert into t values ($1, $2)', [5, 'again']);
      } finally {
        await reopened.close();
      }
    });
  });
});
