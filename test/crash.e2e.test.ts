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

const size = 1000;

/** The two shapes roster runs in: embedded PGlite, and PostgreSQL (in a schema of the test's own). */
const shapes = [
  { name: 'embedded PGlite', env: (): Record<string, string> => ({}) },
  { name: 'PostgreSQL', env: (): Record<string, string> => ({ DATABASE_URL: testPostgresUrl, ROSTER_DB_SCHEMA: `roster_crash_${process.pid}_${Date.now() % 100000}` }) },
];

for (const shape of shapes) {
  describe(`crash during apply (${shape.name})`, () => {
    let sim: RunningScimSimulator;
    before(async () => {
      // A little latency per request so the kill lands part way through.
      sim = await startScimSimulator({ maxPageSize: 500, latencyMs: 2 });
    });
    after(() => sim.close());

    it('SIGKILL part way through 1,000 changes, start again: every change done exactly once, the audit trail complete', async (t) => {
      const cwd = workspace(`apps:\n  hr:\n    type: scim\n    baseUrl: ${sim.baseUrl}\n    auth: { type: bearer, token: env:HR_TOKEN }\n    policy: { approval: { massChange: { share: 0.5, minimum: 1000 } } }\n`);
      const env: Record<string, string> = { HR_TOKEN: sim.settings.token, ...shape.env() };
      const schema = env.ROSTER_DB_SCHEMA;
      if (schema) t.after(() => dropRosterSchema(testPostgresUrl, schema));
      await signInAsAdmin(cwd, env, 'ops');
      const people = generateOrganisation({ size, seed: 21, domain: 'example.com', leaverShare: 0 });
      writeFileSync(join(cwd, 'people.json'), JSON.stringify(people));
      for (const args of [['import', 'people.json'], ['sync']]) {
        const run = await roster(args, { cwd, env });
        assert.equal(run.code, 0, run.stderr);
      }
      const planned = await roster(['plan', '--json'], { cwd, env });
      assert.equal(planned.code, 0, planned.stderr);
      const plan = JSON.parse(planned.stdout) as { id: string; changes: { id: string; kind: string }[] };
      assert.equal(plan.changes.filter((c) => c.kind === 'create').length, size);

      const first = spawnRoster(['apply', plan.id], { cwd, env });
      let stderr = '';
      first.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const deadline = Date.now() + 120_000;
      while (sim.store.userCount < size * 0.3 && first.exitCode === null && Date.now() < deadline) await sleep(20);
      assert.equal(first.exitCode, null, `apply ended before the kill: ${stderr}`);
      first.kill('SIGKILL');
      await once(first, 'exit');
      const atKill = sim.store.userCount;
      assert.ok(atKill > 0 && atKill < size, `killed part way (${atKill} of ${size} created)`);

      // Every request made before the kill is in the trail, but for the one in flight when it landed.
      const recorded = await roster(['audit', '--action', 'app.request', '--json', '--limit', '10000'], { cwd, env });
      const creates201 = recorded.stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as { target: string; detail: { status: number } }).filter((e) => e.target.startsWith('POST') && e.detail.status === 201);
      assert.ok(atKill - creates201.length <= 1, `${atKill} accounts created before the kill, ${creates201.length} of their requests in the trail`);

      const resumed = await roster(['apply', plan.id], { cwd, env });
      assert.equal(resumed.code, 0, resumed.stderr + resumed.stdout);
      assert.match(resumed.stdout, new RegExp(`plan ${plan.id}: ${size} done`));

      assert.equal(sim.store.userCount, size, 'every account exists');
      const creates = sim.requests.filter({ method: 'POST', pathIncludes: '/Users' });
      assert.equal(creates.filter((r) => r.status === 201).length, size, 'each created once');
      assert.equal(creates.filter((r) => r.status === 409).length, 0, 'never a second create');

      const audit = await roster(['audit', '--action', 'change.applied', '--json', '--limit', '5000'], { cwd, env });
      const applied = audit.stdout.trim().split('\n').map((line) => JSON.parse(line) as { target: string });
      assert.equal(applied.length, size, 'one change.applied per change');
      assert.equal(new Set(applied.map((e) => e.target)).size, size);

      const status = await roster(['status', '--json'], { cwd, env });
      const report = JSON.parse(status.stdout) as { apps: { findings: { missing: unknown[]; linked: number } }[] };
      assert.equal(report.apps[0]?.findings.missing.length, 0, 'nobody is missing an account');
      assert.equal(report.apps[0]?.findings.linked, size);
    });
  });
}
