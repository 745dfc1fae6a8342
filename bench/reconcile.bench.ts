// Benchmark: a whole reconcile at scale, end to end: 100,000 people imported, 4 simulated SCIM
// apps synced (every account of each, page by page), then one plan for everyone.
//   node bench/reconcile.bench.ts [--people 100000] [--apps 4] [--page-size 500] [--db pglite|postgres] [--again]
// --again: then a second sync of every app (nothing changed in them), timed apart: a repeat reconcile.
// The apps run in a child process so the memory figures are roster's alone. Prints each phase's
// time, peak RSS (sampled) and the requests made beside the minimum.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseConfig } from '../src/config/load.ts';
import { makePlan } from '../src/engine/planning.ts';
import { syncApps } from '../src/engine/sync.ts';
import { generateOrganisation } from '../src/core/sample-org.ts';
import type { Database } from '../src/store/database.ts';
import { openDatabase } from '../src/store/open.ts';
import { upsertPeople } from '../src/store/people.ts';
import { openPostgres } from '../src/store/postgres.ts';
import { testPostgresUrl } from '../src/store/testing.ts';

const { values } = parseArgs({ options: { people: { type: 'string', default: '100000' }, apps: { type: 'string', default: '4' }, 'page-size': { type: 'string', default: '500' }, db: { type: 'string', default: 'pglite' }, again: { type: 'boolean', default: false } } });
const size = Number(values.people);
const appCount = Number(values.apps);
const pageSize = Number(values['page-size']);
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
const fmt = (n: number) => n.toLocaleString('en-US');

let peakRss = 0;
const sample = () => (peakRss = Math.max(peakRss, process.memoryUsage().rss));
const sampler = setInterval(sample, 20);
const baselineRss = process.memoryUsage().rss;

const child = spawn(process.execPath, [fileURLToPath(new URL('./reconcile-apps-child.ts', import.meta.url)), '--people', String(size), '--apps', String(appCount), '--page-size', String(pageSize)], { stdio: ['ignore', 'pipe', 'inherit'] });
let endpoints: { baseUrl: string; token: string }[] = [];
for await (const line of createInterface({ input: child.stdout })) {
  endpoints = JSON.parse(line) as typeof endpoints;
  break;
}
if (endpoints.length !== appCount) throw new Error('the simulated apps did not start');

const home = mkdtempSync(join(tmpdir(), 'roster-reconcile-'));
const schema = `roster_bench_${Math.random().toString(36).slice(2, 8)}`;
const db: Database = values.db === 'postgres' ? await openDatabase({ databaseUrl: testPostgresUrl, schema }) : await openDatabase({ home });
const env = Object.fromEntries(endpoints.map((e, i) => [`APP${i}_TOKEN`, e.token]));
const config = parseConfig(
  { apps: Object.fromEntries(endpoints.map((e, i) => [`app${i}`, { type: 'scim', baseUrl: e.baseUrl, auth: { type: 'bearer', token: `env:APP${i}_TOKEN` }, rateBudget: false, policy: { approval: { massChange: { share: 1, minimum: 10_000_000 } } } }])) },
  undefined,
  { env },
);

const phases: { name: string; seconds: number; cpuSeconds: number; peakRss: number }[] = [];
async function phase<T>(name: string, fn: () => Promise<T>): Promise<T> {
  peakRss = process.memoryUsage().rss;
  const started = performance.now();
  const cpu = process.cpuUsage();
  const result = await fn();
  sample();
  const used = process.cpuUsage(cpu);
  phases.push({ name, seconds: (performance.now() - started) / 1000, cpuSeconds: (used.user + used.system) / 1e6, peakRss });
  return result;
}

const total = performance.now();
let overallPeak = 0;
await phase('import', async () => {
  const people = generateOrganisation({ size, seed: 3, domain: 'bench.example' });
  for (let from = 0; from < people.length; from += 5000) await db.transaction((tx) => upsertPeople(tx, people.slice(from, from + 5000), 'import'));
});
overallPeak = Math.max(overallPeak, peakRss);
const reports = await phase('sync', () =>
  syncApps(db, config.apps, {
    actor: 'operator:bench',
    onAppDone: (r) => console.error(`  synced ${r.appName}: ${fmt(r.accountsRead)} accounts in ${(r.ms / 1000).toFixed(1)} s`),
  }),
);
overallPeak = Math.max(overallPeak, peakRss);
const plan = await phase('plan', () => makePlan(db, config.apps, { actor: 'operator:bench' }));
overallPeak = Math.max(overallPeak, peakRss);
const seconds = (performance.now() - total) / 1000;
if (values.again) {
  const again = await phase('resync', () => syncApps(db, config.apps, { actor: 'operator:bench' }));
  if (again.some((r) => !r.ok)) throw new Error('the repeat sync failed');
}
clearInterval(sampler);

await db.close();
child.kill('SIGTERM');
await once(child, 'exit');
rmSync(home, { recursive: true, force: true });
if (values.db === 'postgres') {
  const admin = await openPostgres(testPostgresUrl, { max: 1 });
  await admin.exec(`drop schema if exists ${schema} cascade; drop schema if exists ${schema}_queue cascade`);
  await admin.close();
}

const failed = reports.filter((r) => !r.ok);
if (failed.length > 0) throw new Error(`sync failed: ${failed.map((r) => `${r.appName}: ${r.error}`).join('; ')}`);
const accounts = reports.reduce((n, r) => n + r.accountsRead, 0);
const listRequests = reports.reduce((n, r) => n + r.listRequests, 0);
const requests = reports.reduce((n, r) => n + r.requests, 0);
const minimum = reports.reduce((n, r) => n + Math.max(1, Math.ceil(r.accountsRead / pageSize)), 0);
const byKind = new Map<string, number>();
for (const c of plan.changes) byKind.set(c.kind, (byKind.get(c.kind) ?? 0) + 1);

console.log(`reconcile ${fmt(size)} people × ${appCount} apps (${fmt(accounts)} accounts), page size ${pageSize}, ${values.db}`);
for (const p of phases) console.log(`  ${p.name.padEnd(10)} ${p.seconds.toFixed(1).padStart(6)} s (roster's cpu ${p.cpuSeconds.toFixed(1)} s)   peak rss ${mb(p.peakRss)}`);
console.log(`  total      ${seconds.toFixed(1).padStart(6)} s (roster's cpu ${phases.filter((p) => p.name !== 'resync').reduce((n, p) => n + p.cpuSeconds, 0).toFixed(1)} s)   peak rss ${mb(overallPeak)} (baseline ${mb(baselineRss)})   targets < 60 s, < 1024 MiB`);
console.log(`  machine load average ${loadavg().map((n) => n.toFixed(1)).join(' ')} on ${availableParallelism()} cores (other work shares it)`);
if (values.again) console.log('  resync: every app synced again with nothing changed (a repeat reconcile), not in the total');
console.log(`  list requests ${fmt(listRequests)} (minimum ${fmt(minimum)}: ceil(accounts / ${pageSize}) per app); requests in all ${fmt(requests)}`);
console.log(`  plan    ${fmt(plan.changes.length)} changes (${[...byKind].map(([k, n]) => `${k} ${fmt(n)}`).join(', ')})`);
