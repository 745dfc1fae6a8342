import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startScimSimulator, type RunningScimSimulator } from '../simulators/scim/index.ts';
import { generateOrganisation } from '../src/core/sample-org.ts';
import { testPostgresUrl } from '../src/store/testing.ts';
import { dropRosterSchema, roster, signInAsAdmin, spawnRoster, workspace } from './support/cli.ts';

const size = 300;

describe('scaled out: two roster workers on one PostgreSQL', () => {
  let sim: RunningScimSimulator;
  before(async () => {
    sim = await startScimSimulator({ maxPageSize: 500, latencyMs: 3 });
  });
  after(() => sim.close());

  it('share a plan’s work, each change done once', async (t) => {
    const cwd = workspace(`apps:\n  hr:\n    type: scim\n    baseUrl: ${sim.baseUrl}\n    auth: { type: bearer, token: env:HR_TOKEN }\n`);
    const schema = `roster_workers_${process.pid}`;
    const env = { HR_TOKEN: sim.settings.token, DATABASE_URL: testPostgresUrl, ROSTER_DB_SCHEMA: schema };
    t.after(() => dropRosterSchema(testPostgresUrl, schema));
    await signInAsAdmin(cwd, env);
    writeFileSync(join(cwd, 'people.json'), JSON.stringify(generateOrganisation({ size, seed: 77, domain: 'example.com', leaverShare: 0 })));
    for (const args of [['import', 'people.json'], ['sync']]) assert.equal((await roster(args, { cwd, env })).code, 0);
    const plan = JSON.parse((await roster(['plan', '--json'], { cwd, env })).stdout) as { id: string; changes: unknown[] };
    assert.equal(plan.changes.length, size);
    const queued = await roster(['apply', plan.id, '--no-wait'], { cwd, env });
    assert.match(queued.stdout, new RegExp(`${size} queued for roster worker`));

    const workers = [spawnRoster(['worker'], { cwd, env }), spawnRoster(['worker'], { cwd, env })];
    try {
      const deadline = Date.now() + 180_000;
      while (sim.store.userCount < size && Date.now() < deadline) await sleep(100);
      assert.equal(sim.store.userCount, size);
    } finally {
      for (const worker of workers) worker.kill('SIGTERM');
      await Promise.all(workers.map((w) => (w.exitCode === null ? once(w, 'exit') : undefined)));
    }
    assert.equal(sim.requests.count({ method: 'POST', pathIncludes: '/Users', status: 201 }), size, 'each created once');
    assert.equal(sim.requests.count({ method: 'POST', pathIncludes: '/Users', status: 409 }), 0);
    const applied = (await roster(['audit', '--action', 'change.applied', '--json', '--limit', '1000'], { cwd, env })).stdout.trim().split('\n');
    assert.equal(applied.length, size, 'one change.applied per change');
    const started = (await roster(['audit', '--action', 'change.started', '--json', '--limit', '1000'], { cwd, env })).stdout.trim().split('\n');
    const byWorker = new Set(started.map((line) => (JSON.parse(line) as { detail: { worker: string } }).detail.worker));
    assert.equal(byWorker.size, 2, 'both workers took work');
  });
});
