import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { addUser, login, roster, signInAsAdmin, workspace, type Run } from './support/cli.ts';
import { generateUsers, startScimSimulator, type RunningScimSimulator } from '../simulators/scim/index.ts';
import { startNetskopeSimulator } from '../simulators/netskope/index.ts';

function assertOneLineError(run: Run, pattern: RegExp): void {
  assert.notEqual(run.code, 0, 'non-zero exit');
  const lines = run.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line, got:\n${run.stderr}`);
  assert.match(lines[0] ?? '', pattern);
}

describe('roster CLI', () => {
  let sim: RunningScimSimulator;
  before(async () => {
    sim = await startScimSimulator({ maxPageSize: 100 });
    sim.store.seedUsers(generateUsers(230, { domain: 'acme.example' }));
  });
  after(() => sim.close());

  const appConfig = (baseUrl: string) => `apps:\n  hr:\n    type: scim\n    baseUrl: ${baseUrl}\n    auth: { type: bearer, token: env:HR_TOKEN }\n`;

  it('demo: runs with no configuration and prints the findings it planted', async () => {
    const cwd = workspace();
    const run = await roster(['demo', '--size', '120'], { cwd });
    assert.equal(run.code, 0, run.stderr);
    const planted = /Planted in the tenant: (\d+) orphans, (\d+) missing, (\d+) leavers still active, (\d+) drifted/.exec(run.stdout);
    assert.ok(planted, run.stdout);
    const found = /linked (\d+)\s+orphaned (\d+)\s+missing (\d+)\s+leavers still active (\d+)\s+drifted (\d+)/.exec(run.stdout);
    assert.ok(found, run.stdout);
    assert.deepEqual(found.slice(2), planted.slice(1), 'roster finds exactly what was planted');
    assert.match(run.stdout, /acme-scim .*\n\s+netskope .*\n\s+zia .*\n\s+umbrella .*\n\s+rsa /, 'five simulated apps started');
    assert.match(run.stdout, /6\. Applied the safe part: [1-9]\d* done, 0 failed, 0 skipped; [1-9]\d* wait for approval \(deletes need approval\)/);
    const status = await roster(['status', '--json', '--home', '.roster/demo'], { cwd });
    assert.equal(status.code, 0, status.stderr);
    const report = JSON.parse(status.stdout) as { apps: { findings: { orphans: unknown[] } }[] };
    assert.equal(report.apps[0]?.findings.orphans.length, Number(planted[1]));
  });

  it('import, sync, status and audit against a configured app', async () => {
    const cwd = workspace(appConfig(sim.baseUrl));
    writeFileSync(join(cwd, 'people.csv'), 'userName,givenName,familyName,department,active\nnobody@acme.example,No,Body,Sales,true\n');
    await signInAsAdmin(cwd);
    const imported = await roster(['import', 'people.csv'], { cwd });
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stdout, /imported 1 people from people.csv \(1 new, 0 updated\)/);
    const synced = await roster(['sync'], { cwd, env: { HR_TOKEN: sim.settings.token } });
    assert.equal(synced.code, 0, synced.stderr);
    assert.match(synced.stdout, /hr: read 230 accounts in 3 list requests/);
    const status = await roster(['status'], { cwd });
    assert.match(status.stdout, /linked 0\s+orphaned 230\s+missing 1/);
    const audit = await roster(['audit', '--action', 'app.read', '--json'], { cwd });
    const reads = audit.stdout.trim().split('\n').map((line) => JSON.parse(line) as { target: string });
    assert.equal(reads.filter((r) => r.target.startsWith('GET /scim/v2/Users')).length, 3, 'every list read is in the audit trail');
    assert.ok(!audit.stdout.includes(sim.settings.token), 'the token never reaches the audit trail');
  });

  it('plan, four-eyes approval and apply from the command line', async () => {
    const leaver = sim.store.listUsers()[0];
    const userName = String(leaver?.attrs.userName);
    const cwd = workspace(`${appConfig(sim.baseUrl)}    policy: { leaver: delete, assign: { groups: [nobody-else] } }\n`);
    writeFileSync(join(cwd, 'people.csv'), `userName,active,groups\n${userName},false,staff\n`);
    const env = { HR_TOKEN: sim.settings.token };
    await signInAsAdmin(cwd);
    await addUser(cwd, 'alice', 'admin');
    await addUser(cwd, 'bob', 'approver');
    await login(cwd, 'alice');
    for (const args of [['import', 'people.csv'], ['sync']]) assert.equal((await roster(args, { cwd, env })).code, 0);
    const planned = await roster(['plan', '--person', userName], { cwd, env });
    assert.match(planned.stdout, /! delete\s+\S+/);
    assert.match(planned.stdout, /needs approval: deletes need approval/);
    const planId = /plan ([0-9a-f]{12})/.exec(planned.stdout)?.[1] ?? '';
    const self = await roster(['approve', planId], { cwd, env });
    assertOneLineError(self, /operator:alice requested plan [0-9a-f]+ and cannot approve it; another person must \(four-eyes rule\)/);
    const held = await roster(['apply', planId], { cwd, env });
    assert.match(held.stdout, /0 done, 0 failed, 0 skipped, 1 waiting for approval/);
    assert.ok(sim.store.findUserByUserName(userName), 'nothing deleted without approval');
    await login(cwd, 'bob');
    const approved = await roster(['approve', planId.slice(0, 6), '--note', 'HR confirmed'], { cwd, env });
    assert.equal(approved.code, 0, approved.stderr);
    await login(cwd, 'alice');
    const applied = await roster(['apply', planId], { cwd, env });
    assert.match(applied.stdout, /1 done, 0 failed, 0 skipped, 0 waiting/);
    assert.equal(sim.store.findUserByUserName(userName), undefined, 'deleted once approved');
    const trail = await roster(['audit', '--action', 'plan.approved', '--json'], { cwd, env });
    assert.match(trail.stdout, /"actor":"operator:bob"/);
  });

  it('sync reads Netskope’s own audit events into the trail, once each', async () => {
    const netskope = await startNetskopeSimulator({ scimToken: 'scim-tok', restTokens: [{ token: 'rest-tok', scopes: ['events'] }], rateLimit: undefined });
    try {
      netskope.scim.store.seedUsers([{ userName: 'jane@acme.example', active: true }]);
      netskope.events.add([{ audit_log_event: 'Policy changed', user: 'admin@acme.example' }, { audit_log_event: 'Admin logged in' }]);
      const cwd = workspace(`apps:\n  netskope:\n    type: netskope\n    baseUrl: ${netskope.baseUrl}\n    auth: { type: header, header: Netskope-Api-Token, token: env:NS_SCIM }\n    events: { token: env:NS_REST }\n`);
      const env = { NS_SCIM: 'scim-tok', NS_REST: 'rest-tok' };
      await signInAsAdmin(cwd);
      const first = await roster(['sync'], { cwd, env });
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stdout, /netskope: read 2 of the app's own audit events, 2 new in roster's trail/);
      netskope.events.add({ audit_log_event: 'User deleted' });
      const second = await roster(['sync'], { cwd, env });
      assert.match(second.stdout, /3 of the app's own audit events, 1 new/);
      const trail = await roster(['audit', '--action', 'netskope.audit_event', '--json'], { cwd });
      assert.equal(trail.stdout.trim().split('\n').length, 3);
      const wrongKind = await roster(['sync'], { cwd, env: { NS_SCIM: 'scim-tok', NS_REST: 'scim-tok' } });
      assert.notEqual(wrongKind.code, 0);
      assert.match(wrongKind.stdout, /reading the app's audit events FAILED: .*REST API v2/);
    } finally {
      await netskope.close();
    }
  });

  it('a bad people file changes nothing and says which rows are wrong', async () => {
    const cwd = workspace('');
    writeFileSync(join(cwd, 'people.csv'), 'userName,email,active\nok@acme.example,ok@acme.example,yes\n,missing@acme.example,yes\nbad@acme.example,not-an-email,maybe\n');
    const run = await roster(['import', 'people.csv'], { cwd });
    assertOneLineError(run, /^roster: people\.csv has 3 problems, nothing imported: row 3 userName: userName is required; row 4 email: not an email address; row 4 active: active must be true or false/);
    const status = await roster(['status', '--json'], { cwd });
    assert.equal((JSON.parse(status.stdout) as { people: { total: number } }).people.total, 0);
  });

  it('bad config: one line naming every problem, non-zero exit', async () => {
    const cwd = workspace('apps:\n  hr:\n    type: scim\n    baseUrl: nope\n    auth: { type: bearer, token: sk-live-inline }\n');
    const run = await roster(['sync'], { cwd });
    assertOneLineError(run, /^roster: .*roster\.yaml has 2 problems: apps\.hr\.baseUrl: .*; apps\.hr\.auth\.token: must be a secret reference/);
    assert.ok(!run.stderr.includes('sk-live-inline'));
  });

  it('a missing secret is named, not printed', async () => {
    const cwd = workspace(appConfig(sim.baseUrl));
    await signInAsAdmin(cwd);
    const run = await roster(['sync'], { cwd });
    assertOneLineError(run, /apps\.hr\.auth\.token: environment variable HR_TOKEN is not set/);
  });

  it('an unreachable app: one actionable line, non-zero exit, and the failure is recorded', async () => {
    const cwd = workspace(appConfig('http://127.0.0.1:9/scim/v2'));
    await signInAsAdmin(cwd);
    const run = await roster(['sync'], { cwd, env: { HR_TOKEN: 'x' } });
    assert.notEqual(run.code, 0);
    assert.match(run.stdout, /hr: sync FAILED after 0 accounts: hr: cannot reach http:\/\/127\.0\.0\.1:9 \(connection refused\); check the app's baseUrl/);
    assertOneLineError(run, /^roster: 1 of 1 app failed to sync \(hr\); the last good state is kept$/);
  });

  it('a wrong token: one actionable line, and the token is not echoed', async () => {
    const cwd = workspace(appConfig(sim.baseUrl));
    await signInAsAdmin(cwd);
    const run = await roster(['sync'], { cwd, env: { HR_TOKEN: 'wrong-token-123' } });
    assert.notEqual(run.code, 0);
    assert.match(run.stdout, /answered 401 .*check the credentials in roster\.yaml/);
    assert.ok(!(run.stdout + run.stderr).includes('wrong-token-123'));
  });

  it('a second process on the same embedded database gets a clear error', async () => {
    const cwd = workspace('');
    const lockDir = join(cwd, '.roster', 'db');
    await roster(['status'], { cwd });
    // Pretend a live roster process (this test's own parent) holds the folder.
    writeFileSync(join(lockDir, 'roster.lock'), String(process.pid));
    const run = await roster(['status'], { cwd });
    assertOneLineError(run, /database folder .* is in use by another roster process \(pid \d+\)/);
    assert.equal(readFileSync(join(lockDir, 'roster.lock'), 'utf8'), String(process.pid), 'the other process keeps its lock');
  });

  it('an unknown command or option exits non-zero', async () => {
    const run = await roster(['frobnicate'], { cwd: workspace() });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /unknown command 'frobnicate'/);
  });
});
