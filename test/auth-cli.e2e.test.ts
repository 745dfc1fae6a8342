// The CLI acts as a signed-in identity: the first admin, login/whoami/logout, ROSTER_TOKEN, write
// commands refused without the right identity (changing nothing), and four eyes on real identities.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startScimSimulator, type RunningScimSimulator } from '../simulators/scim/index.ts';
import { testPostgresUrl } from '../src/store/testing.ts';
import { addUser, dropRosterSchema, login, roster, TEST_PASSWORD, workspace, type Run } from './support/cli.ts';

function refused(run: Run, pattern: RegExp): void {
  assert.notEqual(run.code, 0, `non-zero exit expected:\n${run.stdout}`);
  const lines = run.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line, got:\n${run.stderr}`);
  assert.match(lines[0] ?? '', pattern);
}

const ok = (run: Run): Run => {
  assert.equal(run.code, 0, run.stderr);
  return run;
};

describe('the CLI as a signed-in identity', () => {
  let sim: RunningScimSimulator;
  before(async () => {
    sim = await startScimSimulator({});
  });
  after(() => sim.close());

  it('bootstraps the first admin, then needs an identity with the right role for every write; ROSTER_ACTOR counts for nothing', async () => {
    const cwd = workspace('');
    writeFileSync(join(cwd, 'people.csv'), 'userName,active\nann@acme.example,true\n');
    const peopleCount = async () => (JSON.parse(ok(await roster(['status', '--json'], { cwd })).stdout) as { people: { total: number } }).people.total;

    refused(await roster(['user', 'add', 'first', '--role', 'viewer'], { cwd }), /the first must be an admin/);
    const first = ok(await roster(['user', 'add', 'Root', '--role', 'admin', '--password-stdin'], { cwd, input: `${TEST_PASSWORD}\n` }));
    assert.match(first.stdout, /first account: root \(admin\) is an admin, made without sign-in/);
    refused(await roster(['user', 'add', 'eve', '--role', 'admin', '--password-stdin'], { cwd, input: `${TEST_PASSWORD}\n` }), /^roster: sign in first: roster login, or set ROSTER_TOKEN/);

    refused(await roster(['whoami'], { cwd }), /not signed in/);
    refused(await roster(['import', 'people.csv'], { cwd }), /^roster: sign in first: roster login, or set ROSTER_TOKEN/);
    refused(await roster(['import', 'people.csv'], { cwd, env: { ROSTER_ACTOR: 'root' } }), /sign in first/);
    assert.equal(await peopleCount(), 0, 'nothing imported');

    refused(await roster(['login', '--username', 'root'], { cwd, env: { ROSTER_PASSWORD: 'not the password' } }), /wrong username or password/);
    refused(await roster(['login', '--username', 'nobody'], { cwd, env: { ROSTER_PASSWORD: 'not the password' } }), /wrong username or password/);
    const signedIn = ok(await roster(['login', '--username', 'ROOT', '--password-stdin'], { cwd, input: `${TEST_PASSWORD}\n` }));
    assert.match(signedIn.stdout, /signed in as operator:root \(admin\)/);
    const credential = join(cwd, '.roster', 'cli-session');
    assert.equal(statSync(credential).mode & 0o777, 0o600, 'only its owner can read the session file');
    assert.match(readFileSync(credential, 'utf8'), /^rss_[A-Za-z0-9_-]{43}\n$/);
    assert.match(ok(await roster(['whoami'], { cwd, env: { ROSTER_ACTOR: 'bob' } })).stdout, /^operator:root \(admin, signed in until /);

    ok(await roster(['user', 'add', 'vic', '--role', 'viewer', '--password-stdin'], { cwd, input: `${TEST_PASSWORD}\n` }));
    refused(await roster(['user', 'add', 'VIC', '--role', 'admin', '--password-stdin'], { cwd, input: `${TEST_PASSWORD}\n` }), /an account named vic exists already/);
    refused(await roster(['user', 'add', 'v ic', '--role', 'admin'], { cwd }), /usernames are/);
    const made = ok(await roster(['token', 'create', 'script', '--kind', 'api', '--role', 'operator'], { cwd }));
    const apiToken = made.stdout.trim();
    assert.match(apiToken, /^rat_/);
    assert.match(ok(await roster(['token', 'create', 'entra'], { cwd })).stdout, /^rst_/, 'the default kind is still a SCIM push token');

    await login(cwd, 'vic');
    refused(await roster(['import', 'people.csv'], { cwd }), /^roster: operator:vic \(viewer\) may not plan/);
    refused(await roster(['user', 'set-role', 'vic', 'admin'], { cwd }), /may not admin/);
    assert.equal(await peopleCount(), 0, 'still nothing imported');
    assert.match(ok(await roster(['logout'], { cwd })).stdout, /signed out/);
    refused(await roster(['whoami'], { cwd }), /not signed in/);

    const viaToken = ok(await roster(['import', 'people.csv'], { cwd, env: { ROSTER_TOKEN: apiToken } }));
    assert.match(viaToken.stdout, /imported 1 people/);
    assert.match(ok(await roster(['whoami'], { cwd, env: { ROSTER_TOKEN: apiToken } })).stdout, /^token:script \(operator, from ROSTER_TOKEN\)/);
    const trail = ok(await roster(['audit', '--json', '--limit', '200'], { cwd })).stdout;
    assert.match(trail, /"actor":"token:script","action":"people.imported"/);
    assert.match(trail, /"action":"auth.sign_in_failed"/);
    assert.ok(!trail.includes(TEST_PASSWORD) && !trail.includes('not the password') && !trail.includes(apiToken.slice(-43)), 'no password or token value in the trail');
    assert.ok(!trail.includes('ROSTER_ACTOR') && !/"actor":"operator:bob"/.test(trail));

    await login(cwd, 'root');
    ok(await roster(['token', 'revoke', 'script'], { cwd }));
    refused(await roster(['import', 'people.csv'], { cwd, env: { ROSTER_TOKEN: apiToken } }), /ROSTER_TOKEN is not a live API token/);
    ok(await roster(['user', 'disable', 'vic'], { cwd }));
    refused(await roster(['login', '--username', 'vic'], { cwd, env: { ROSTER_PASSWORD: TEST_PASSWORD } }), /vic is disabled/);
    refused(await roster(['user', 'disable', 'root'], { cwd }), /last enabled admin/);
  });

  // The first test runs on the embedded database; the engine's four-eyes tests run on both.
  const shapes = [
    { name: 'PostgreSQL', env: (): Record<string, string> => ({ DATABASE_URL: testPostgresUrl, ROSTER_DB_SCHEMA: `roster_authcli_${process.pid}_${Math.floor(Math.random() * 1e6)}` }) },
  ];
  for (const shape of shapes) {
    it(`four eyes on ${shape.name}: no spelling of the requester’s name, nor their API token, approves their plan; another person does`, async (t) => {
      const userName = `leaver-${shape.name.length}@acme.example`;
      sim.store.seedUsers([{ userName, active: true, emails: [{ value: userName, primary: true }] }]);
      const cwd = workspace(`apps:\n  hr:\n    type: scim\n    baseUrl: ${sim.baseUrl}\n    auth: { type: bearer, token: env:HR_TOKEN }\n    rateBudget: false\n    policy: { leaver: delete }\n`);
      const env: Record<string, string> = { HR_TOKEN: sim.settings.token, ...shape.env() };
      const schema = env.ROSTER_DB_SCHEMA;
      if (schema) t.after(() => dropRosterSchema(testPostgresUrl, schema));
      writeFileSync(join(cwd, 'people.csv'), `userName,active\n${userName},false\n`);
      await addUser(cwd, 'alice', 'admin', env);
      await login(cwd, 'alice', env);
      await addUser(cwd, 'bob', 'approver', env);
      const aliceToken = ok(await roster(['token', 'create', 'alice-ci', '--kind', 'api', '--role', 'admin'], { cwd, env })).stdout.trim();
      ok(await roster(['import', 'people.csv'], { cwd, env }));
      ok(await roster(['sync'], { cwd, env }));
      const planned = ok(await roster(['plan', '--person', userName], { cwd, env }));
      const planId = /plan ([0-9a-f]{12})/.exec(planned.stdout)?.[1] ?? '';
      assert.match(planned.stdout, /requested by operator:alice/);

      for (const spelling of ['ALICE', ' alice ', 'ＡＬＩＣＥ']) {
        await login(cwd, spelling, env);
        refused(await roster(['approve', planId], { cwd, env: { ...env, ROSTER_ACTOR: 'bob' } }), /operator:alice requested plan [0-9a-f]+ and cannot approve it; another person must \(four-eyes rule\)/);
      }
      refused(await roster(['approve', planId], { cwd, env: { ...env, ROSTER_TOKEN: aliceToken } }), /token:alice-ci requested plan|cannot approve it; another person must/);
      ok(await roster(['logout'], { cwd, env }));
      refused(await roster(['approve', planId], { cwd, env: { ...env, ROSTER_ACTOR: 'bob' } }), /sign in first/);
      assert.ok(sim.store.findUserByUserName(userName), 'nothing deleted');

      await login(cwd, 'bob', env);
      refused(await roster(['apply', planId], { cwd, env }), /operator:bob \(approver\) may not apply/);
      const approved = ok(await roster(['approve', planId, '--note', 'HR confirmed'], { cwd, env }));
      assert.match(approved.stdout, /approved by operator:bob/);
      await login(cwd, 'alice', env);
      assert.match(ok(await roster(['apply', planId], { cwd, env })).stdout, /1 done/);
      assert.equal(sim.store.findUserByUserName(userName), undefined, 'deleted once someone else approved');
      const refusals = ok(await roster(['audit', '--action', 'plan.approve_refused', '--json'], { cwd, env })).stdout.trim().split('\n');
      assert.equal(refusals.length, 4, 'each refused self-approval is in the trail');
    });
  }
});
