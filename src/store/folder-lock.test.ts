import { it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { acquireFolderLock, currentPidSpace } from './folder-lock.ts';
import { openPglite } from './pglite.ts';

function lockFolder(): { dir: string; lockFile: string; [Symbol.dispose](): void } {
  const dir = mkdtempSync(join(tmpdir(), 'roster-lock-'));
  return { dir, lockFile: join(dir, 'roster.lock'), [Symbol.dispose]: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A lock file as another process would leave it, with its heartbeat `ageMs` ago. */
function leaveLock(lockFile: string, holder: object | string, ageMs: number): void {
  writeFileSync(lockFile, typeof holder === 'string' ? holder : JSON.stringify(holder));
  const then = new Date(Date.now() - ageMs);
  utimesSync(lockFile, then, then);
}

const holderOf = (lockFile: string) => JSON.parse(readFileSync(lockFile, 'utf8')) as { instance: string; host: string; pid: number };

it('takes over a lock whose heartbeat stopped, even when its pid is alive (pid 1 in a container)', () => {
  using folder = lockFolder();
  leaveLock(folder.lockFile, { instance: 'dead-container', host: hostname(), pid: 1 }, 60_000);
  const lock = acquireFolderLock(folder.dir);
  const holder = holderOf(folder.lockFile);
  assert.equal(holder.pid, process.pid);
  assert.equal(holder.host, hostname());
  assert.notEqual(holder.instance, 'dead-container');
  lock.release();
  assert.throws(() => readFileSync(folder.lockFile), /ENOENT/, 'released');
});

it('refuses a lock with a fresh heartbeat, naming its pid and host', () => {
  using folder = lockFolder();
  leaveLock(folder.lockFile, { instance: 'live-elsewhere', host: 'worker-7', pid: 1 }, 1_000);
  assert.throws(() => acquireFolderLock(folder.dir), (error: Error) => {
    assert.equal(error.message, `the database folder ${folder.dir} is in use by another roster process (pid 1 on host worker-7); stop it or use another --home`);
    return true;
  });
  assert.equal(holderOf(folder.lockFile).instance, 'live-elsewhere', 'left alone');
});

it('takes over a lock naming this very pid under another instance id: a process before this one had the pid', () => {
  using folder = lockFolder();
  for (const ageMs of [60_000, 0]) {
    leaveLock(folder.lockFile, { instance: 'previous-life', host: hostname(), pidSpace: currentPidSpace(), pid: process.pid }, ageMs);
    const lock = acquireFolderLock(folder.dir);
    assert.notEqual(holderOf(folder.lockFile).instance, 'previous-life');
    lock.release();
  }
});

it('takes over at once a fresh lock whose pid is gone from this host, but not one from another host', () => {
  using folder = lockFolder();
  const gone = 999_999_999;
  leaveLock(folder.lockFile, { instance: 'killed', host: hostname(), pidSpace: currentPidSpace(), pid: gone }, 0);
  acquireFolderLock(folder.dir).release();
  leaveLock(folder.lockFile, { instance: 'killed', host: hostname(), pidSpace: 'pid:[another-container]', pid: gone }, 0);
  assert.throws(() => acquireFolderLock(folder.dir), /in use by another roster process/, 'another pid namespace: its pids are not ours to check');
  leaveLock(folder.lockFile, { instance: 'elsewhere', host: 'other-host', pidSpace: currentPidSpace(), pid: gone }, 0);
  assert.throws(() => acquireFolderLock(folder.dir), /in use by another roster process \(pid 999999999 on host other-host\)/);
});

it('takes over an old-style pid-only lock once its pid is gone or its heartbeat is older than the lease', () => {
  using folder = lockFolder();
  leaveLock(folder.lockFile, '1', 60_000);
  acquireFolderLock(folder.dir).release();
  leaveLock(folder.lockFile, '999999999', 0);
  acquireFolderLock(folder.dir).release();
  leaveLock(folder.lockFile, '1', 0);
  assert.throws(() => acquireFolderLock(folder.dir), /in use by another roster process \(pid 1\); stop it/);
});

it('a live holder keeps its lease while its main thread is busy, and loses it once killed', async () => {
  using folder = lockFolder();
  const module = new URL('./folder-lock.ts', import.meta.url).href;
  // The holder locks, then blocks its main thread for 2 s, as a long PGlite query does.
  const child = spawn(
    process.execPath,
    ['--input-type=module', '-e', `import { acquireFolderLock } from ${JSON.stringify(module)}; acquireFolderLock(${JSON.stringify(folder.dir)}, { heartbeatMs: 100 }); console.log('locked'); Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2000); setInterval(() => {}, 1000);`],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  try {
    const [first] = (await once(child.stdout, 'data')) as [Buffer];
    assert.equal(first.toString().trim(), 'locked');
    await sleep(1_200);
    assert.throws(() => acquireFolderLock(folder.dir, { leaseMs: 600 }), new RegExp(`in use by another roster process \\(pid ${child.pid} on host `), 'heartbeat renewed while the main thread was blocked');
    child.kill('SIGKILL');
    await once(child, 'exit');
    const lock = acquireFolderLock(folder.dir, { leaseMs: 600 });
    assert.equal(holderOf(folder.lockFile).pid, process.pid, 'taken over at once: its pid is gone');
    lock.release();
  } finally {
    child.kill('SIGKILL');
  }
});

it('lets exactly one of several processes take over a stale lock', async () => {
  using folder = lockFolder();
  leaveLock(folder.lockFile, { instance: 'dead', host: 'gone-host', pid: 4242 }, 60_000);
  const module = new URL('./folder-lock.ts', import.meta.url).href;
  const script = `import { acquireFolderLock } from ${JSON.stringify(module)};
    try { acquireFolderLock(${JSON.stringify(folder.dir)}); console.log('won'); setTimeout(() => {}, 1500); }
    catch (error) { console.log(/in use by another roster process/.test(error.message) ? 'refused' : error.message); }`;
  const outcomes = await Promise.all(
    Array.from({ length: 4 }, async () => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      await once(child, 'exit');
      return out.trim();
    }),
  );
  assert.deepEqual([...outcomes].sort(), ['refused', 'refused', 'refused', 'won']);
});

it('renews its own heartbeat while it holds the lock', async () => {
  using folder = lockFolder();
  const lock = acquireFolderLock(folder.dir, { heartbeatMs: 50 });
  try {
    const then = new Date(Date.now() - 60_000);
    utimesSync(folder.lockFile, then, then);
    await sleep(400);
    const silentMs = Date.now() - statSync(folder.lockFile).mtimeMs;
    assert.ok(silentMs < 1_000, `heartbeat renewed (${Math.round(silentMs)} ms ago)`);
  } finally {
    lock.release();
  }
});

it('releases the folder when the database closes', async () => {
  using folder = lockFolder();
  const db = await openPglite(folder.dir);
  assert.throws(() => acquireFolderLock(folder.dir), /already open in this process/);
  await db.close();
  acquireFolderLock(folder.dir).release();
});
