// A leaver does not wait for a reconcile: `roster sync` reads 10,000 accounts from a rate-limited
// app while a `roster worker` in another process carries out a leaver submitted part way. They
// share the credential's budget through PostgreSQL, and the leaver's requests go before the
// reconcile's remaining reads (read from the app's own request log).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse as parseYaml } from 'yaml';
import { generateUsers, startScimSimulator, type RunningScimSimulator } from '../simulators/scim/index.ts';
import { busiestWindow } from '../simulators/shared/rate-limit.ts';
import { parseConfig } from '../src/config/load.ts';
import { createConnector } from '../src/connectors/modules.ts';
import { applyPlan } from '../src/engine/apply.ts';
import { makePlan } from '../src/engine/planning.ts';
import { parsePeopleRecords } from '../src/sources/person-input.ts';
import { upsertPeople } from '../src/store/people.ts';
import { openPostgres } from '../src/store/postgres.ts';
import { testPostgresUrl } from '../src/store/testing.ts';
import { dropRosterSchema, roster, signInAsAdmin, spawnRoster, workspace } from './support/cli.ts';

const accounts = 10_000;
const limit = { requests: 10, perMs: 1000 };

describe('leavers first, across processes', () => {
  let sim: RunningScimSimulator;
  before(async () => {
    sim = await startScimSimulator({ maxPageSize: 100 });
    sim.store.seedUsers(generateUsers(accounts, { activeRatio: 1 }));
  });
  after(() => sim.close());

  it('a leaver submitted during a 10,000-account reconcile is carried out before the reconcile’s remaining reads', async (t) => {
    const app = (extra: string) => `apps:\n  hr:\n    type: scim\n    baseUrl: ${sim.baseUrl}\n    auth: { type: bearer, token: env:HR_TOKEN }\n${extra}`;
    const cwd = workspace(app(`    rateLimit: { requests: ${limit.requests}, perSeconds: ${limit.perMs / 1000} }\n`));
    writeFileSync(join(cwd, 'unpaced.yaml'), app('    rateBudget: false\n'));
    const schema = `roster_leaver_first_${process.pid}`;
    const env = { HR_TOKEN: sim.settings.token, DATABASE_URL: testPostgresUrl, ROSTER_DB_SCHEMA: schema };
    t.after(() => dropRosterSchema(testPostgresUrl, schema));
    await signInAsAdmin(cwd, env);
    const db = await openPostgres(testPostgresUrl, { schema, max: 2 });
    t.after(() => db.close());

    // Five people leave at once: the worker's requests for them come one after another.
    const leavers = [1234, 2345, 4321, 6543, 8765].map((i) => sim.store.listUsers()[i]!);
    const userNames = leavers.map((u) => String(u.attrs.userName));
    const person = (active: boolean) => JSON.stringify(leavers.map((u) => ({ userName: String(u.attrs.userName), email: String(u.attrs.userName), displayName: String(u.attrs.displayName), active })));
    writeFileSync(join(cwd, 'joined.json'), person(true));
    for (const args of [['import', 'joined.json'], ['--config', 'unpaced.yaml', 'sync']]) {
      const run = await roster(args, { cwd, env });
      assert.equal(run.code, 0, run.stderr);
    }

    sim.settings.rateLimit = { ...limit, window: 'sliding' };
    sim.requests.clear();
    const worker = spawnRoster(['worker'], { cwd, env });
    const reconcile = spawnRoster(['sync'], { cwd, env });
    let syncErr = '';
    reconcile.stderr?.on('data', (chunk: Buffer) => (syncErr += chunk.toString()));
    const listReads = () => sim.requests.entries.filter((r) => r.method === 'GET' && /\/Users$/.test(r.path));
    try {
      const deadline = Date.now() + 60_000;
      while (listReads().length < 15 && Date.now() < deadline) await sleep(50);
      assert.ok(listReads().length >= 15 && reconcile.exitCode === null, 'the reconcile is under way');

      // The person leaves; the plan for them is queued for the worker while the reconcile reads on.
      const { people } = parsePeopleRecords(JSON.parse(person(false)) as unknown[]);
      await upsertPeople(db, people, 'test');
      const apps = parseConfig(parseYaml(readFileSync(join(cwd, 'roster.yaml'), 'utf8')), undefined, { env }).apps;
      const plan = await makePlan(db, apps, { actor: 'operator:alice', people: userNames });
      assert.deepEqual(plan.changes.map((c) => c.kind), leavers.map(() => 'deactivate'));
      const queued = await applyPlan(db, apps, plan.id, { actor: 'operator:alice', connectorFor: createConnector, wait: false });
      assert.equal(queued.operations.length, leavers.length);

      const [code] = (await once(reconcile, 'exit')) as [number];
      assert.equal(code, 0, syncErr);
      while (leavers.some((u) => u.attrs.active !== false) && Date.now() < deadline + 60_000) await sleep(50);
    } finally {
      for (const child of [worker, reconcile]) if (child.exitCode === null) child.kill('SIGTERM');
      await Promise.all([worker, reconcile].map((c) => (c.exitCode === null && c.signalCode === null ? once(c, 'exit') : undefined)));
    }

    for (const u of leavers) assert.equal(u.attrs.active, false, `${String(u.attrs.userName)} is deactivated in the app`);
    const log = sim.requests.entries;
    const ids = new Set(leavers.map((u) => `/Users/${u.id}`));
    const leaverRequests = log.filter((r) => ids.has(r.path.slice(r.path.lastIndexOf('/Users/'))));
    assert.equal(leaverRequests.filter((r) => r.method === 'PATCH' && r.status === 200).length, leavers.length, 'each deactivated by one PATCH');
    const started = await roster(['audit', '--action', 'change.started', '--json'], { cwd, env });
    const startedAt = Math.min(...started.stdout.trim().split('\n').map((line) => Date.parse((JSON.parse(line) as { at: string }).at)));
    const lastLeaver = Math.max(...leaverRequests.map((r) => r.at));
    const readsMeanwhile = listReads().filter((r) => r.at >= startedAt && r.at <= lastLeaver);
    const readsAfter = listReads().filter((r) => r.at > lastLeaver);
    t.diagnostic(`leaver requests ${leaverRequests.length}; reconcile reads while they went: ${readsMeanwhile.length}; after: ${readsAfter.length}`);
    // Without priorities about one read goes between each leaver's request and the next (nine, measured).
    assert.ok(readsMeanwhile.length <= 3, `from the moment the first leaver's change started, only reads already let through went first (${readsMeanwhile.length})`);
    assert.ok(readsAfter.length >= 20, `the leavers went while the reconcile still had its reads ahead (${readsAfter.length} after them)`);
    assert.equal(listReads().filter((r) => r.status === 200).reduce((n, r) => n + Math.min(100, Number(r.query.count ?? 100)), 0) >= accounts, true, 'the reconcile read everything');
    assert.equal(sim.requests.count({ status: 429 }), 0, 'never over the app’s limit');
    assert.ok(busiestWindow(log.map((r) => r.at), limit.perMs) <= limit.requests);
  });
});
