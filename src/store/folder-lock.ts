import { randomUUID } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, readlinkSync, rmdirSync, rmSync, statSync, writeSync, type Stats } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

export interface FolderLock {
  release(): void;
}

export interface FolderLockOptions {
  /** A lock whose heartbeat is older than this is stale and taken over, whatever its pid says. */
  leaseMs?: number;
  /** How often the holder renews its heartbeat. */
  heartbeatMs?: number;
}

export const folderLeaseMs = 15_000;
export const folderHeartbeatMs = 3_000;

/** Who holds a lock. Pids repeat (containers run roster as pid 1; pids are reused), so each process also has an instance id. */
interface Holder {
  instance?: string;
  host?: string;
  /** Which processes' pids the pid is one of: containers sharing a host name can still differ here. */
  pidSpace?: string;
  pid?: number;
}

/** This process's lock identity. */
const instanceId = randomUUID();

/** Linux: the pid namespace; elsewhere the platform (no containers share a folder with the host there). */
export function currentPidSpace(): string {
  try {
    return readlinkSync('/proc/self/ns/pid');
  } catch {
    return process.platform;
  }
}

// The heartbeat runs on its own thread: PGlite runs queries on the main thread, and a long one
// holds the event loop for many seconds, which must not make a live holder look dead.
// getBuiltinModule, not require or import: eval code may run as CommonJS or as a module.
const heartbeatSource = `
const { workerData } = process.getBuiltinModule('node:worker_threads');
const { readFileSync, utimesSync } = process.getBuiltinModule('node:fs');
const timer = setInterval(() => {
  try {
    if (JSON.parse(readFileSync(workerData.path, 'utf8')).instance !== workerData.instance) return clearInterval(timer);
    const now = new Date();
    utimesSync(workerData.path, now, now);
  } catch {
    clearInterval(timer);
  }
}, workerData.heartbeatMs);
`;

/**
 * Guards an embedded database folder so a second process gets a clear error instead of opening
 * the same files. The lock is a lease: the file names its holder (instance id, host, pid) and its
 * modification time is the holder's heartbeat, renewed every few seconds. A lock whose heartbeat
 * is older than the lease is stale and taken over, whatever its pid says; one that a process gone
 * from this host left behind (see leftBehind) is taken over at once.
 */
export function acquireFolderLock(dir: string, options: FolderLockOptions = {}): FolderLock {
  const leaseMs = options.leaseMs ?? folderLeaseMs;
  const heartbeatMs = options.heartbeatMs ?? folderHeartbeatMs;
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'roster.lock');
  const me: Required<Holder> = { instance: instanceId, host: hostname(), pidSpace: currentPidSpace(), pid: process.pid };
  for (let attempt = 0; attempt < 50; attempt += 1) {
    try {
      const fd = openSync(path, 'wx');
      try {
        writeSync(fd, JSON.stringify(me));
      } finally {
        closeSync(fd);
      }
      try {
        return holdLock(path, heartbeatMs);
      } catch (error) {
        rmSync(path, { force: true });
        throw error;
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const seen = readLock(path);
    if (!seen) continue;
    if (seen.holder.instance === instanceId) throw new Error(`the database folder ${dir} is already open in this process`);
    const silentMs = Date.now() - seen.heartbeatAt;
    if (silentMs < leaseMs && !leftBehind(seen.holder, me)) {
      const who = `pid ${seen.holder.pid ?? 'unknown'}${seen.holder.host ? ` on host ${seen.holder.host}` : ''}`;
      throw new Error(`the database folder ${dir} is in use by another roster process (${who}); stop it or use another --home`);
    }
    if (!removeIfUnchanged(path, seen, leaseMs)) pause(50);
  }
  throw new Error(`could not lock the database folder ${dir}: other processes keep taking it over`);
}

/**
 * Whether a lock with a fresh heartbeat was nevertheless left by a process that is gone: it names
 * this very pid (under another instance id, so a process before this one had the pid), or a pid
 * that no longer runs among this host's processes. A pid that does run proves nothing (pid 1 in a
 * container, a reused pid): such a lock waits out its lease.
 */
function leftBehind(holder: Holder, me: Required<Holder>): boolean {
  if (holder.pid === undefined) return false;
  // Locks written before leases name only a pid, of a process on this host.
  const sameProcesses = holder.instance === undefined || (holder.host === me.host && holder.pidSpace === me.pidSpace);
  return sameProcesses && (holder.pid === me.pid || !isProcessAlive(holder.pid));
}

function holdLock(path: string, heartbeatMs: number): FolderLock {
  const heartbeat = new Worker(heartbeatSource, { eval: true, workerData: { path, instance: instanceId, heartbeatMs } });
  heartbeat.unref();
  // Without a heartbeat the lock is taken over after the lease; that is the worst case, not a crash.
  heartbeat.on('error', () => undefined);
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      void heartbeat.terminate();
      if (readLock(path)?.holder.instance === instanceId) rmSync(path, { force: true });
    },
  };
}

/** The lock's holder and heartbeat, or undefined when there is no lock file (any more). */
function readLock(path: string): { holder: Holder; heartbeatAt: number } | undefined {
  try {
    const heartbeatAt = statSync(path).mtimeMs;
    const text = readFileSync(path, 'utf8').trim();
    return { holder: parseHolder(text), heartbeatAt };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function parseHolder(text: string): Holder {
  // Locks written before leases hold a bare pid.
  if (/^\d+$/.test(text)) return { pid: Number(text) };
  try {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    return {
      ...(typeof parsed.instance === 'string' ? { instance: parsed.instance } : {}),
      ...(typeof parsed.host === 'string' ? { host: parsed.host } : {}),
      ...(typeof parsed.pidSpace === 'string' ? { pidSpace: parsed.pidSpace } : {}),
      ...(typeof parsed.pid === 'number' ? { pid: parsed.pid } : {}),
    };
  } catch {
    return {};
  }
}

/**
 * Removes a stale lock, unless it changed since it was judged stale (another process took it over
 * first). Judging and removing happen under a second lock (a directory, made atomically), so two
 * processes that both found the old lock stale cannot both remove it and both think they hold it.
 * Returns false when another process is taking over right now.
 */
function removeIfUnchanged(path: string, judged: { holder: Holder; heartbeatAt: number }, leaseMs: number): boolean {
  const mutex = `${path}.takeover`;
  try {
    mkdirSync(mutex);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // A process that died mid-takeover leaves the directory; it gets the same lease.
    const age = Date.now() - (statOrUndefined(mutex)?.mtimeMs ?? Date.now());
    if (age > leaseMs) rmSync(mutex, { recursive: true, force: true });
    return false;
  }
  try {
    const now = readLock(path);
    if (now && now.heartbeatAt === judged.heartbeatAt && JSON.stringify(now.holder) === JSON.stringify(judged.holder)) rmSync(path, { force: true });
    return true;
  } finally {
    rmdirSync(mutex);
  }
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Whether a process with this pid runs on this machine (EPERM: it runs, as another user). A yes proves little: pids repeat. */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
