import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChildProcess } from 'node:child_process';
import { startScimSimulator, type RunningScimSimulator } from '../simulators/scim/index.ts';
import { generateOrganisation } from '../src/core/sample-org.ts';
import { testPostgresUrl } from '../src/store/testing.ts';
import { dropRosterSchema, roster, signInAsAdmin, spawnRoster, workspace } from './support/cli.ts';

const size = 60;
const heldAt = 10;

async function waitFor(what: string, condition: () => boolean | Promise<boolean>, ms = 120_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** The origin a worker prints for --metrics-port 0. */
async function metricsOrigin(child: ChildProcess): Promise<string> {
  for await (const line of createInterface({ input: child.stderr! })) {
    const match = /metrics at (http:\/\/\S+)\/metrics/.exec(line);
    if (match?.[1]) return match[1];
  }
  throw new Error('the worker printed no metrics address');
}

describe('graceful shutdown: SIGTERM to a worker in the middle of an apply', () => {
  let sim: RunningScimSimulator;
  let release: () => void = () => undefined;
  let held = false;
  before(async () => {
    let creates = 0;
    sim = await startScimSimulator(
      { maxPageSize: 500 },
      {
        // The create number `heldAt` hangs until the test lets it go: a change in flight when the signal comes.
        extend: (app) =>
          app.use('*', async (c, next) => {
            if (c.req.method === 'POST' && c.req.path.endsWith('/Users') && ++creates === heldAt) {
              held = true;
              await new Promise<void>((resolve) => (release = resolve));
            }
            return next();
          }),
      },
    );
  });
  after(() => sim.close());

  it('finishes the change in flight, hands the rest back at once, reports not ready, exits 0 within the bound; another worker completes the rest, each change once', async (t) => {
    const cwd = workspace(`apps:\n  hr:\n    type: scim\n    baseUrl: ${sim.baseUrl}\n    auth: { type: bearer, token: env:HR_TOKEN }\n    rateBudget: false\n`);
    const schema = `roster_shutdown_${process.pid}`;
    const env = { HR_TOKEN: sim.settings.token, DATABASE_URL: testPostgresUrl, ROSTER_DB_SCHEMA: schema, ROSTER_SHUTDOWN_SECONDS: '10' };
    t.after(() => dropRosterSchema(testPostgresUrl, schema));
    await signInAsAdmin(cwd, env);
    writeFileSync(join(cwd, 'people.json'), JSON.stringify(generateOrganisation({ size, seed: 91, domain: 'example.com', leaverShare: 0 })));
    for (const args of [['import', 'people.json'], ['sync']]) assert.equal((await roster(args, { cwd, env })).code, 0);
    const plan = JSON.parse((await roster(['plan', '--json'], { cwd, env })).stdout) as { id: string; changes: unknown[] };
    assert.equal(plan.changes.length, size);
    assert.equal((await roster(['apply', plan.id, '--no-wait'], { cwd, env })).code, 0);

    const first = spawnRoster(['worker', '--metrics-port', '0'], { cwd, env });
    const exited = once(first, 'exit') as Promise<[number | null, string | null]>;
    let second: ChildProcess | undefined;
    try {
      const origin = await metricsOrigin(first);
      await waitFor('the held create', () => held);
      assert.equal((await fetch(`${origin}/readyz`)).status, 200, 'ready while working');

      first.kill('SIGTERM');
      const signalled = Date.now();
      await waitFor('/readyz to say shutting down', async () => (await fetch(`${origin}/readyz`)).status === 503);
      const answer = (await (await fetch(`${origin}/readyz`)).json()) as { reason: string };
      assert.equal(answer.reason, 'shutting down');
      release();
      const [code] = await exited;
      const took = Date.now() - signalled;
      assert.equal(code, 0, 'exits 0');
      assert.ok(took < 10_000, `exited within the 10 s bound (took ${took} ms)`);
      assert.equal(sim.store.userCount, heldAt, 'the change in flight finished; nothing after it was started');

      const handedBack = (await roster(['audit', '--action', 'operations.handed_back', '--json'], { cwd, env })).stdout.trim().split('\n').filter(Boolean);
      assert.equal(handedBack.length, 1);
      assert.equal((JSON.parse(handedBack[0]!) as { detail: { count: number } }).detail.count, size - heldAt, 'every claim not started was handed back');

      // Handed back, not left to lapse: a second worker takes them well before a 30 s lease would run out.
      const secondStarted = Date.now();
      second = spawnRoster(['worker'], { cwd, env });
      await waitFor('the rest to be created', () => sim.store.userCount >= size, 60_000);
      assert.ok(Date.now() - secondStarted < 25_000, `completed promptly (${Date.now() - secondStarted} ms), not after the leases ran out`);
    } finally {
      release();
      for (const child of [first, second]) if (child && child.exitCode === null) child.kill('SIGTERM');
      if (second && second.exitCode === null) await once(second, 'exit');
    }
    assert.equal(sim.requests.count({ method: 'POST', pathIncludes: '/Users', status: 201 }), size, 'each created once');
    assert.equal(sim.requests.count({ method: 'POST', pathIncludes: '/Users', status: 409 }), 0, 'never tried twice');
    const applied = (await roster(['audit', '--action', 'change.applied', '--json', '--limit', '1000'], { cwd, env })).stdout.trim().split('\n');
    assert.equal(applied.length, size, 'one change.applied per change');
  });
});
