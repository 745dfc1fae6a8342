// `roster pull` as a user meets it when something is wrong: one clear line, nothing changed.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startEntraSimulator, type RunningEntraSimulator } from '../simulators/entra/index.ts';
import { roster, signInAsAdmin, workspace } from './support/cli.ts';

describe('roster pull: bad input and a refusing IdP', () => {
  let sim: RunningEntraSimulator;
  let cwd: string;
  before(async () => {
    sim = await startEntraSimulator({ tenantId: 't1', clients: [{ clientId: 'roster', clientSecret: 'right-secret' }] });
    sim.tenant.addUser({ userPrincipalName: 'ann@contoso.example', displayName: 'Ann' });
    cwd = workspace(
      ['sources:', '  entra:', '    type: entra', '    tenantId: t1', '    clientId: roster', '    clientSecret: env:ENTRA_SECRET', `    authority: ${sim.origin}`, `    graphUrl: ${sim.graphUrl}`, '  hr: { type: csv, file: people.csv }', ''].join('\n'),
    );
    await signInAsAdmin(cwd);
  });
  after(() => sim.close());

  it('names an unknown source, and a source roster cannot pull from', async () => {
    const unknown = await roster(['pull', '--source', 'okta'], { cwd, env: { ENTRA_SECRET: 'right-secret' } });
    assert.equal(unknown.code, 1);
    assert.equal(unknown.stderr, 'roster: no source named okta; configured: entra, hr\n');
    const file = await roster(['pull', '--source', 'hr'], { cwd, env: { ENTRA_SECRET: 'right-secret' } });
    assert.equal(file.stderr, 'roster: source hr is a csv source: roster pulls only from entra and okta sources\n');
  });

  it('a missing secret is a config error naming the variable', async () => {
    const run = await roster(['pull'], { cwd });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /^roster: .*sources\.entra\.clientSecret: environment variable ENTRA_SECRET is not set\n$/);
  });

  it('a wrong secret: one line without the secret, nobody added, the failure and its request in the trail; then the right one works', async () => {
    const wrong = await roster(['pull'], { cwd, env: { ENTRA_SECRET: 'wrong-secret-value' } });
    assert.equal(wrong.code, 1);
    assert.equal(wrong.stderr.split('\n').filter(Boolean).length, 1, wrong.stderr);
    assert.match(wrong.stderr, /pull failed .*entra: the token endpoint answered 401 .*AADSTS7000215/);
    assert.doesNotMatch(wrong.stderr + wrong.stdout, /wrong-secret-value/);
    const status = await roster(['status', '--json'], { cwd });
    assert.equal(JSON.parse(status.stdout).people.total, 0);
    assert.match((await roster(['status'], { cwd })).stdout, /entra: 0 people \(0 active\); last pull FAILED at .*AADSTS7000215/);
    const trail = (await roster(['audit', '--json'], { cwd })).stdout.trim().split('\n').map((line) => JSON.parse(line) as { action: string; outcome: string; detail: Record<string, unknown> });
    assert.deepEqual(trail.map((e) => e.action).filter((a) => a.startsWith('source.')).sort(), ['source.pull_failed', 'source.read']);
    assert.equal(trail.find((e) => e.action === 'source.read')?.detail.path, '/t1/oauth2/v2.0/token');
    assert.doesNotMatch(JSON.stringify(trail), /wrong-secret-value/);
    const right = await roster(['pull'], { cwd, env: { ENTRA_SECRET: 'right-secret' } });
    assert.equal(right.code, 0, right.stderr);
    assert.match(right.stdout, /entra: full pull: read 1 people, 0 groups, 0 app assignments in 3 requests \(fewest possible 3\)/);
    assert.match(right.stdout, /not planned: no apps configured/);
    assert.equal(JSON.parse((await roster(['status', '--json'], { cwd })).stdout).people.total, 1);
    assert.match((await roster(['status'], { cwd })).stdout, /^ {2}entra: 1 people \(1 active\); last full pull [\dT:-]+Z: 1 changed, 3 requests \(fewest possible 3\)$/m);
  });
});
