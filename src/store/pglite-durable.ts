// The embedded database's writes made durable. PGlite starts Postgres with fsync off on its own
// command line, which no setting overrides, and its file system (Emscripten's NODEFS) has no fsync
// anyway: every write reaches only the operating system's page cache, and a power cut or kernel
// crash loses what the OS had not written back yet. Here the file system's operations are watched
// instead. Each statement's files are synced before it answers, and Postgres's own orderings are
// kept:
// - the log before any other file is written (a data page never reaches the disk ahead of the log
//   that describes it);
// - every other file before the control file is written (a checkpoint is recorded only once the
//   pages it vouches for are on disk);
// - a file's content before its new name, and the folders whose entries changed (durable_rename).
import fs from 'node:fs';
import { dirname } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';

/** How a file or a folder is made durable: fdatasync and fsync by default. */
export interface SyncIo {
  syncFile(path: string): void;
  syncFolder(path: string): void;
}

export const diskSync: SyncIo = {
  syncFile: (path) => syncPath(path, fs.fdatasyncSync),
  syncFolder: (path) => syncPath(path, fs.fsyncSync),
};

function syncPath(path: string, sync: (fd: number) => void): void {
  let fd: number;
  try {
    fd = fs.openSync(path, 'r');
  } catch (error) {
    // Removed since it was written: nothing of it is left to keep.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  try {
    sync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export interface Durability {
  /**
   * Syncs every file and folder changed since the last flush: the log first, the control file
   * last. Once a sync has failed, every flush fails with that error, so every statement does:
   * after a failed fsync the OS may have dropped the pages it could not write and call them clean,
   * so a later sync that succeeds proves nothing. As PostgreSQL stops there, the database answers
   * nothing more (and `/readyz` says why) until it is opened again and recovers from its log.
   */
  flush(): void;
}

/** Emscripten's node objects, as far as this module touches them. */
type FsNode = object;
interface Stream {
  node: FsNode;
}
type Operation = (...args: never[]) => unknown;
interface NodeFs {
  realPath(node: FsNode): string;
  node_ops: Record<string, Operation>;
  stream_ops: Record<string, Operation>;
}

const dataFolder = '/pglite/data';

/**
 * Watches the writes of pg's data folder (nothing when it lives in memory). The caller flushes
 * after each statement or transaction, before it answers.
 */
export function keepDurable(pg: PGlite, io: SyncIo = diskSync): Durability {
  const mounted = mountedFs(pg);
  if (!mounted) return { flush: () => undefined };
  const { fs: nodeFs, root } = mounted;
  const log = new Set<string>();
  const files = new Set<string>();
  const folders = new Set<string>();
  const isLog = (path: string) => path.startsWith(`${root}/pg_wal/`);
  const isControl = (path: string) => path === `${root}/global/pg_control`;

  let failure: unknown;
  const syncAll = (paths: Set<string>, sync: (path: string) => void, keep?: (path: string) => boolean) => {
    if (failure !== undefined) throw failure;
    for (const path of paths) {
      if (keep?.(path)) continue;
      try {
        sync(path);
      } catch (error) {
        failure = error;
        throw error;
      }
      paths.delete(path);
    }
  };
  const syncLog = () => syncAll(log, io.syncFile);
  const changed = (path: string) => (isLog(path) ? log : files).add(path);
  // Not kept on the stream: a file can be renamed while it is open.
  const pathOf = (stream: Stream) => nodeFs.realPath(stream.node);
  const before = (path: string) => {
    if (isLog(path)) return;
    syncLog();
    if (isControl(path)) syncAll(files, io.syncFile, isControl);
  };

  const streams = nodeFs.stream_ops as Record<string, (...args: unknown[]) => unknown>;
  const nodes = nodeFs.node_ops as Record<string, (...args: unknown[]) => unknown>;
  wrap(streams, 'write', (stream: Stream) => {
    const path = pathOf(stream);
    before(path);
    return () => changed(path);
  });
  wrap(streams, 'setattr', (stream: Stream, attributes: { size?: number }) => {
    const path = pathOf(stream);
    if (attributes.size === undefined) return undefined;
    before(path);
    return () => changed(path);
  });
  wrap(nodes, 'setattr', (node: FsNode, attributes: { size?: number }) => {
    if (attributes.size === undefined) return undefined;
    const path = nodeFs.realPath(node);
    before(path);
    return () => changed(path);
  });
  wrap(nodes, 'mknod', (parent: FsNode, name: string) => {
    const folder = nodeFs.realPath(parent);
    return () => {
      folders.add(folder);
      changed(`${folder}/${name}`);
    };
  });
  // As Postgres's durable_rename: the file's content is on disk before its new name is.
  wrap(nodes, 'rename', (node: FsNode, newParent: FsNode) => {
    const from = nodeFs.realPath(node);
    const folder = nodeFs.realPath(newParent);
    if (log.has(from) || files.has(from)) syncAll(new Set([from]), io.syncFile);
    log.delete(from);
    files.delete(from);
    return () => folders.add(dirname(from)).add(folder);
  });
  for (const removal of ['unlink', 'rmdir']) {
    wrap(nodes, removal, (parent: FsNode, name: string) => {
      const folder = nodeFs.realPath(parent);
      return () => {
        folders.add(folder);
        log.delete(`${folder}/${name}`);
        files.delete(`${folder}/${name}`);
        folders.delete(`${folder}/${name}`);
      };
    });
  }

  return {
    flush() {
      if (failure !== undefined) throw failure;
      syncLog();
      syncAll(files, io.syncFile, isControl);
      syncAll(files, io.syncFile);
      syncAll(folders, io.syncFolder);
    },
  };
}

/**
 * Replaces ops[name] with the same operation watched: `watch` runs before it, with its arguments,
 * and the function it answers runs after it succeeds.
 */
function wrap<A extends unknown[]>(ops: Record<string, (...args: unknown[]) => unknown>, name: string, watch: (...args: A) => (() => void) | undefined): void {
  const operation = ops[name];
  if (!operation) throw new Error(`the embedded database's file system has no ${name}`);
  ops[name] = (...args: unknown[]) => {
    const after = watch(...(args as A));
    const result = operation.apply(ops, args);
    after?.();
    return result;
  };
}

/** The host file system under pg's data folder (Emscripten's NODEFS) and the folder's host path, or undefined in memory. */
function mountedFs(pg: PGlite): { fs: NodeFs; root: string } | undefined {
  const FS = (pg.Module as unknown as { FS: { lookupPath(path: string): { node: FsNode & { mount: { type: Partial<NodeFs> } } } } }).FS;
  const { node } = FS.lookupPath(dataFolder);
  const type = node.mount.type;
  if (typeof type.realPath !== 'function' || !type.stream_ops || !type.node_ops) return undefined;
  const fs = type as NodeFs;
  return { fs, root: fs.realPath(node) };
}
