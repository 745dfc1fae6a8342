import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { roster, signInAsAdmin, workspace } from './support/cli.ts';
import { generateUsers, startScimSimulator, type RunningScimSimulator } from '../simulators/scim/index.ts';
import { openDatabase } from '../src/store/open.ts';
import { ensureApp, insertAccounts, startSyncRun } from '../src/store/accounts.ts';

let sim: RunningScimSimulator;
before(async () => {
  sim = await startScimSimulator({ maxPageSize: 100 });
  sim.store.seedUsers(generateUsers(120, { domain: 'acme.example' }));
});
after(() => sim.close());

it('a sync killed part way shows as interrupted, not running, and the next sync proceeds', async () => {
  const cwd = workspace(`apps:\n  hr:\n    type: scim\n    baseUrl: ${sim.baseUrl}\n    auth: { type: bearer, token: env:HR_TOKEN }\n`);
  const env = { HR_TOKEN: sim.settings.token };
  // What a roster killed after its first page leaves behind: a run marked running, whose heartbeat stopped.
  const db = await openDatabase({ home: join(cwd, '.roster') });
  try {
    await ensureApp(db, { name: 'hr', type: 'scim', baseUrl: sim.baseUrl });
    const killed = await startSyncRun(db, 'hr');
    await insertAccounts(db, killed, 'hr', [{ remoteId: 'half-read', active: true, groups: [], raw: {} }]);
    await db.query("update sync_runs set started_at = now() - interval '1 hour', heartbeat_at = now() - interval '50 minutes' where id = $1", [killed]);
  } finally {
    await db.close();
  }

  await signInAsAdmin(cwd);
  const before = await roster(['status'], { cwd });
  assert.equal(before.code, 0, before.stderr);
  assert.match(before.stdout, /! latest sync interrupted at [\d-]+ [\d:]+ UTC: no sign of life since [\d-]+ [\d:]+ UTC: the process running it stopped part way/);
  assert.doesNotMatch(before.stdout, /sync running/);
  const json = JSON.parse((await roster(['status', '--json'], { cwd })).stdout) as { apps: { latestProblem: { status: string } | null }[] };
  assert.equal(json.apps[0]?.latestProblem?.status, 'interrupted');

  const synced = await roster(['sync'], { cwd, env });
  assert.equal(synced.code, 0, synced.stderr);
  assert.match(synced.stdout, /hr: read 120 accounts in 2 list requests/);

  const afterwards = await roster(['status', '--json'], { cwd });
  const report = JSON.parse(afterwards.stdout) as { apps: { latestProblem: unknown; lastGoodSync: { status: string; accountsRead: number } | null; findings: { accounts: number } }[] };
  assert.equal(report.apps[0]?.latestProblem, null, 'the interrupted run is history now');
  assert.equal(report.apps[0]?.lastGoodSync?.accountsRead, 120);
  assert.equal(report.apps[0]?.findings.accounts, 120, 'nothing the killed run half-read is counted');
  const trail = await roster(['audit', '--action', 'sync.interrupted', '--json'], { cwd });
  const events = trail.stdout.trim().split('\n').map((line) => JSON.parse(line) as { outcome: string; detail: { lastHeartbeat: string } });
  assert.equal(events.length, 1);
  assert.equal(events[0]?.outcome, 'failed');
});
