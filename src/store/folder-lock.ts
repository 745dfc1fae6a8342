import { mkdirSync, openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';

export interface FolderLock {
  release(): void;
}

/**
 * Guards an embedded database folder so a second process gets a clear error instead of opening
 * the same files. The lock file holds the owner's pid; a lock left by a dead process is taken over.
 */
export function acquireFolderLock(dir: string): FolderLock {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'roster.lock');
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          rmSync(path, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number.parseInt(readFileSync(path, 'utf8'), 10);
      if (Number.isInteger(owner) && owner !== process.pid && isProcessAlive(owner)) {
        throw new Error(`the database folder ${dir} is in use by another roster process (pid ${owner}); stop it or use another --home`);
      }
      if (owner === process.pid) throw new Error(`the database folder ${dir} is already open in this process`);
      rmSync(path, { force: true });
    }
  }
  throw new Error(`could not lock the database folder ${dir}`);
}

/** Whether a process with this pid runs on this machine (EPERM: it runs, as another user). */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
