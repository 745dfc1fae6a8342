import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startScimSimulator, type RunningScimSimulator } from '../simulators/scim/index.ts';
import { DEFAULT_CREDENTIALS, startZiaSimulator } from '../simulators/zscaler/index.ts';
import { startNetskopeSimulator } from '../simulators/netskope/index.ts';
import { queryAudit } from '../src/audit/trail.ts';
import { parseConfig, type ResolvedApp } from '../src/config/load.ts';
import { createConnector } from '../src/connectors/registry.ts';
import type { Person } from '../src/core/person.ts';
import { generateOrganisation } from '../src/core/sample-org.ts';
import { applyPlan } from '../src/engine/apply.ts';
import { decide } from '../src/engine/approvals.ts';
import { makePlan } from '../src/engine/planning.ts';
import { restoreSnapshot } from '../src/engine/restore.ts';
import { syncApp } from '../src/engine/sync.ts';
import { isRosterError } from '../src/errors.ts';
import type { Database } from '../src/store/database.ts';
import { upsertPeople } from '../src/store/people.ts';
import { listSnapshots } from '../src/store/snapshots.ts';
import { databaseKinds, openTestDatabase } from '../src/store/testing.ts';
import { SCIM } from '../src/scim/schemas.ts';

type Zia = Awaited<ReturnType<typeof startZiaSimulator>>;
type Netskope = Awaited<ReturnType<typeof startNetskopeSimulator>>;
const alice = 'operator:alice';
const bob = 'operator:bob';

for (const kind of databaseKinds) {
  describe(`joiner, mover and leaver through plan → approve → apply → verify (${kind})`, () => {
    let db: Database;
    let scim: RunningScimSimulator;
    let zia: Zia;
    let netskope: Netskope;
    let apps: ResolvedApp[];
    let people: Person[];

    const sync = async () => {
      for (const app of apps) {
        const connector = createConnector(app);
        try {
          const result = await syncApp(db, app, connector, { actor: alice });
          assert.ok(result.ok, result.error);
        } finally {
          await connector.close();
        }
      }
    };
    const apply = (planId: string) => applyPlan(db, apps, planId, { actor: alice, connectorFor: createConnector });
    const scimUser = (userName: string) => scim.store.findUserByUserName(userName);
    const ziaLive = (email: string) => zia.state.liveUsers().find((u) => u.email === email);
    const netskopeUser = (userName: string) => netskope.scim.store.findUserByUserName(userName);

    before(async () => {
      db = await openTestDatabase(kind);
      people = generateOrganisation({ size: 30, seed: 11, domain: 'example.com', leaverShare: 0 });
      await upsertPeople(db, people, 'test');
      const departments = [...new Set([...people.map((p) => p.department ?? ''), 'Finance', 'Sales'])];
      scim = await startScimSimulator({ maxPageSize: 50 });
      zia = await startZiaSimulator({ rateLimits: false, activationMs: 20, departments: departments.map((name) => ({ name })), users: people.slice(0, 20).map((p) => ({ name: p.displayName ?? p.userName, email: p.email ?? '', department: p.department, groups: ['Employees'] })) });
      const scimUsers = people.slice(0, 20).map((p) => ({ userName: p.userName, displayName: p.displayName, emails: [{ value: p.email, type: 'work', primary: true }], title: p.title, active: true, [SCIM.enterpriseUser]: { department: p.department } }));
      scim.store.seedUsers(scimUsers);
      netskope = await startNetskopeSimulator({ scimToken: 'netskope-scim-token', rateLimit: undefined });
      netskope.scim.store.seedUsers(scimUsers.map((u) => ({ userName: u.userName, displayName: u.displayName, emails: u.emails, active: true })));
      const config = parseConfig(
        {
          apps: {
            scim: { type: 'scim', baseUrl: scim.baseUrl, auth: { type: 'bearer', token: 'env:SCIM_TOKEN' }, policy: { approval: { massChange: { share: 0.2, minimum: 3 } } } },
            zia: {
              type: 'zscaler',
              baseUrl: zia.baseUrl,
              auth: { type: 'zscaler-session', username: DEFAULT_CREDENTIALS.username, password: 'env:ZIA_PASSWORD', apiKey: 'env:ZIA_KEY' },
              defaults: { groups: ['Employees'] },
              rateBudget: false,
              policy: { leaver: 'delete', approval: { massChange: { share: 0.2, minimum: 3 } } },
            },
            netskope: { type: 'netskope', baseUrl: netskope.baseUrl, auth: { type: 'header', header: 'Netskope-Api-Token', token: 'env:NETSKOPE_TOKEN' }, rateBudget: false, policy: { approval: { massChange: { share: 0.2, minimum: 3 } } } },
          },
        },
        undefined,
        { env: { NETSKOPE_TOKEN: 'netskope-scim-token', SCIM_TOKEN: scim.settings.token, ZIA_PASSWORD: DEFAULT_CREDENTIALS.password, ZIA_KEY: DEFAULT_CREDENTIALS.apiKey } },
      );
      apps = config.apps;
      await sync();
    });
    after(async () => {
      await db.close();
      await scim.close();
      await zia.close();
      await netskope.close();
    });

    it('joiners get accounts in every app, live (ZIA activated once), linked to them', async () => {
      const plan = await makePlan(db, apps, { actor: alice });
      const creates = plan.changes.filter((c) => c.kind === 'create');
      assert.equal(creates.length, 30, '10 joiners × 3 apps');
      assert.ok(creates.every((c) => c.approval.length === 0));
      const activationsBefore = zia.state.activations;
      const report = await apply(plan.id);
      assert.equal(report.operations.filter((o) => o.state === 'done').length, plan.changes.length);
      for (const joiner of people.slice(20)) {
        assert.equal(scimUser(joiner.userName)?.attrs.active, true, `${joiner.userName} in SCIM`);
        assert.ok(ziaLive(joiner.email ?? ''), `${joiner.userName} live in ZIA`);
        assert.equal(netskopeUser(joiner.userName)?.attrs.active, true, `${joiner.userName} in Netskope`);
      }
      assert.ok(zia.state.activations - activationsBefore >= 1 && zia.state.activations - activationsBefore <= 2, 'one activation per batch, not per write');
      const writes = (await queryAudit(db, { action: 'app.request', limit: 1000 })).filter((e) => e.target?.startsWith('POST'));
      assert.ok(writes.length >= 30, 'every write request is in the audit trail');
      const again = await makePlan(db, apps, { actor: alice });
      assert.equal(again.changes.filter((c) => c.kind === 'create').length, 0, 'nothing left to create');
    });

    it('a mover’s department and new name follow in every app that holds them', async () => {
      const mover = { ...people[3]!, displayName: `${people[3]!.givenName} Married-Name`, department: people[3]!.department === 'Finance' ? 'Sales' : 'Finance' };
      await upsertPeople(db, [mover], 'test');
      const plan = await makePlan(db, apps, { actor: alice, people: [mover.userName] });
      assert.deepEqual(plan.changes.map((c) => [c.app, c.kind]), [['netskope', 'update'], ['scim', 'update'], ['zia', 'update']]);
      assert.deepEqual(plan.changes[0]?.attributes, { displayName: mover.displayName }, 'Netskope holds no department');
      assert.match(plan.changes[1]?.reason ?? '', /department drifted/);
      const report = await apply(plan.id);
      assert.deepEqual(report.operations.map((o) => [o.state, o.lastError]), [['done', null], ['done', null], ['done', null]]);
      assert.equal(netskopeUser(mover.userName)?.attrs.displayName, mover.displayName);
      const department = scimUser(mover.userName)?.attrs[SCIM.enterpriseUser] as { department?: string };
      assert.equal(department.department, mover.department);
      assert.equal(ziaLive(mover.email ?? '')?.department?.name, mover.department);
      assert.equal(ziaLive(mover.email ?? '')?.name, mover.displayName);
      assert.equal(ziaLive(mover.email ?? '')?.groups.length, 1, 'the read-merge-write kept the groups');
    });

    it('a leaver is deactivated at once; a delete waits for a second person (four eyes), then a restore brings it back', async () => {
      const leaver = { ...people[5]!, active: false };
      await upsertPeople(db, [leaver], 'test');
      const plan = await makePlan(db, apps, { actor: alice, people: [leaver.userName] });
      assert.deepEqual(plan.changes.map((c) => [c.app, c.kind, c.approval]), [['netskope', 'deactivate', []], ['scim', 'deactivate', []], ['zia', 'delete', ['deletes need approval']]]);
      const first = await apply(plan.id);
      assert.equal(first.gate.waiting.length, 1);
      assert.equal(scimUser(leaver.userName)?.attrs.active, false, 'deactivated in SCIM, not deleted');
      assert.equal(netskopeUser(leaver.userName)?.attrs.active, false, 'deactivated in Netskope, keeping its audit history');
      assert.ok(ziaLive(leaver.email ?? ''), 'the ZIA delete waits for approval');

      await assert.rejects(decide(db, plan.id, 'approved', { actor: alice }), (error: unknown) => isRosterError(error, 'forbidden') && /four-eyes/.test((error as Error).message));
      await decide(db, plan.id, 'approved', { actor: bob, note: 'confirmed with HR' });
      await apply(plan.id);
      assert.equal(ziaLive(leaver.email ?? ''), undefined, 'deleted from ZIA, live');
      assert.equal(scimUser(leaver.userName)?.attrs.active, false);

      const [snapshot] = await listSnapshots(db, 'zia');
      assert.equal(snapshot?.account.email, leaver.email);
      const restored = await restoreSnapshot(db, snapshot!.id, (name) => createConnector(apps.find((a) => a.name === name)!), bob);
      assert.equal(ziaLive(leaver.email ?? '')?.department?.name, leaver.department, 'restored live, with its department');
      assert.notEqual(restored.remoteId, snapshot?.remoteId);
      const trail = (await queryAudit(db, { limit: 500 })).map((e) => e.action);
      for (const action of ['plan.created', 'plan.approve_refused', 'plan.approved', 'snapshot.taken', 'change.applied', 'change.verified', 'account.restored']) assert.ok(trail.includes(action), action);
      const restoreRequests = (await queryAudit(db, { action: 'app.request', limit: 500 })).filter((e) => e.detail.snapshotId === snapshot!.id).map((e) => e.target);
      assert.ok(restoreRequests.some((t) => t?.startsWith('POST') && t.includes('/users')), `the restore's create is in the trail: ${restoreRequests.join(', ')}`);
      assert.ok(restoreRequests.some((t) => t?.includes('/status/activate')), 'and its activation');
    });

    it('the circuit breaker holds a mass offboarding whole until approved', async () => {
      const leaving = people.slice(8, 16).map((p) => ({ ...p, active: false }));
      await upsertPeople(db, leaving, 'test');
      const plan = await makePlan(db, apps, { actor: alice, apps: ['scim'] });
      assert.equal(plan.held.length, 1);
      assert.match(plan.held[0]?.reason ?? '', /circuit breaker: 8 of 30 scim accounts \(27%\)/);
      const held = await apply(plan.id);
      assert.equal(held.operations.length, 0, 'nothing ran');
      assert.equal(scimUser(leaving[0]!.userName)?.attrs.active, true);
      await decide(db, plan.id, 'approved', { actor: bob });
      await apply(plan.id);
      assert.ok(leaving.every((p) => scimUser(p.userName)?.attrs.active === false));
    });

    it('refuses a stale plan', async () => {
      const plan = await makePlan(db, apps, { actor: alice });
      await upsertPeople(db, [{ ...people[1]!, title: 'Chief Stale Officer' }], 'test');
      await assert.rejects(apply(plan.id), /plan \w+ is stale \(people changed\); run roster plan again/);
      await sync();
      const fresh = await makePlan(db, apps, { actor: alice });
      assert.notEqual(fresh.id, plan.id);
    });
  });
}
