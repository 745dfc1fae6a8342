// Benchmark: inbound SCIM on `roster serve` (the real CLI, in its own process), PGlite on disk and
// PostgreSQL, with 10,000 people seeded. 16 keep-alive connections (undici) per scenario: filter
// GET, GET by id, PATCH, POST and list-100; req/s, p50 and p99. Then an IdP's leavers: 100
// disables, 25 ms apart, each timed from its PATCH until it reads deactivated in both simulated apps
// (a SCIM app and Netskope), carried out by the worker inside `roster serve`.
//   node bench/inbound.bench.ts [--seconds 5] [--people 10000] [--kinds pglite,postgres] [--leavers 100]
//                               [--reconcile-people 100000] [--serve-processes 1,3]
//                               [--scenarios filter,get,patch,post,list,leavers]
// --reconcile-people: on PostgreSQL, the leavers are timed while a reconcile of an app with that
// many accounts (sync, then plan) runs on the same database. --serve-processes: inbound throughput
// through that many `roster serve --no-worker` processes on one PostgreSQL (--kinds '' for only that).
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request as httpRequest } from 'node:http';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createToken } from '../src/auth/tokens.ts';
import { Pool } from 'undici';
import { startNetskopeSimulator } from '../simulators/netskope/index.ts';
import { startScimSimulator } from '../simulators/scim/index.ts';
import { parseConfig } from '../src/config/load.ts';
import { syncApps } from '../src/engine/sync.ts';
import type { Database } from '../src/store/database.ts';
import { personColumns } from '../src/store/directory.ts';
import { openDatabase } from '../src/store/open.ts';
import { createScimToken } from '../src/store/scim-tokens.ts';
import { openPostgres } from '../src/store/postgres.ts';
import { testPostgresUrl } from '../src/store/testing.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    people: { type: 'string', default: '10000' },
    kinds: { type: 'string', default: 'pglite,postgres' },
    leavers: { type: 'string', default: '100' },
    'serve-processes': { type: 'string', default: '' },
    'reconcile-people': { type: 'string', default: '0' },
    scenarios: { type: 'string', default: 'filter,get,patch,post,list,leavers' },
  },
});
const seconds = Number(values.seconds);
const size = Number(values.people);
const leaverCount = Number(values.leavers);
const cli = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const CONNECTIONS = 16;
const scenarios = new Set(values.scenarios.split(','));

interface Place {
  kind: 'pglite' | 'postgres';
  home: string;
  env: Record<string, string>;
  open(): Promise<Database>;
  drop(): Promise<void>;
}

function place(kind: 'pglite' | 'postgres'): Place {
  const home = mkdtempSync(join(tmpdir(), 'roster-bench-'));
  if (kind === 'pglite') return { kind, home, env: { ROSTER_HOME: home }, open: () => openDatabase({ home }), drop: async () => undefined };
  const schema = `roster_bench_${Math.random().toString(36).slice(2, 8)}`;
  return {
    kind,
    home,
    env: { ROSTER_HOME: home, DATABASE_URL: testPostgresUrl, ROSTER_DB_SCHEMA: schema },
    open: () => openDatabase({ databaseUrl: testPostgresUrl, schema }),
    async drop() {
      const admin = await openPostgres(testPostgresUrl, { max: 1 });
      await admin.exec(`drop schema if exists ${schema} cascade; drop schema if exists ${schema}_queue cascade`);
      await admin.close();
    },
  };
}

const userBody = (i: number, extra: Record<string, unknown> = {}) => ({
  schemas: [USER, ENTERPRISE],
  externalId: `ext-${i}`,
  userName: `user${i}@bench.example`,
  displayName: `User ${i}`,
  name: { givenName: `Given${i}`, familyName: `Family${i}` },
  title: i % 2 ? 'Engineer' : 'Analyst',
  active: true,
  emails: [{ value: `user${i}@bench.example`, type: 'work', primary: true }],
  [ENTERPRISE]: { department: `Dept ${i % 40}`, employeeNumber: String(i) },
  ...extra,
});

/** 10,000 pushed people, in one statement per 1,000. */
async function seed(db: Database): Promise<string[]> {
  const ids: string[] = [];
  for (let from = 0; from < size; from += 1000) {
    const rows = [];
    for (let i = from; i < Math.min(size, from + 1000); i++) {
      const body = userBody(i);
      const c = personColumns(body);
      const id = `p${String(i).padStart(6, '0')}`;
      ids.push(id);
      rows.push({ id, external_id: c.externalId, user_name: c.userName, display_name: c.displayName, given_name: c.givenName, family_name: c.familyName, email: c.email, emails: c.emails, department: c.department, title: c.title, scim: body });
    }
    await db.query(
      `insert into people (id, external_id, user_name, display_name, given_name, family_name, email, emails, active, department, title, groups, source, scim)
       select x.id, x.external_id, x.user_name, x.display_name, x.given_name, x.family_name, x.email, x.emails, true, x.department, x.title, '[]'::jsonb, 'scim', x.scim
         from jsonb_to_recordset($1::jsonb) as x(id text, external_id text, user_name text, display_name text, given_name text, family_name text, email text, emails jsonb, department text, title text, scim jsonb)`,
      [JSON.stringify(rows)],
    );
  }
  // A directory in steady state, as autovacuum leaves one after a bulk load (the embedded database has none).
  await db.exec('vacuum analyze people');
  return ids;
}

function serve(p: Place, env: Record<string, string>, args: string[] = []): Promise<{ child: ChildProcess; origin: string }> {
  const child = spawn(process.execPath, [cli, '--config', join(p.home, 'roster.yaml'), 'serve', ...args], { env: { ...process.env, ...p.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    let text = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const found = /SCIM at (http:\/\/127\.0\.0\.1:\d+)\/scim\/v2/.exec(text);
      if (found?.[1]) resolve({ child, origin: found[1] });
    });
    child.once('exit', (code) => reject(new Error(`roster serve exited ${code}: ${text}`)));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

interface Request {
  method: 'GET' | 'POST' | 'PATCH';
  path: string;
  body?: unknown;
}

/**
 * The load generator's connections to one `roster serve`: node:http keep-alive sockets. (undici's
 * Client keeps up to 256 finished requests per connection before it trims its queue; at thousands
 * of requests a second they outlived the young generation, and the load generator's own garbage
 * collection, pauses of up to 48 ms, was counted as the server's latency.)
 */
interface Target {
  origin: URL;
  agent: Agent;
}

const target = (origin: string, sockets: number): Target => ({ origin: new URL(origin), agent: new Agent({ keepAlive: true, maxSockets: sockets }) });

/** Sends one request and reads its whole response; answers its status. */
function send(to: Target, method: string, path: string, headers: Record<string, string>, body: string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    const sent = httpRequest(
      { host: to.origin.hostname, port: to.origin.port, method, path, agent: to.agent, headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) } },
      (response) => {
        response.resume();
        response.once('end', () => resolve(response.statusCode ?? 0));
        response.once('error', reject);
      },
    );
    sent.once('error', reject);
    sent.end(body);
  });
}

async function load(targets: Target | Target[], token: string, name: string, next: (n: number) => Request): Promise<string> {
  const spread = Array.isArray(targets) ? targets : [targets];
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' };
  const run = async (ms: number) => {
    const latencies: number[] = [];
    let n = 0;
    let failures = 0;
    const end = performance.now() + ms;
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async (_, connection) => {
        const to = spread[connection % spread.length] as Target;
        while (performance.now() < end) {
          const r = next(n++);
          const started = performance.now();
          const status = await send(to, r.method, `/scim/v2${r.path}`, headers, r.body ? JSON.stringify(r.body) : undefined);
          latencies.push(performance.now() - started);
          if (status >= 400) failures++;
        }
      }),
    );
    return { latencies, failures };
  };
  await run(1000);
  const { latencies, failures } = await run(seconds * 1000);
  latencies.sort((a, b) => a - b);
  const rate = latencies.length / seconds;
  return `${name.padEnd(12)} ${rate.toFixed(0).padStart(6)} req/s   p50 ${percentile(latencies, 50).toFixed(1).padStart(5)} ms   p99 ${percentile(latencies, 99).toFixed(1).padStart(6)} ms${failures ? `   ${failures} failed` : ''}`;
}

async function throughput(kind: 'pglite' | 'postgres'): Promise<void> {
  const p = place(kind);
  writeFileSync(join(p.home, 'roster.yaml'), 'server: { port: 0 }\n');
  const db = await p.open();
  const ids = await seed(db);
  const { value: token } = await createScimToken(db, 'bench', 'operator:bench');
  await db.close();
  const { child, origin } = await serve(p, {});
  const server = target(origin, CONNECTIONS);
  const pick = (n: number) => (n * 7919) % size;
  try {
    console.log(`\n${kind}: ${size.toLocaleString('en-US')} people, ${CONNECTIONS} connections, ${seconds} s each`);
    if (scenarios.has('filter')) console.log(await load(server, token, 'filter GET', (n) => ({ method: 'GET', path: `/Users?filter=${encodeURIComponent(`userName eq "user${pick(n)}@bench.example"`)}` })));
    if (scenarios.has('get')) console.log(await load(server, token, 'GET by id', (n) => ({ method: 'GET', path: `/Users/${ids[pick(n)]}` })));
    if (scenarios.has('patch')) console.log(await load(server, token, 'PATCH', (n) => ({ method: 'PATCH', path: `/Users/${ids[pick(n)]}`, body: { schemas: [PATCH], Operations: [{ op: 'replace', path: 'title', value: `Title ${n}` }] } })));
    let made = 0;
    if (scenarios.has('post')) console.log(await load(server, token, 'POST', () => ({ method: 'POST', path: '/Users', body: userBody(size + 1 + made++) })));
    if (scenarios.has('list')) console.log(await load(server, token, 'list-100', (n) => ({ method: 'GET', path: `/Users?startIndex=${1 + ((n * 100) % (size - 100))}&count=100` })));
  } finally {
    server.agent.destroy();
    await stop(child);
    await p.drop();
  }
}

/** Inbound SCIM on PostgreSQL through `processes` × `roster serve --no-worker`, the connections spread over them. */
async function scaledOut(processes: number): Promise<void> {
  const p = place('postgres');
  writeFileSync(join(p.home, 'roster.yaml'), 'server: { port: 0 }\n');
  const db = await p.open();
  const ids = await seed(db);
  const { value: token } = await createScimToken(db, 'bench', 'operator:bench');
  await db.close();
  const servers = await Promise.all(Array.from({ length: processes }, () => serve(p, {}, ['--no-worker'])));
  const targets = servers.map(({ origin }) => target(origin, Math.ceil(CONNECTIONS / processes)));
  const pick = (n: number) => (n * 7919) % size;
  try {
    console.log(`\npostgres, ${processes} × roster serve --no-worker: ${size.toLocaleString('en-US')} people, ${CONNECTIONS} connections spread over them, ${seconds} s each`);
    console.log(await load(targets, token, 'filter GET', (n) => ({ method: 'GET', path: `/Users?filter=${encodeURIComponent(`userName eq "user${pick(n)}@bench.example"`)}` })));
    console.log(await load(targets, token, 'PATCH', (n) => ({ method: 'PATCH', path: `/Users/${ids[pick(n)]}`, body: { schemas: [PATCH], Operations: [{ op: 'replace', path: 'title', value: `Title ${n}` }] } })));
    let made = 0;
    console.log(await load(targets, token, 'POST', () => ({ method: 'POST', path: '/Users', body: userBody(size + 1 + made++) })));
  } finally {
    for (const to of targets) to.agent.destroy();
    await Promise.all(servers.map(({ child }) => stop(child)));
    await p.drop();
  }
}

/**
 * A reconcile of a large app (its accounts in a child process) on the same database as `roster
 * serve`, started while the leavers are pushed: `roster sync`, then `roster plan`, each its own
 * process as an operator would run them (in this process they would starve the simulated apps
 * here). PostgreSQL only (the embedded database is one process's). Answers when it is done, with
 * its seconds.
 */
async function reconcileAlongside(p: Place, people: number): Promise<Promise<number>> {
  const child = spawn(process.execPath, [fileURLToPath(new URL('./reconcile-apps-child.ts', import.meta.url)), '--people', String(people), '--apps', '1'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  const [endpoint] = JSON.parse(line) as { baseUrl: string; token: string }[];
  const config = join(p.home, 'reconcile.yaml');
  // The CLI acts as a signed-in identity: an operator's API token, as a script would hold.
  const db = await p.open();
  const { value: operatorToken } = await createToken(db, { name: 'bench-reconcile', kind: 'api', role: 'operator', createdBy: 'operator:bench' });
  await db.close();
  writeFileSync(config, JSON.stringify({ apps: { big: { type: 'scim', baseUrl: endpoint?.baseUrl, auth: { type: 'bearer', token: 'env:BIG' }, rateBudget: false } } }));
  const run = (args: string[]) =>
    new Promise<void>((resolve, reject) => {
      const cliChild = spawn(process.execPath, [cli, '--config', config, ...args], { env: { ...process.env, ...p.env, BIG: endpoint?.token ?? '', ROSTER_TOKEN: operatorToken }, stdio: ['ignore', 'ignore', 'pipe'] });
      let text = '';
      cliChild.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
      cliChild.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`roster ${args[0]} exited ${code}: ${text.slice(-500)}`))));
    });
  return (async () => {
    const started = performance.now();
    try {
      await run(['sync']);
      await run(['plan']);
      return (performance.now() - started) / 1000;
    } finally {
      child.kill('SIGTERM');
    }
  })();
}

async function leavers(kind: 'pglite' | 'postgres'): Promise<void> {
  const p = place(kind);
  const tools = await startScimSimulator({ maxPageSize: 200 });
  tools.store.seedGroups([{ displayName: 'Staff' }]);
  const netskope = await startNetskopeSimulator({ scimToken: 'ns-bench', rateLimit: undefined, auditScimWrites: false });
  const env = { TOOLS_TOKEN: tools.settings.token, NS_TOKEN: 'ns-bench' };
  const policy = { assign: { groups: ['bench-staff'] }, approval: { massChange: { share: 1, minimum: 100000 } } };
  const raw = {
    server: { port: 0 },
    apps: {
      tools: { type: 'scim', baseUrl: tools.baseUrl, auth: { type: 'bearer', token: 'env:TOOLS_TOKEN' }, rateBudget: false, policy },
      netskope: { type: 'netskope', baseUrl: netskope.baseUrl, auth: { type: 'header', header: 'Netskope-Api-Token', token: 'env:NS_TOKEN' }, rateBudget: false, policy },
    },
  };
  writeFileSync(join(p.home, 'roster.yaml'), JSON.stringify(raw));
  const db = await p.open();
  const ids = await seed(db);
  const { value: token } = await createScimToken(db, 'bench', 'operator:bench');
  await syncApps(db, parseConfig(raw, undefined, { env }).apps, { actor: 'operator:bench' });
  await db.close();
  const { child, origin } = await serve(p, env);
  const pool = new Pool(origin, { connections: CONNECTIONS });
  const call = async (method: 'POST' | 'PATCH', path: string, body: unknown) => {
    const response = await pool.request({ method, path: `/scim/v2${path}`, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' }, body: JSON.stringify(body) });
    const text = await response.body.text();
    if (response.statusCode >= 300) throw new Error(`${method} ${path}: ${response.statusCode} ${text}`);
  };
  try {
    const staff = ids.slice(0, leaverCount);
    const userName = (id: string) => `user${Number(id.slice(1))}@bench.example`;
    const apps = [(u: string) => tools.store.findUserByUserName(u), (u: string) => netskope.scim.store.findUserByUserName(u)];
    const everywhere = (id: string, active: boolean) => apps.every((find) => find(userName(id))?.attrs.active === active);
    const joinStart = performance.now();
    await call('POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'bench-staff', members: staff.map((value) => ({ value })) });
    while (!staff.every((id) => everywhere(id, true))) {
      if (performance.now() - joinStart > 120_000) throw new Error('joiners not provisioned in 2 minutes');
      await sleep(20);
    }
    const joined = (performance.now() - joinStart) / 1000;
    const sent = new Map<string, number>();
    const done = new Map<string, number>();
    const reconcilePeople = kind === 'postgres' ? Number(values['reconcile-people']) : 0;
    const reconcile = reconcilePeople > 0 ? await reconcileAlongside(p, reconcilePeople) : undefined;
    const watcher = (async () => {
      while (done.size < staff.length) {
        for (const [id, at] of sent) if (!done.has(id) && everywhere(id, false)) done.set(id, performance.now() - at);
        await sleep(5);
      }
    })();
    for (const id of staff) {
      sent.set(id, performance.now());
      await call('PATCH', `/Users/${id}`, { schemas: [PATCH], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] });
      await sleep(25);
    }
    await Promise.race([watcher, sleep(120_000).then(() => Promise.reject(new Error(`only ${done.size} of ${staff.length} leavers deactivated in 2 minutes`)))]);
    const times = [...done.values()].sort((a, b) => a - b);
    console.log(`\n${kind}: ${staff.length} joiners provisioned in both apps in ${joined.toFixed(1)} s (one group push)`);
    const alongside = reconcile ? `, while a reconcile of ${reconcilePeople.toLocaleString('en-US')} accounts ran (it took ${(await reconcile).toFixed(1)} s)` : '';
    console.log(`${kind}: IdP disable → verified deactivated in both apps${alongside}, ${staff.length} leavers 25 ms apart: p50 ${(percentile(times, 50) / 1000).toFixed(2)} s   p99 ${(percentile(times, 99) / 1000).toFixed(2)} s   max ${((times.at(-1) ?? 0) / 1000).toFixed(2)} s`);
  } finally {
    await pool.close();
    await stop(child);
    await tools.close();
    await netskope.close();
    await p.drop();
  }
}

for (const kind of values.kinds.split(',').filter(Boolean) as ('pglite' | 'postgres')[]) {
  await throughput(kind);
  if (scenarios.has('leavers')) await leavers(kind);
}
for (const processes of values['serve-processes'].split(',').filter(Boolean).map(Number)) await scaledOut(processes);
