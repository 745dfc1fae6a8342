// Benchmark: the embedded database's resident memory, with PGlite's own defaults and with roster's
// settings (src/store/pglite.ts embeddedSettings). Each variant runs in a fresh process: open a new
// database folder and migrate it (baseline), then store and read back 50,000 accounts (working).
//   node --expose-gc bench/pglite-memory.bench.ts [--accounts 50000]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { RemoteAccount } from '../src/core/account.ts';
import { currentAccounts, ensureApp, insertAccounts, startSyncRun, completeSyncRun } from '../src/store/accounts.ts';
import { migrate } from '../src/store/migrate.ts';
import { embeddedSettings, openPglite } from '../src/store/pglite.ts';

const { values } = parseArgs({ options: { accounts: { type: 'string', default: '50000' }, variant: { type: 'string' } } });
const mib = (bytes: number) => Math.round(bytes / 1024 / 1024);

/** RSS once the process has settled: V8 compiles and tiers up PGlite's WASM in the background. */
async function settledRss(): Promise<number> {
  let rss = 0;
  for (let i = 0; i < 6; i++) {
    global.gc?.();
    await sleep(500);
    rss = Math.max(rss, process.memoryUsage().rss);
  }
  return rss;
}

if (values.variant) {
  const home = mkdtempSync(join(tmpdir(), 'roster-pgmem-'));
  const started = performance.now();
  const db = await openPglite(join(home, 'db'), { settings: values.variant === 'roster' ? embeddedSettings : [] });
  await migrate(db);
  const openMs = performance.now() - started;
  const baseline = await settledRss();
  const count = Number(values.accounts);
  await ensureApp(db, { name: 'bench', type: 'scim', baseUrl: 'http://127.0.0.1' });
  const syncId = await startSyncRun(db, 'bench');
  const work = performance.now();
  for (let from = 0; from < count; from += 500) {
    const page: RemoteAccount[] = [];
    for (let i = from; i < Math.min(count, from + 500); i++) page.push({ remoteId: `r${i}`, userName: `user${i}@example.com`, email: `user${i}@example.com`, displayName: `User ${i}`, active: true, department: 'Engineering', groups: [], raw: { id: `r${i}`, userName: `user${i}@example.com`, meta: { resourceType: 'User' } } });
    await insertAccounts(db, syncId, 'bench', page);
  }
  await completeSyncRun(db, syncId, 'bench', { accountsRead: count, listRequests: count / 500 });
  const read = (await currentAccounts(db, 'bench')).length;
  const workMs = performance.now() - work;
  const working = await settledRss();
  await db.close();
  rmSync(home, { recursive: true, force: true });
  console.log(JSON.stringify({ baseline, working, openMs, workMs, read }));
} else {
  const self = fileURLToPath(import.meta.url);
  console.log(`PGlite resident memory (fresh process, new folder, migrated; then ${Number(values.accounts).toLocaleString('en-US')} accounts stored and read)`);
  for (const variant of ['pglite-defaults', 'roster']) {
    const out = execFileSync(process.execPath, ['--expose-gc', self, '--variant', variant, '--accounts', String(values.accounts)], { encoding: 'utf8', maxBuffer: 1 << 24 });
    const r = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as { baseline: number; working: number; openMs: number; workMs: number };
    console.log(`  ${variant.padEnd(16)} baseline rss ${String(mib(r.baseline)).padStart(4)} MiB   working rss ${String(mib(r.working)).padStart(4)} MiB   open+migrate ${(r.openMs / 1000).toFixed(1)} s   store+read ${(r.workMs / 1000).toFixed(1)} s`);
  }
  console.log(`  roster's settings: ${embeddedSettings.join(', ')}`);
}
