import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startScimSimulator, type RunningScimSimulator } from '../simulators/scim/index.ts';
import { DEFAULT_CREDENTIALS, startZiaSimulator } from '../simulators/zscaler/index.ts';
import type { Database } from '../src/store/database.ts';
import { openDatabase } from '../src/store/open.ts';
import { testPostgresUrl } from '../src/store/testing.ts';
import { addUser, dropRosterSchema, login, roster, signInAsAdmin, spawnRoster, workspace, type Run } from './support/cli.ts';

/** The two shapes roster runs in: embedded PGlite, and PostgreSQL (in a schema of the test's own). */
const shapes = [
  { name: 'embedded PGlite', env: (): Record<string, string> => ({}) },
  { name: 'PostgreSQL', env: (): Record<string, string> => ({ DATABASE_URL: testPostgresUrl, ROSTER_DB_SCHEMA: `roster_trust_${process.pid}_${Math.floor(Math.random() * 1e6)}` }) },
];

const ok = (run: Run): Run => {
  assert.equal(run.code, 0, `${run.stderr}\n${run.stdout}`);
  return run;
};
const planIdOf = (run: Run) => /plan ([0-9a-f]{12})/.exec(run.stdout)?.[1] ?? assert.fail(`no plan id in ${run.stdout}`);
const csv = (rows: string[][]) => rows.map((r) => r.join(',')).join('\n') + '\n';

/** roster's database as the CLI in `cwd` sees it, opened while no roster process runs there. */
async function openWorkspaceDb(cwd: string, env: Record<string, string>): Promise<Database> {
  return openDatabase(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL, schema: env.ROSTER_DB_SCHEMA } : { home: join(cwd, '.roster') });
}

for (const shape of shapes) {
  describe(`apply you can trust (${shape.name})`, () => {
    let sim: RunningScimSimulator;
    before(async () => {
      sim = await startScimSimulator({});
    });
    after(() => sim.close());

    const scimWorkspace = async (t: { after: (fn: () => Promise<void>) => void }, policy: string) => {
      const cwd = workspace(`apps:\n  hr:\n    type: scim\n    baseUrl: ${sim.baseUrl}\n    auth: { type: bearer, token: env:HR_TOKEN }\n    rateBudget: false\n    policy: ${policy}\n`);
      const env: Record<string, string> = { HR_TOKEN: sim.settings.token, ...shape.env() };
      const schema = env.ROSTER_DB_SCHEMA;
      if (schema) t.after(() => dropRosterSchema(testPostgresUrl, schema));
      await signInAsAdmin(cwd, env, 'alice');
      await addUser(cwd, 'bob', 'approver', env);
      /** Runs one command signed in as bob, then signs alice back in. */
      const asBob = async (args: string[]) => {
        await login(cwd, 'bob', env);
        const run = await roster(args, { cwd, env });
        await login(cwd, 'alice', env);
        return run;
      };
      return { cwd, env, asBob };
    };

    it('a leaver rehired while the delete waited for approval keeps the account: the change no longer holds and is skipped', async (t) => {
      const userName = `rehired-${shape.name.length}@example.com`;
      sim.store.seedUsers([{ userName, active: true, emails: [{ value: userName, primary: true }] }]);
      const { cwd, env, asBob } = await scimWorkspace(t, '{ leaver: delete }');
      writeFileSync(join(cwd, 'left.csv'), csv([['userName', 'email', 'active'], [userName, userName, 'false']]));
      ok(await roster(['import', 'left.csv'], { cwd, env }));
      ok(await roster(['sync'], { cwd, env }));
      const planned = ok(await roster(['plan', '--person', userName], { cwd, env }));
      assert.match(planned.stdout, /! delete/);
      const planId = planIdOf(planned);
      assert.match(ok(await roster(['apply', planId], { cwd, env })).stdout, /1 waiting for approval/, 'the plan has started; its delete waits');

      writeFileSync(join(cwd, 'back.csv'), csv([['userName', 'email', 'active'], [userName, userName, 'true']]));
      ok(await roster(['import', 'back.csv'], { cwd, env }));
      ok(await roster(['sync'], { cwd, env }));
      ok(await asBob(['approve', planId]));
      const applied = ok(await roster(['apply', planId], { cwd, env }));
      assert.match(applied.stdout, /0 done, 0 failed, 1 skipped/);
      assert.match(applied.stdout, /skipped hr\/delete\/\S+: skipped: it no longer fits .*a fresh plan makes no such change/);
      assert.ok(sim.store.findUserByUserName(userName), 'the rehired person keeps their account');
      const skipped = ok(await roster(['audit', '--action', 'change.skipped', '--json'], { cwd, env }));
      assert.match(skipped.stdout, /no longer fits/);
    });

    it('a plan rejected after apply --no-wait: roster worker carries out none of it', async (t) => {
      const { cwd, env, asBob } = await scimWorkspace(t, '{}');
      const joiners = [1, 2, 3].map((n) => `joiner-${n}-${shape.name.length}@example.com`);
      writeFileSync(join(cwd, 'people.csv'), csv([['userName', 'email'], ...joiners.map((u) => [u, u])]));
      ok(await roster(['import', 'people.csv'], { cwd, env }));
      ok(await roster(['sync'], { cwd, env }));
      const planId = planIdOf(ok(await roster(['plan', '--person', ...joiners], { cwd, env })));
      assert.match(ok(await roster(['apply', planId, '--no-wait'], { cwd, env })).stdout, /3 queued for roster worker/);
      ok(await asBob(['reject', planId, '--note', 'not these']));
      const worker = spawnRoster(['worker'], { cwd, env });
      try {
        // PGlite: the worker holds the database, so give it time; PostgreSQL: watch the trail.
        const deadline = Date.now() + (env.DATABASE_URL ? 60_000 : 8000);
        while (Date.now() < deadline) {
          await sleep(500);
          if (env.DATABASE_URL && (await roster(['audit', '--action', 'change.skipped', '--json'], { cwd, env })).stdout.trim().split('\n').filter(Boolean).length >= 3) break;
        }
      } finally {
        worker.kill('SIGTERM');
        await once(worker, 'exit');
      }
      for (const u of joiners) assert.equal(sim.store.findUserByUserName(u), undefined, `${u} was not created`);
      const skipped = ok(await roster(['audit', '--action', 'change.skipped', '--json'], { cwd, env })).stdout.trim().split('\n');
      assert.equal(skipped.length, 3);
      assert.match(skipped[0] ?? '', /was rejected; not carried out/);
      const refused = await roster(['apply', planId], { cwd, env });
      assert.notEqual(refused.code, 0);
      assert.match(refused.stderr, /was rejected; make a new one/);
    });

    it('a claim held by a live pid that is not roster’s, or by another host, is finished once its lease runs out', async (t) => {
      const { cwd, env } = await scimWorkspace(t, '{}');
      const joiners = [1, 2, 3, 4].map((n) => `leased-${n}-${shape.name.length}@example.com`);
      writeFileSync(join(cwd, 'people.csv'), csv([['userName', 'email'], ...joiners.map((u) => [u, u])]));
      ok(await roster(['import', 'people.csv'], { cwd, env }));
      ok(await roster(['sync'], { cwd, env }));
      const planId = planIdOf(ok(await roster(['plan', '--person', ...joiners], { cwd, env })));
      ok(await roster(['apply', planId, '--no-wait'], { cwd, env }));
      const db = await openWorkspaceDb(cwd, env);
      try {
        // pid 1 is alive (init) but not roster; the other claim is on a host this machine cannot ask.
        const claims = await db.query<{ key: string }>(
          `update operations set state = 'running', claimed_by = case when change_id like '%leased-1%' then $1 else 'build-box-7:4242:abc123' end,
                  lease_until = now() + interval '4 seconds', attempts = 1
            where plan_id = $2 and (change_id like '%leased-1%' or change_id like '%leased-2%') returning key`,
          [`${hostname()}:1:0000aa`, planId],
        );
        assert.equal(claims.length, 2);
      } finally {
        await db.close();
      }
      const worker = spawnRoster(['worker'], { cwd, env });
      try {
        const deadline = Date.now() + 60_000;
        while (Date.now() < deadline && joiners.some((u) => !sim.store.findUserByUserName(u))) await sleep(200);
      } finally {
        worker.kill('SIGTERM');
        await once(worker, 'exit');
      }
      for (const u of joiners) assert.ok(sim.store.findUserByUserName(u), `${u} created`);
      assert.equal(sim.requests.count({ method: 'POST', pathIncludes: '/Users', status: 409 }), 0, 'never a second create');
      const applied = ok(await roster(['audit', '--action', 'change.applied', '--json', '--limit', '100'], { cwd, env })).stdout.trim().split('\n');
      assert.equal(applied.length, 4, 'each change done once');
      assert.match(ok(await roster(['audit', '--action', 'operations.recovered', '--json'], { cwd, env })).stdout, /"count":\d/);
    });

    describe('ZIA: a change is done only when it is live', () => {
      const people = [1, 2, 3, 4, 5].map((n) => ({ email: `mover${n}@example.com`, name: `Mover ${n}` }));
      const ziaWorkspace = async (t: { after: (fn: () => Promise<void>) => void }) => {
        const zia = await startZiaSimulator({
          rateLimits: false,
          activationMs: 20,
          departments: [{ name: 'Sales' }, { name: 'Finance' }],
          users: people.map((p) => ({ name: p.name, email: p.email, department: 'Sales', groups: ['Employees'] })),
        });
        t.after(() => zia.close());
        const cwd = workspace(
          `apps:\n  zia:\n    type: zscaler\n    baseUrl: ${zia.baseUrl}\n    auth: { type: zscaler-session, username: ${DEFAULT_CREDENTIALS.username}, password: env:ZIA_PASSWORD, apiKey: env:ZIA_KEY }\n    defaults: { groups: [Employees] }\n    rateBudget: false\n`,
        );
        const env: Record<string, string> = { ZIA_PASSWORD: DEFAULT_CREDENTIALS.password, ZIA_KEY: DEFAULT_CREDENTIALS.apiKey, ...shape.env() };
        if (env.ROSTER_DB_SCHEMA) {
          const schema = env.ROSTER_DB_SCHEMA;
          t.after(() => dropRosterSchema(testPostgresUrl, schema));
        }
        await signInAsAdmin(cwd, env, 'alice');
        writeFileSync(join(cwd, 'people.csv'), csv([['userName', 'email', 'displayName', 'department'], ...people.map((p) => [p.email, p.email, p.name, 'Finance'])]));
        ok(await roster(['import', 'people.csv'], { cwd, env }));
        ok(await roster(['sync'], { cwd, env }));
        const planned = ok(await roster(['plan'], { cwd, env }));
        assert.match(planned.stdout, /5 changes/);
        const liveDepartments = () => people.map((p) => zia.state.liveUsers().find((u) => u.email === p.email)?.department?.name);
        return { zia, cwd, env, planId: planIdOf(planned), liveDepartments };
      };

      it('a failed activation is not success: apply exits non-zero, nothing is done; the next apply makes it live', async (t) => {
        const { zia, cwd, env, planId, liveDepartments } = await ziaWorkspace(t);
        zia.faults.set({ serverError: { count: 1000, status: 500 }, pathIncludes: '/status/activate' });
        const failed = await roster(['apply', planId, '--retries', '1'], { cwd, env });
        assert.notEqual(failed.code, 0, failed.stdout);
        assert.match(failed.stdout, /0 done/);
        assert.match(failed.stdout, /not live yet zia\/update/);
        assert.match(failed.stderr, /5 changes are written but not live/);
        assert.equal(zia.state.status(), 'PENDING');
        assert.deepEqual(liveDepartments(), ['Sales', 'Sales', 'Sales', 'Sales', 'Sales']);
        zia.faults.clear();
        const again = ok(await roster(['apply', planId], { cwd, env }));
        assert.match(again.stdout, /5 done/);
        assert.equal(zia.state.status(), 'ACTIVE');
        assert.deepEqual(liveDepartments(), ['Finance', 'Finance', 'Finance', 'Finance', 'Finance']);
        assert.equal(zia.requests.filter((r) => r.method === 'PUT' && r.status === 200).length, 5, 'each written once');
      });

      it('SIGKILL between the last write and activation: resume ends ACTIVE, each change done once', async (t) => {
        const { zia, cwd, env, planId, liveDepartments } = await ziaWorkspace(t);
        zia.faults.set({ serverError: { count: 1000, status: 500 }, pathIncludes: '/status/activate' });
        const first = spawnRoster(['apply', planId], { cwd, env });
        const deadline = Date.now() + 60_000;
        while (!zia.requests.some((r) => r.path.endsWith('/status/activate')) && first.exitCode === null && Date.now() < deadline) await sleep(20);
        assert.equal(first.exitCode, null, 'still running at the kill');
        first.kill('SIGKILL');
        await once(first, 'exit');
        assert.equal(zia.requests.filter((r) => r.method === 'PUT' && r.status === 200).length, 5, 'every write made before the kill');
        assert.equal(zia.state.status(), 'PENDING');
        zia.faults.clear();
        const resumed = ok(await roster(['apply', planId], { cwd, env }));
        assert.match(resumed.stdout, /5 done/);
        assert.equal(zia.state.status(), 'ACTIVE');
        assert.deepEqual(liveDepartments(), ['Finance', 'Finance', 'Finance', 'Finance', 'Finance']);
        assert.equal(zia.requests.filter((r) => r.method === 'PUT' && r.status === 200).length, 5, 'no write made twice');
        const verified = ok(await roster(['audit', '--action', 'change.verified', '--json', '--limit', '100'], { cwd, env })).stdout.trim().split('\n');
        assert.equal(verified.filter((l) => l.includes('"live":true')).length, 5);
      });
    });
  });
}
