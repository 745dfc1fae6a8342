// Benchmark: the dashboard pages and API routes on a large tenant.
//   node bench/dashboard.bench.ts [--people 100000] [--apps 3] [--runs 20] [--db pglite|postgres]
// Seeds people, each app's accounts (~97% of people, with drift, leavers still active, orphans and
// pending invitations), links, request records in the trail and a held plan; then asks each page
// and route `runs` times through the app (in process, no socket) and prints p50 / p99 latency.
import { parseArgs } from 'node:util';
import { parseConfig } from '../src/config/load.ts';
import type { RemoteAccount } from '../src/core/account.ts';
import { linkAccounts } from '../src/core/links.ts';
import { generateOrganisation } from '../src/core/sample-org.ts';
import { recordAudit, type AuditInput } from '../src/audit/trail.ts';
import { makePlan } from '../src/engine/planning.ts';
import { createServerApp } from '../src/server/app.ts';
import { createToken } from '../src/auth/tokens.ts';
import { completeSyncRun, ensureApp, insertAccounts, startSyncRun } from '../src/store/accounts.ts';
import { replaceLinks } from '../src/store/links.ts';
import { upsertPeople } from '../src/store/people.ts';
import { openTestDatabase } from '../src/store/testing.ts';
import { fmt, pad } from './report.ts';

const { values } = parseArgs({ options: { people: { type: 'string', default: '100000' }, apps: { type: 'string', default: '3' }, runs: { type: 'string', default: '20' }, db: { type: 'string', default: 'pglite' }, analyze: { type: 'boolean', default: false } } });
const size = Number(values.people);
const appCount = Number(values.apps);
const runs = Number(values.runs);
if (values.db !== 'pglite' && values.db !== 'postgres') throw new Error('--db is pglite or postgres');

const seedStarted = performance.now();
const db = await openTestDatabase(values.db);
const people = generateOrganisation({ size, seed: 3, domain: 'example.com' });
for (let i = 0; i < people.length; i += 5000) await upsertPeople(db, people.slice(i, i + 5000), 'bench');
const appNames = Array.from({ length: appCount }, (_, a) => `app${a}`);
const config = parseConfig({ apps: Object.fromEntries(appNames.map((name) => [name, { type: 'scim', baseUrl: 'http://127.0.0.1:9', auth: { type: 'bearer', token: 'env:T' }, rateBudget: false }])) }, undefined, { env: { T: 'x' } });
for (const [a, name] of appNames.entries()) {
  const accounts: RemoteAccount[] = [];
  people.forEach((p, i) => {
    if ((i + a) % 33 === 0) return;
    accounts.push({
      remoteId: `${a}-${i}`,
      userName: p.userName,
      email: p.email,
      displayName: p.displayName,
      department: (i + a) % 50 === 0 ? 'Somewhere Else' : p.department,
      title: p.title,
      active: true,
      groups: [],
      ...((i + a) % 97 === 0 ? { pending: 'invitation sent' } : {}),
      raw: {},
    });
  });
  for (let o = 0; o < size / 200; o += 1) accounts.push({ remoteId: `${a}-orphan-${o}`, userName: `orphan${o}@example.com`, email: `orphan${o}@example.com`, active: true, groups: [], raw: {} });
  await ensureApp(db, { name, type: 'scim', baseUrl: 'http://127.0.0.1:9' });
  const syncId = await startSyncRun(db, name);
  for (let i = 0; i < accounts.length; i += 5000) await insertAccounts(db, syncId, name, accounts.slice(i, i + 5000));
  await completeSyncRun(db, syncId, name, { accountsRead: accounts.length, listRequests: Math.ceil(accounts.length / 100) });
  await replaceLinks(db, name, linkAccounts(name, people, accounts, []).links);
  const reads: AuditInput[] = Array.from({ length: Math.ceil(accounts.length / 100) }, (_, n) => ({ actor: 'system:bench', action: 'app.read', appName: name, target: `GET /Users?startIndex=${n * 100 + 1}`, detail: { status: 200, ms: 40 } }));
  for (let i = 0; i < reads.length; i += 2000) await recordAudit(db, reads.slice(i, i + 2000));
}
const leaver = people.find((p) => !p.active) ?? people[0];
if (!leaver) throw new Error('no people');
const plan = await makePlan(db, config.apps, { actor: 'operator:olga', people: [leaver.userName] });
const someone = people[Math.floor(size / 2)] ?? leaver;
if (values.analyze) await db.exec("analyze");
const seedMs = performance.now() - seedStarted;

const app = createServerApp({ db, apps: config.apps });
const { value: token } = await createToken(db, { name: 'bench', kind: 'api', role: 'admin', createdBy: 'operator:bench' });

const routes: [string, string][] = [
  ['page', '/'],
  ['page', '/matrix'],
  ['page', '/matrix?cursor=m'],
  ['page', `/matrix?search=${encodeURIComponent(someone.familyName ?? 'a')}`],
  ['page', `/matrix?department=${encodeURIComponent(someone.department ?? '')}`],
  ['page', '/matrix?problem=drift&app=app1'],
  ['page', '/matrix?problem=leaver'],
  ['page', `/people/${someone.id}`],
  ['page', '/findings?kind=missing&app=app0'],
  ['page', '/plans'],
  ['page', `/plans/${plan.id}`],
  ['page', '/operations'],
  ['page', '/apps'],
  ['page', '/audit'],
  ['api', '/api/overview'],
  ['api', '/api/matrix?limit=100'],
  ['api', `/api/people?search=${encodeURIComponent(someone.email?.slice(0, 8) ?? 'a')}`],
  ['api', '/api/people?problem=missing&limit=100'],
  ['api', `/api/people/${encodeURIComponent(someone.userName)}`],
  ['api', '/api/findings?kind=drift&limit=100'],
  ['api', '/api/apps'],
  ['api', `/api/plans/${plan.id}`],
  ['api', '/api/audit?action=app.read&limit=100'],
];

const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
console.log(`dashboard and API, ${fmt(size)} people × ${appCount} apps on ${values.db} (seeded in ${(seedMs / 1000).toFixed(0)} s), ${runs} runs each after one warm-up`);
console.log(`${pad('', 5)}${pad('route', 52)}${pad('p50', 10)}${pad('p99', 10)}bytes`);
for (const [kind, path] of routes) {
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i <= runs; i += 1) {
    const started = performance.now();
    const response = await app.request(`http://127.0.0.1${path}`, { headers: { authorization: `Bearer ${token}` } });
    const body = await response.text();
    if (response.status !== 200) throw new Error(`${path}: ${response.status} ${body.slice(0, 300)}`);
    if (i > 0) times.push(performance.now() - started);
    bytes = body.length;
  }
  times.sort((a, b) => a - b);
  console.log(`${pad(kind, 5)}${pad(path.length > 50 ? `${path.slice(0, 49)}…` : path, 52)}${pad(`${percentile(times, 50).toFixed(0)} ms`, 10)}${pad(`${percentile(times, 99).toFixed(0)} ms`, 10)}${fmt(bytes)}`);
}
await db.close();
