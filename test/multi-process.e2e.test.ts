// Scaled out on one PostgreSQL: three `roster worker` processes share one rate budget for the
// app's credential (kept in the database), one is killed with SIGKILL part way, and the app, a
// simulator that enforces its limit in every sliding window and logs each arrival, sees the
// combined traffic never over the limit and every change made exactly once.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChildProcess } from 'node:child_process';
import { startScimSimulator, type RunningScimSimulator } from '../simulators/scim/index.ts';
import { busiestWindow } from '../simulators/shared/rate-limit.ts';
import { generateOrganisation } from '../src/core/sample-org.ts';
import { openPostgres } from '../src/store/postgres.ts';
import { testPostgresUrl } from '../src/store/testing.ts';
import { dropRosterSchema, roster, signInAsAdmin, spawnRoster, workspace } from './support/cli.ts';

const size = 150;
const limit = { requests: 20, perMs: 1000 };

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 150_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function stop(workers: ChildProcess[]): Promise<void> {
  for (const worker of workers) if (worker.exitCode === null && worker.signalCode === null) worker.kill('SIGTERM');
  await Promise.all(workers.map((w) => (w.exitCode === null && w.signalCode === null ? once(w, 'exit') : undefined)));
}

describe('three roster workers on one PostgreSQL, one rate budget', () => {
  let sim: RunningScimSimulator;
  before(async () => {
    sim = await startScimSimulator({ maxPageSize: 100, rateLimit: { ...limit, window: 'sliding' } });
  });
  after(() => sim.close());

  it('one killed with SIGKILL mid-run: every change done exactly once, none lost, never over the app’s limit in any window', async (t) => {
    const cwd = workspace(`apps:\n  hr:\n    type: scim\n    baseUrl: ${sim.baseUrl}\n    auth: { type: bearer, token: env:HR_TOKEN }\n    rateLimit: { requests: ${limit.requests}, perSeconds: ${limit.perMs / 1000} }\n`);
    const schema = `roster_multi_${process.pid}`;
    const env = { HR_TOKEN: sim.settings.token, DATABASE_URL: testPostgresUrl, ROSTER_DB_SCHEMA: schema };
    t.after(() => dropRosterSchema(testPostgresUrl, schema));
    await signInAsAdmin(cwd, env);
    writeFileSync(join(cwd, 'people.json'), JSON.stringify(generateOrganisation({ size, seed: 314, domain: 'example.com', leaverShare: 0 })));
    for (const args of [['import', 'people.json'], ['sync']]) {
      const run = await roster(args, { cwd, env });
      assert.equal(run.code, 0, run.stderr);
    }
    const plan = JSON.parse((await roster(['plan', '--json'], { cwd, env })).stdout) as { id: string; changes: unknown[] };
    assert.equal(plan.changes.length, size);
    assert.match((await roster(['apply', plan.id, '--no-wait'], { cwd, env })).stdout, new RegExp(`${size} queued for roster worker`));

    const db = await openPostgres(testPostgresUrl, { schema, max: 1 });
    t.after(() => db.close());
    // A dead worker's claims wait out its lease: 8 s here rather than the default 30 (heartbeats every 2.7 s).
    const workers = [0, 1, 2].map(() => spawnRoster(['worker'], { cwd, env: { ...env, ROSTER_LEASE_SECONDS: '8' } }));
    let killedPid: number | undefined;
    try {
      // Kill a worker that holds claims, once a fifth of the work is done.
      await until(() => sim.store.userCount >= size / 5, 'a fifth of the accounts');
      let holder: ChildProcess | undefined;
      await until(async () => {
        const claims = await db.query<{ claimed_by: string }>("select distinct claimed_by from operations where state = 'running' and claimed_by is not null");
        holder = workers.find((w) => claims.some((c) => c.claimed_by.split(':').at(-2) === String(w.pid)));
        return holder !== undefined || sim.store.userCount >= size;
      }, 'a worker holding claims', 60_000);
      assert.ok(holder, 'a worker held claims part way');
      killedPid = holder.pid;
      holder.kill('SIGKILL');
      await once(holder, 'exit');
      const atKill = sim.store.userCount;
      assert.ok(atKill < size, `killed part way (${atKill} of ${size})`);
      // The rest is taken over once the dead worker's leases run out.
      await until(() => sim.store.userCount >= size, 'every account', 150_000);
      await until(async () => {
        const [open] = await db.query<{ n: number }>("select count(*)::int as n from operations where state not in ('done', 'failed', 'skipped')");
        return open?.n === 0;
      }, 'every operation settled', 60_000);
    } finally {
      await stop(workers);
    }

    const [byState] = await db.query<{ done: number; other: number }>("select count(*) filter (where state = 'done')::int as done, count(*) filter (where state <> 'done')::int as other from operations");
    assert.deepEqual(byState, { done: size, other: 0 }, 'every operation done, none lost');
    assert.equal(sim.requests.count({ method: 'POST', pathIncludes: '/Users', status: 201 }), size, 'each account created once');
    assert.equal(sim.requests.count({ method: 'POST', pathIncludes: '/Users', status: 409 }), 0, 'never a second create');
    const applied = (await roster(['audit', '--action', 'change.applied', '--json', '--limit', '1000'], { cwd, env })).stdout.trim().split('\n');
    assert.equal(new Set(applied.map((line) => (JSON.parse(line) as { target: string }).target)).size, size);
    assert.equal(applied.length, size, 'one change.applied per change');
    const started = (await roster(['audit', '--action', 'change.started', '--json', '--limit', '1000'], { cwd, env })).stdout.trim().split('\n');
    const pids = new Set(started.map((line) => (JSON.parse(line) as { detail: { worker: string } }).detail.worker.split(':').at(-2)));
    assert.ok(pids.has(String(killedPid)), 'the killed worker had taken work');
    assert.ok(pids.size >= 2, 'the survivors took the rest');

    // The app's own log: every request answered, none refused, no window of a second over the limit.
    assert.equal(sim.requests.count({ status: 429 }), 0, 'the app never had to refuse a request');
    const busiest = busiestWindow(sim.requests.entries.map((r) => r.at), limit.perMs);
    assert.ok(busiest <= limit.requests, `at most ${limit.requests} requests in any second at the app (busiest: ${busiest})`);
    assert.ok(busiest >= limit.requests * 0.75, `and the budget was used, not just respected (busiest second: ${busiest})`);
  });
});
