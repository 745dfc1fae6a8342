import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startEntraSimulator, type RunningEntraSimulator } from '../../simulators/entra/index.ts';
import { startOktaSimulator, type RunningOktaSimulator } from '../../simulators/okta/index.ts';
import { queryAudit } from '../audit/trail.ts';
import { parseConfig } from '../config/load.ts';
import type { ResolvedPullSource } from '../sources/config.ts';
import type { Database } from '../store/database.ts';
import { upsertPeople } from '../store/people.ts';
import { peopleOfSource, sourceAssignments, sourceCursors } from '../store/sources.ts';
import { databaseKinds, openTestDatabase } from '../store/testing.ts';
import { completeSyncRun, ensureApp, startSyncRun } from '../store/accounts.ts';
import type { ResolvedApp } from '../config/load.ts';
import { pullSource, runScheduledPulls, transitiveMembers } from './pull.ts';

describe('transitiveMembers', () => {
  it('resolves nested groups to people and survives a cycle', () => {
    const groups = new Map([
      ['a', { id: 'a', name: 'A', users: ['u1'], groups: ['b'] }],
      ['b', { id: 'b', name: 'B', users: ['u2'], groups: ['c'] }],
      ['c', { id: 'c', name: 'C', users: ['u3'], groups: ['a'] }],
    ]);
    const members = transitiveMembers(groups);
    assert.deepEqual([...(members.get('a') ?? [])].sort(), ['u1', 'u2', 'u3']);
    assert.deepEqual([...(members.get('c') ?? [])].sort(), ['u1', 'u2', 'u3']);
  });
});

for (const kind of databaseKinds) {
  describe(`pull from an IdP into people (${kind})`, () => {
    let db: Database;
    let entra: RunningEntraSimulator;
    let okta: RunningOktaSimulator;
    let sources: ResolvedPullSource[];
    const ids: Record<string, string> = {};

    before(async () => {
      db = await openTestDatabase(kind);
      entra = await startEntraSimulator({ tenantId: 't1', clients: [{ clientId: 'c1', clientSecret: 'entra-secret' }] });
      okta = await startOktaSimulator({ apiTokens: ['okta-token'], rateLimits: undefined });
      const t = entra.tenant;
      const boss = t.addUser({ userPrincipalName: 'boss@contoso.example', displayName: 'Boss', department: 'Executive' });
      const ann = t.addUser({ userPrincipalName: 'ann@contoso.example', displayName: 'Ann', department: 'Sales', manager: boss.id });
      const bob = t.addUser({ userPrincipalName: 'bob@contoso.example', displayName: 'Bob', department: 'Sales', manager: boss.id });
      const cy = t.addUser({ userPrincipalName: 'cy@contoso.example', displayName: 'Cy', department: 'IT' });
      const team = t.addGroup({ displayName: 'sales-team' });
      const all = t.addGroup({ displayName: 'all-sales' });
      t.addMember(team.id, ann.id);
      t.addMember(all.id, team.id);
      t.addMember(all.id, bob.id);
      const sp = t.addServicePrincipal('Zscaler');
      t.assign(sp.id, all.id);
      Object.assign(ids, { boss: boss.id, ann: ann.id, bob: bob.id, cy: cy.id, team: team.id, all: all.id, sp: sp.id });
      // Ann reached roster before, from a file: the pull must find her, not add her twice.
      await upsertPeople(db, [{ id: 'emp-ann', userName: 'Ann@contoso.example', email: 'ann@contoso.example', emails: ['ann@contoso.example'], active: true, groups: [] }], 'file:people.csv');
      okta.tenant.addUser({ firstName: 'B', lastName: 'O', login: 'bob.okta@acme.example', email: 'bob@contoso.example' });
      const config = parseConfig(
        {
          sources: {
            entra: { type: 'entra', tenantId: 't1', clientId: 'c1', clientSecret: 'env:ENTRA_SECRET', authority: entra.origin, graphUrl: entra.graphUrl, pageSize: 2, apps: [{ id: sp.id, name: 'zia' }] },
            okta: { type: 'okta', baseUrl: okta.origin, auth: { type: 'ssws', token: 'env:OKTA_TOKEN' } },
          },
        },
        undefined,
        { env: { ENTRA_SECRET: 'entra-secret', OKTA_TOKEN: 'okta-token' } },
      );
      sources = config.sources as ResolvedPullSource[];
    });
    after(async () => {
      await db.close();
      await entra.close();
      await okta.close();
    });
    const source = (name: string) => sources.find((s) => s.name === name) as ResolvedPullSource;
    const people = async () => new Map((await peopleOfSource(db, 'entra')).map((p) => [p.sourceId, p]));

    it('a first pull reads everyone: source ids kept, nested groups resolved to people, managers by roster id, assignments and cursors stored; every request in the trail', async () => {
      const report = await pullSource(db, source('entra'), { apps: [] });
      assert.equal(report.mode, 'full');
      assert.equal(report.created, 3);
      assert.equal(report.updated, 1, 'Ann, found by userName');
      const byId = await people();
      const ann = byId.get(ids.ann);
      assert.equal(ann?.id, 'emp-ann');
      assert.match(ann?.sourceMatch ?? '', /^matched by userName ann@contoso.example to person emp-ann, who came from file:people.csv$/);
      assert.deepEqual(ann?.groups, ['all-sales', 'sales-team']);
      assert.equal(ann?.managerId, ids.boss);
      assert.deepEqual(byId.get(ids.bob)?.groups, ['all-sales']);
      assert.equal((await db.query('select count(*)::int as n from people'))[0]?.n, 4);
      assert.deepEqual((await sourceAssignments(db, 'entra')).map((a) => [a.appName, a.principalId, a.principalType]), [['zia', ids.all, 'group']]);
      assert.deepEqual(Object.keys(await sourceCursors(db, 'entra')).sort(), ['groups', 'users']);
      const reads = await queryAudit(db, { action: 'source.read' });
      assert.equal(reads.length, report.requests);
      assert.ok(!JSON.stringify(reads).includes('entra-secret'));
      assert.equal((await queryAudit(db, { action: 'source.pulled' })).length, 1);
    });

    it('an incremental pull takes only what changed: a mover, a leaver (disabled), a deletion, a joiner', async () => {
      const t = entra.tenant;
      t.addMember(ids.team ?? '', ids.bob ?? '');
      t.updateUser(ids.cy ?? '', { accountEnabled: false });
      t.deleteUser(ids.boss ?? '');
      const dee = t.addUser({ userPrincipalName: 'dee@contoso.example', displayName: 'Dee', department: 'Sales' });
      t.addMember(ids.all ?? '', dee.id);
      const report = await pullSource(db, source('entra'), { apps: [] });
      assert.equal(report.mode, 'incremental');
      assert.deepEqual(report.leavers.map((l) => l.userName).sort(), ['boss@contoso.example', 'cy@contoso.example']);
      assert.match(report.leavers.find((l) => l.userName.startsWith('cy'))?.reason ?? '', /accountEnabled false/);
      assert.equal(report.created, 1);
      const byId = await people();
      assert.deepEqual(byId.get(ids.bob)?.groups, ['all-sales', 'sales-team']);
      assert.deepEqual(byId.get(dee.id)?.groups, ['all-sales']);
      assert.equal(byId.get(ids.ann)?.managerId, ids.boss, 'her manager left, the relationship stays until Graph says otherwise');
      assert.equal(report.changed.length, 4, 'bob, cy, boss, dee — nobody else');
      // Nothing changed: nothing written, one request per stream.
      const quiet = await pullSource(db, source('entra'), { apps: [] });
      assert.equal(quiet.changed.length, 0);
      assert.equal(quiet.requests, quiet.minimumRequests);
    });

    it('a group nested into a new group: its people, and only they, gain the new group', async () => {
      const everyone = entra.tenant.addGroup({ displayName: 'everyone' });
      entra.tenant.addMember(everyone.id, ids.all ?? '');
      const report = await pullSource(db, source('entra'), { apps: [] });
      const byId = await people();
      const inAllSales = [...byId.values()].filter((p) => p.groups.includes('all-sales'));
      assert.ok(inAllSales.length >= 3);
      assert.ok(inAllSales.every((p) => p.groups.includes('everyone')));
      assert.deepEqual(report.changed.sort(), inAllSales.map((p) => p.id).sort());
      assert.deepEqual(byId.get(ids.cy)?.groups, []);
    });

    it('an expired delta token falls back to a full read, which also finds who was deleted meanwhile', async () => {
      entra.expireDeltaTokens();
      entra.tenant.deleteUser(ids.ann ?? '', 'deleted');
      const report = await pullSource(db, source('entra'), { apps: [] });
      assert.equal(report.mode, 'full');
      assert.match(report.fellBack ?? '', /410 syncStateNotFound/);
      assert.deepEqual(report.leavers, [{ userName: 'ann@contoso.example', reason: 'not in a full read of entra: deleted from the IdP' }]);
    });

    it('a person two IdP sources claim is a conflict, left as it was', async () => {
      const report = await pullSource(db, source('okta'), { apps: [] });
      assert.equal(report.created, 0);
      assert.equal(report.conflicts.length, 1);
      assert.match(report.conflicts[0] ?? '', /matches person .* by email bob@contoso.example, but that person is read from entra as /);
      assert.equal((await people()).get(ids.bob)?.source, 'entra');
      assert.equal((await queryAudit(db, { action: 'source.conflict' })).length, 1);
    });

    it('a person pushed by the IdP over SCIM (externalId = the object id) is the same person when pulled', async () => {
      const eve = entra.tenant.addUser({ userPrincipalName: 'eve.new@contoso.example', displayName: 'Eve' });
      await upsertPeople(db, [{ id: 'scim-7', externalId: eve.id, userName: 'eve@contoso.example', emails: [], active: true, groups: [] }], 'push');
      const report = await pullSource(db, source('entra'), { apps: [] });
      assert.equal(report.created, 0);
      const person = (await people()).get(eve.id);
      assert.equal(person?.id, 'scim-7');
      assert.equal(person?.userName, 'eve.new@contoso.example', 'the IdP is the source of truth for the userName');
      assert.match(person?.sourceMatch ?? '', /^matched by externalId = the entra id [0-9a-f-]+ \(as an IdP's SCIM push sends it\) to person scim-7, who came from push$/);
    });

    it('a plan that cannot be made is reported beside a pull that is kept', async () => {
      await ensureApp(db, { name: 'ghost', type: 'nope', baseUrl: 'http://127.0.0.1:1' });
      await completeSyncRun(db, await startSyncRun(db, 'ghost'), 'ghost', { accountsRead: 0, listRequests: 0 });
      entra.tenant.updateUser(ids.dee ?? entra.tenant.findUser('dee@contoso.example')?.id ?? '', { jobTitle: 'Lead' });
      const report = await pullSource(db, source('entra'), { apps: [{ name: 'ghost', type: 'nope', policy: {} } as unknown as ResolvedApp] });
      assert.equal(report.changed.length, 1);
      assert.match(report.planError ?? '', /no connector for type nope/);
      assert.equal((await people()).get(entra.tenant.findUser('dee@contoso.example')?.id)?.title, 'Lead');
      assert.equal((await queryAudit(db, { action: 'source.plan_failed' })).length, 1);
    });

    it('the schedule pulls each source when its interval has passed: incrementally every few minutes, in full after days', async () => {
      const at = (ms: number) => ({ now: () => Date.now() + ms, sleep: async () => {} });
      assert.deepEqual(await runScheduledPulls(db, sources, { apps: [], clock: at(0) }), [], 'both pulled just now');
      const soon = await runScheduledPulls(db, sources, { apps: [], clock: at(6 * 60_000) });
      assert.deepEqual(soon.map((r) => [r.source, r.mode]), [['entra', 'incremental'], ['okta', 'incremental']]);
      const errors: string[] = [];
      const later = await runScheduledPulls(db, sources, { apps: [], clock: at(8 * 86_400_000), onError: (name) => errors.push(name) });
      assert.deepEqual(later.map((r) => [r.source, r.mode]), [['entra', 'full'], ['okta', 'full']]);
      assert.deepEqual(errors, []);
      assert.ok((await queryAudit(db, { action: 'source.pulled' })).every((e) => e.actor === 'idp:entra' || e.actor === 'idp:okta' || e.actor === 'system:schedule'));
    });
  });
}
