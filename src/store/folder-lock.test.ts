import { it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { acquireFolderLock } from './folder-lock.ts';
import { openPglite } from './pglite.ts';

it('refuses a second opener of the same embedded database with a clear error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'roster-lock-'));
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
  try {
    writeFileSync(join(dir, 'roster.lock'), String(child.pid));
    assert.throws(() => acquireFolderLock(dir), /in use by another roster process \(pid \d+\)/);
  } finally {
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

it('takes over a lock left by a process that died', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'roster-lock-'));
  try {
    writeFileSync(join(dir, 'roster.lock'), '999999999');
    const lock = acquireFolderLock(dir);
    lock.release();
    acquireFolderLock(dir).release();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('releases the folder when the database closes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'roster-lock-'));
  try {
    const db = await openPglite(dir);
    assert.throws(() => acquireFolderLock(dir), /already open in this process/);
    await db.close();
    acquireFolderLock(dir).release();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
