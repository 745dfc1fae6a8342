// What real SCIM servers do (issue 8): each odd behaviour is a simulator setting, and roster either
// copes with it or fails loudly, keeping the last good state. Everything runs through the real CLI.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startScimSimulator, type RunningScimSimulator } from '../simulators/scim/index.ts';
import { SCIM } from '../src/scim/schemas.ts';
import { roster, signInAsAdmin, workspace } from './support/cli.ts';

const TOTAL = 194;
/** People 150–177 have left: all beyond the first pages a broken server shows. */
const isLeaver = (i: number) => i >= 150 && i < 178;
const userName = (i: number) => `user${String(i).padStart(3, '0')}@acme.example`;

function peopleCsv(count: number, leavers: (i: number) => boolean): string {
  const rows = Array.from({ length: count }, (_, i) => `${userName(i)},Given${i},Family${i},Engineering,${leavers(i) ? 'false' : 'true'}`);
  return `userName,givenName,familyName,department,active\n${rows.join('\n')}\n`;
}

function seed(sim: RunningScimSimulator, count: number): void {
  sim.store.seedUsers(
    Array.from({ length: count }, (_, i) => ({
      userName: userName(i),
      displayName: `Given${i} Family${i}`,
      name: { givenName: `Given${i}`, familyName: `Family${i}` },
      emails: [{ value: userName(i), type: 'work', primary: true }],
      active: true,
      [SCIM.enterpriseUser]: { department: 'Engineering' },
    })),
  );
}

const config = (baseUrl: string, policy = '') => `apps:\n  acme-scim:\n    type: scim\n    baseUrl: ${baseUrl}\n    auth: { type: bearer, token: env:SCIM_TOKEN }\n${policy}`;

interface StatusJson {
  apps: { lastGoodSync: { accountsRead: number } | null; latestProblem: { status: string; error?: string } | null; findings: { accounts: number; leaversActive: unknown[] } | null }[];
}

describe('roster against SCIM servers that page badly', () => {
  let sim: RunningScimSimulator;
  let cwd: string;
  let env: Record<string, string>;
  before(async () => {
    sim = await startScimSimulator({ maxPageSize: 50 });
    seed(sim, TOTAL);
    cwd = workspace(config(sim.baseUrl));
    env = { SCIM_TOKEN: sim.settings.token };
    await signInAsAdmin(cwd);
    writeFileSync(join(cwd, 'people.csv'), peopleCsv(TOTAL, isLeaver));
    assert.equal((await roster(['import', 'people.csv'], { cwd })).code, 0);
  });
  after(() => sim.close());

  const status = async (): Promise<StatusJson> => {
    const run = await roster(['status', '--json'], { cwd });
    assert.equal(run.code, 0, run.stderr);
    return JSON.parse(run.stdout) as StatusJson;
  };

  it('totalResults equal to the page size: roster reads on and finds every leaver', async () => {
    sim.settings.totalResults = 'page';
    const synced = await roster(['sync'], { cwd, env });
    assert.equal(synced.code, 0, synced.stdout + synced.stderr);
    // Four pages and the empty one that proves the end.
    assert.match(synced.stdout, /acme-scim: read 194 accounts in 4 list requests/);
    const app = (await status()).apps[0];
    assert.equal(app?.findings?.accounts, 194);
    assert.equal(app?.findings?.leaversActive.length, 28);
    const text = await roster(['status'], { cwd });
    assert.match(text.stdout, /leavers still active 28/);
  });

  it('startIndex ignored: the sync fails loudly and status keeps the last good state', async () => {
    sim.settings.totalResults = 'honest';
    sim.settings.startIndex = 'ignored';
    const synced = await roster(['sync'], { cwd, env });
    assert.notEqual(synced.code, 0);
    assert.match(synced.stdout, /acme-scim: sync FAILED after 50 accounts: acme-scim: GET \/Users does not page correctly: asked for startIndex=51, it answered startIndex=1 with 50 ids it had already sent; roster read 50 of 194/);
    assert.match(synced.stderr, /1 of 1 app failed to sync \(acme-scim\); the last good state is kept/);

    const app = (await status()).apps[0];
    assert.equal(app?.lastGoodSync?.accountsRead, 194);
    assert.equal(app?.latestProblem?.status, 'failed');
    assert.match(app?.latestProblem?.error ?? '', /does not page correctly/);
    assert.equal(app?.findings?.leaversActive.length, 28, 'the leavers are still reported, not hidden by a short read');
    const text = await roster(['status'], { cwd });
    assert.match(text.stdout, /last good sync .*: 194 accounts/);
    assert.match(text.stdout, /! latest sync failed .*does not page correctly/);
    assert.match(text.stdout, /the last good state is kept/);

    // The plan still rests on the good state: every leaver is still to be deactivated.
    const planned = await roster(['plan'], { cwd, env });
    assert.equal(planned.code, 0, planned.stderr);
    assert.equal((planned.stdout.match(/deactivate\s+.*<user1[5-7]\d@acme\.example>$/gm) ?? []).length, 28, planned.stdout.slice(0, 600));
  });

  it('startIndex ignored but echoed: caught by the repeated ids, same outcome', async () => {
    sim.settings.startIndex = 'ignored-echoed';
    const synced = await roster(['sync'], { cwd, env });
    assert.notEqual(synced.code, 0);
    assert.match(synced.stdout, /sync FAILED after 50 accounts: .*asked for startIndex=51, it answered 50 of 50 ids it had already sent/);
    assert.equal((await status()).apps[0]?.lastGoodSync?.accountsRead, 194);
    sim.settings.startIndex = 'honoured';
  });
});

describe('roster against a SCIM server without filtering', () => {
  let sim: RunningScimSimulator;
  before(async () => {
    // Says filter.supported: false and answers a filter with the whole unfiltered list; wants names.
    sim = await startScimSimulator({ maxPageSize: 50, filtering: 'ignored', requiredUserAttributes: ['name.givenName', 'name.familyName'] });
    seed(sim, 20);
  });
  after(() => sim.close());

  it('creates every missing account, with its name, and finds the existing ones', async () => {
    const policy = '    policy: { manage: [displayName, givenName, familyName, email, department, title] }\n';
    const cwd = workspace(config(sim.baseUrl, policy));
    const env = { SCIM_TOKEN: sim.settings.token };
    await signInAsAdmin(cwd);
    writeFileSync(join(cwd, 'people.csv'), peopleCsv(TOTAL, () => false));
    for (const args of [['import', 'people.csv'], ['sync']]) assert.equal((await roster(args, { cwd, env })).code, 0);
    const planned = await roster(['plan'], { cwd, env });
    assert.equal(planned.code, 0, planned.stderr);
    const planId = /plan ([0-9a-f]{12})/.exec(planned.stdout)?.[1] ?? '';
    assert.equal((planned.stdout.match(/\+ create/g) ?? []).length, TOTAL - 20);
    const before = sim.requests.entries.length;
    const applied = await roster(['apply', planId], { cwd, env });
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    assert.match(applied.stdout, new RegExp(`${TOTAL - 20} done, 0 failed`));
    // One POST per create, plus discovery and one read of the 20 accounts there were: no lookup per create.
    const used = sim.requests.entries.slice(before);
    assert.equal(used.filter((r) => r.method === 'POST').length, TOTAL - 20);
    assert.ok(used.length <= TOTAL - 20 + 3, `${used.length} requests for ${TOTAL - 20} creates`);
    assert.equal(sim.store.userCount, TOTAL);
    const created = sim.store.findUserByUserName(userName(193));
    assert.deepEqual(created?.attrs['name'], { givenName: 'Given193', familyName: 'Family193', formatted: 'Given193 Family193' });
    assert.equal(sim.requests.filter({ pathIncludes: '/Users' }).filter((r) => r.query['filter'] !== undefined).length, 0, 'no lookup leaned on a filter');

    // A sync afterwards reads every account, and nobody is missing.
    const again = await roster(['sync'], { cwd, env });
    assert.match(again.stdout, /read 194 accounts/);
    assert.match((await roster(['status'], { cwd })).stdout, /missing 0/);
  });
});

describe('roster against a SCIM server whose members projection is [{}, {}]', () => {
  let sim: RunningScimSimulator;
  before(async () => {
    sim = await startScimSimulator({ maxPageSize: 50, projectedMembers: 'empty', userGroups: false });
    seed(sim, 12);
    // Two members already, shown as [{}, {}] to ?attributes=members.
    sim.store.seedGroups([{ schemas: [SCIM.group], displayName: 'Engineers', members: sim.store.listUsers().slice(0, 2).map((u) => ({ value: u.id })) }]);
  });
  after(() => sim.close());

  it('adds each member once and verifies it from what the server really shows', async () => {
    const cwd = workspace(config(sim.baseUrl, '    policy: { groups: { staff: Engineers } }\n'));
    const env = { SCIM_TOKEN: sim.settings.token };
    await signInAsAdmin(cwd);
    const rows = Array.from({ length: 12 }, (_, i) => `${userName(i)},Given${i},Family${i},Engineering,true,staff`);
    writeFileSync(join(cwd, 'people.csv'), `userName,givenName,familyName,department,active,groups\n${rows.join('\n')}\n`);
    for (const args of [['import', 'people.csv'], ['sync']]) assert.equal((await roster(args, { cwd, env })).code, 0);
    const planned = await roster(['plan'], { cwd, env });
    const planId = /plan ([0-9a-f]{12})/.exec(planned.stdout)?.[1] ?? '';
    const applied = await roster(['apply', planId], { cwd, env });
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    assert.match(applied.stdout, /0 failed/, planned.stdout + applied.stdout);
    assert.match(planned.stdout, /add-member/, planned.stdout);
    const members = sim.store.listGroups().find((g) => g.attrs['displayName'] === 'Engineers')?.attrs['members'] as { value: string }[];
    assert.deepEqual(new Set(members.map((m) => m.value)), new Set(sim.store.listUsers().map((u) => u.id)), 'all 12 in the group, the 2 who were already there not added twice');
    assert.equal(members.length, 12);
    const groupPatches = sim.requests.filter({ method: 'PATCH', pathIncludes: '/Groups/' });
    // A first attempt writes without reading first (adding a member twice is harmless), so each planned membership is one PATCH, never more.
    assert.ok(groupPatches.length <= 12, `at most one PATCH per planned membership, got ${groupPatches.length}`);
  });
});
