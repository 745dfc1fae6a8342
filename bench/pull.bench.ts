// Benchmark: `roster pull` from each IdP simulator.
//   node bench/pull.bench.ts [--idp entra|okta|both] [--users 100000] [--groups 2000] [--changes 100] [--db pglite|postgres]
// A full pull of the tenant, then an incremental pull after N changes in the IdP (a quarter each:
// joiners, movers into another group, leavers, attribute edits). The simulator runs in a child
// process so the memory figure is roster's alone. Prints wall time, peak memory, and the requests
// made beside the fewest that could read the same data.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseConfig } from '../src/config/load.ts';
import { pullSource, type PullReport } from '../src/engine/pull.ts';
import type { ResolvedPullSource } from '../src/sources/config.ts';
import type { Database } from '../src/store/database.ts';
import { migrate } from '../src/store/migrate.ts';
import { openPglite } from '../src/store/pglite.ts';
import { openTestDatabase } from '../src/store/testing.ts';

const { values } = parseArgs({
  options: {
    idp: { type: 'string', default: 'both' },
    users: { type: 'string', default: '100000' },
    groups: { type: 'string', default: '2000' },
    changes: { type: 'string', default: '100' },
    db: { type: 'string', default: 'pglite' },
  },
});
const childMain = fileURLToPath(new URL('./idp-simulator-child.ts', import.meta.url));

async function startChild(idp: string): Promise<{ child: ChildProcess; lines: Interface; ready: Record<string, string> }> {
  const child = spawn(process.execPath, [childMain, '--idp', idp, '--users', values.users, '--groups', values.groups], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  for await (const line of lines) {
    if (line.startsWith('{')) return { child, lines, ready: JSON.parse(line) as Record<string, string> };
  }
  throw new Error('simulator did not start');
}

async function measure(fn: () => Promise<PullReport>): Promise<{ report: PullReport; seconds: number; peakRssMb: number; peakHeapMb: number }> {
  global.gc?.();
  let peakRss = 0;
  let peakHeap = 0;
  const sample = () => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  };
  const sampler = setInterval(sample, 20);
  const started = performance.now();
  const report = await fn();
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  sample();
  return { report, seconds, peakRssMb: Math.round(peakRss / 1048576), peakHeapMb: Math.round(peakHeap / 1048576) };
}

async function bench(idp: 'entra' | 'okta'): Promise<void> {
  const { child, lines, ready } = await startChild(idp);
  const db: Database = values.db === 'postgres' ? await openTestDatabase('postgres') : await openPglite();
  if (values.db !== 'postgres') await migrate(db);
  const sourceConfig =
    idp === 'entra'
      ? { type: 'entra', tenantId: 'bench-tenant', clientId: 'bench', clientSecret: 'env:ENTRA_SECRET', authority: ready.origin, graphUrl: ready.graphUrl }
      : { type: 'okta', baseUrl: ready.origin, auth: { type: 'ssws', token: 'env:OKTA_TOKEN' } };
  const config = parseConfig({ sources: { [idp]: sourceConfig } }, undefined, { env: { ENTRA_SECRET: 'bench-secret', OKTA_TOKEN: 'bench-token' } });
  const source = config.sources[0] as ResolvedPullSource;
  try {
    const full = await measure(() => pullSource(db, source, { apps: [], plan: false }));
    const r = full.report;
    console.log(
      `${idp} full pull: ${r.read.people} people, ${r.read.groups} group records in ${full.seconds.toFixed(1)} s; peak RSS ${full.peakRssMb} MB (heap ${full.peakHeapMb} MB); ${r.requests} requests, minimum ${r.minimumRequests} (+${r.requests - r.minimumRequests})`,
    );
    child.stdin?.write(`change ${values.changes}\n`);
    for await (const line of lines) if (line.startsWith('changed')) break;
    const inc = await measure(() => pullSource(db, source, { apps: [], plan: false }));
    const i = inc.report;
    console.log(
      `${idp} incremental pull after ${values.changes} changes: ${i.changed.length} people changed (${i.created} new, ${i.leavers.length} leavers) in ${inc.seconds.toFixed(2)} s; peak RSS ${inc.peakRssMb} MB; ${i.requests} requests, minimum ${i.minimumRequests} (+${i.requests - i.minimumRequests})`,
    );
  } finally {
    await db.close();
    child.stdin?.end();
    child.kill();
    await once(child, 'exit');
  }
}

for (const idp of values.idp === 'both' ? (['entra', 'okta'] as const) : [values.idp as 'entra' | 'okta']) await bench(idp);
