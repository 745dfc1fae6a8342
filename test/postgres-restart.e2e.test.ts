// PostgreSQL restarts while roster applies a plan: a private cluster (its own folder and port)
// is stopped and started again part way. Every change is done exactly once in the end, or
// escalated with its reason; nothing is lost or done twice.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startScimSimulator, type RunningScimSimulator } from '../simulators/scim/index.ts';
import { generateOrganisation } from '../src/core/sample-org.ts';
import { privatePostgresAvailable, startPrivatePostgres, type PrivatePostgres } from './support/private-postgres.ts';
import { roster, signInAsAdmin, spawnRoster, workspace } from './support/cli.ts';

const size = 300;

describe('PostgreSQL restarted mid-apply', { skip: privatePostgresAvailable ? false : 'no PostgreSQL server binaries to run a private cluster' }, () => {
  let sim: RunningScimSimulator;
  let pg: PrivatePostgres;
  before(async () => {
    sim = await startScimSimulator({ maxPageSize: 500, latencyMs: 3 });
    pg = await startPrivatePostgres();
  });
  after(async () => {
    await sim.close();
    await pg.stop();
  });

  it('the apply that lived through it, or the next, does every change exactly once', async () => {
    const cwd = workspace(`apps:\n  hr:\n    type: scim\n    baseUrl: ${sim.baseUrl}\n    auth: { type: bearer, token: env:HR_TOKEN }\n    policy: { approval: { massChange: { share: 0.5, minimum: 1000 } } }\n`);
    const env = { HR_TOKEN: sim.settings.token, DATABASE_URL: pg.url };
    await signInAsAdmin(cwd, env);
    writeFileSync(join(cwd, 'people.json'), JSON.stringify(generateOrganisation({ size, seed: 8, domain: 'example.com', leaverShare: 0 })));
    for (const args of [['import', 'people.json'], ['sync']]) {
      const run = await roster(args, { cwd, env });
      assert.equal(run.code, 0, run.stderr);
    }
    const plan = JSON.parse((await roster(['plan', '--json'], { cwd, env })).stdout) as { id: string; changes: unknown[] };
    assert.equal(plan.changes.length, size);

    const apply = spawnRoster(['apply', plan.id], { cwd, env });
    let out = '';
    apply.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    apply.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const deadline = Date.now() + 120_000;
    while (sim.store.userCount < size * 0.3 && apply.exitCode === null && Date.now() < deadline) await sleep(20);
    assert.equal(apply.exitCode, null, `apply ended before the restart: ${out}`);
    await pg.restart(1500);
    const atRestart = sim.store.userCount;
    assert.ok(atRestart < size, `restarted part way (${atRestart} of ${size} created)`);
    const exited = apply.exitCode !== null || apply.signalCode !== null ? Promise.resolve([apply.exitCode] as unknown[]) : once(apply, 'exit');
    const [code] = (await exited) as [number | null];
    if (code !== 0) {
      // Escalated: it said why in one line, and the next apply takes up the rest.
      assert.match(out, /^roster: .+$/m, `a reason, not a crash: ${out.slice(-2000)}`);
      const resumed = await roster(['apply', plan.id], { cwd, env });
      assert.equal(resumed.code, 0, resumed.stderr + resumed.stdout);
      out = resumed.stdout;
    }
    assert.doesNotMatch(out, /Unhandled 'error' event/);
    assert.match(out, new RegExp(`plan ${plan.id}: ${size} done`), out.slice(-2000));

    assert.equal(sim.store.userCount, size, 'every account exists');
    assert.equal(sim.requests.count({ method: 'POST', pathIncludes: '/Users', status: 201 }), size, 'each created once');
    assert.equal(sim.requests.count({ method: 'POST', pathIncludes: '/Users', status: 409 }), 0, 'never a second create');
    const applied = (await roster(['audit', '--action', 'change.applied', '--json', '--limit', '5000'], { cwd, env })).stdout.trim().split('\n');
    assert.equal(applied.length, size, 'one change.applied per change');
    assert.equal(new Set(applied.map((line) => (JSON.parse(line) as { target: string }).target)).size, size);
    // The requests made while the database was away reached the trail once it was back.
    const requests = (await roster(['audit', '--action', 'app.request', '--json', '--limit', '10000'], { cwd, env })).stdout.trim().split('\n');
    const created = requests.map((line) => JSON.parse(line) as { target: string; detail: { status: number } }).filter((e) => e.target.startsWith('POST') && e.detail.status === 201);
    assert.equal(created.length, size, 'every create that succeeded is in the trail');
  });
});
