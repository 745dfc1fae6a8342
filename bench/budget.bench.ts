// Benchmark: one rate budget shared by several `roster worker` processes through PostgreSQL.
//   node bench/budget.bench.ts [--workers 3] [--changes 400] [--limit 10] [--per-ms 1000] [--kill]
// A SCIM simulator (in this process) enforces `limit` requests in any sliding window of `per-ms`
// and logs each arrival; the workers carry out a plan of `changes` creates. Prints the share of
// the limit used while they worked (target ≥ 90 %), the requests over the limit (target 0) and
// the operations lost (target 0). --kill: one worker is killed with SIGKILL part way. Keep the
// limit below what the workers manage unpaced (about 8 creates a second each on a loaded 2-core
// machine), or the share measures the workers rather than the budget.
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { startScimSimulator } from '../simulators/scim/index.ts';
import { busiestWindow } from '../simulators/shared/rate-limit.ts';
import { generateOrganisation } from '../src/core/sample-org.ts';
import { openPostgres } from '../src/store/postgres.ts';
import { testPostgresUrl } from '../src/store/testing.ts';
import { dropRosterSchema, roster, spawnRoster } from '../test/support/cli.ts';
import { fmt } from './report.ts';

const { values } = parseArgs({
  options: {
    workers: { type: 'string', default: '3' },
    changes: { type: 'string', default: '400' },
    limit: { type: 'string', default: '10' },
    'per-ms': { type: 'string', default: '1000' },
    kill: { type: 'boolean', default: false },
  },
});
const workers = Number(values.workers);
const changes = Number(values.changes);
const limit = Number(values.limit);
const perMs = Number(values['per-ms']);

const sim = await startScimSimulator({ maxPageSize: 500, rateLimit: { requests: limit, perMs, window: 'sliding' } });
const cwd = mkdtempSync(join(tmpdir(), 'roster-budget-bench-'));
writeFileSync(join(cwd, 'roster.yaml'), `apps:\n  hr:\n    type: scim\n    baseUrl: ${sim.baseUrl}\n    auth: { type: bearer, token: env:HR_TOKEN }\n    rateLimit: { requests: ${limit}, perSeconds: ${perMs / 1000} }\n`);
writeFileSync(join(cwd, 'people.json'), JSON.stringify(generateOrganisation({ size: changes, seed: 99, domain: 'example.com', leaverShare: 0 })));
const schema = `roster_budget_bench_${process.pid}`;
const env = { HR_TOKEN: sim.settings.token, DATABASE_URL: testPostgresUrl, ROSTER_DB_SCHEMA: schema };
const db = await openPostgres(testPostgresUrl, { max: 1, schema });
try {
  for (const args of [['import', 'people.json'], ['sync']]) {
    const run = await roster(args, { cwd, env });
    if (run.code !== 0) throw new Error(run.stderr);
  }
  const plan = JSON.parse((await roster(['plan', '--json'], { cwd, env })).stdout) as { id: string };
  await roster(['apply', plan.id, '--no-wait'], { cwd, env });
  sim.requests.clear();

  const started = Date.now();
  const children = Array.from({ length: workers }, () => spawnRoster(['worker'], { cwd, env }));
  let killedAt: number | undefined;
  const open = async () => (await db.query<{ n: number }>("select count(*)::int as n from operations where state not in ('done', 'failed', 'skipped')"))[0]?.n ?? 0;
  while ((await open()) > 0 && Date.now() - started < 600_000) {
    if (values.kill && killedAt === undefined && sim.store.userCount >= changes / 3) {
      children[0]?.kill('SIGKILL');
      killedAt = Date.now();
    }
    await sleep(100);
  }
  const finished = Date.now();
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  await Promise.all(children.map((c) => (c.exitCode === null && c.signalCode === null ? once(c, 'exit') : undefined)));

  const log = sim.requests.entries;
  const first = Math.min(...log.map((r) => r.at));
  const last = Math.max(...log.map((r) => r.at));
  // The limit allows `limit` per window; the span from the first arrival to the last holds at most this many.
  const allowed = limit * ((last - first) / perMs) + limit;
  const refused = log.filter((r) => r.status === 429).length;
  const busiest = busiestWindow(log.map((r) => r.at), perMs);
  const [states] = await db.query<{ done: number; failed: number; other: number }>("select count(*) filter (where state = 'done')::int as done, count(*) filter (where state = 'failed')::int as failed, count(*) filter (where state not in ('done', 'failed'))::int as other from operations");
  const creates = sim.requests.count({ method: 'POST', pathIncludes: '/Users', status: 201 });

  console.log(`budget: ${workers} roster workers on one PostgreSQL, an app allowing ${limit} requests in any ${perMs} ms (sliding), ${fmt(changes)} creates${values.kill ? ', one worker SIGKILLed part way' : ''}`);
  console.log(`  wall time                 ${((finished - started) / 1000).toFixed(1)} s (requests from first to last: ${((last - first) / 1000).toFixed(1)} s)`);
  console.log(`  requests at the app       ${fmt(log.length)}`);
  console.log(`  share of the limit used   ${((100 * log.length) / allowed).toFixed(1)} % (target ≥ 90 %)${values.kill ? ' — includes the wait for the dead worker’s leases' : ''}`);
  console.log(`  busiest window            ${busiest} of ${limit}`);
  console.log(`  requests over the limit   ${refused + Math.max(0, busiest - limit)} (429s: ${refused}) (target 0)`);
  console.log(`  operations lost           ${changes - (states?.done ?? 0) - (states?.failed ?? 0)} (done ${states?.done}, failed ${states?.failed}, unfinished ${states?.other}) (target 0)`);
  console.log(`  created / duplicates      ${creates} / ${sim.requests.count({ method: 'POST', pathIncludes: '/Users', status: 409 })}`);
} finally {
  await db.close();
  await dropRosterSchema(testPostgresUrl, schema);
  await sim.close();
}
