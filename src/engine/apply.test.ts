import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { queryAudit } from '../audit/trail.ts';
import { parseConfig, type ResolvedApp } from '../config/load.ts';
import type { Person } from '../core/person.ts';
import { RosterError } from '../errors.ts';
import { FakeConnector } from '../../test/support/fake-connector.ts';
import { quarantineApp } from '../store/accounts.ts';
import type { Database } from '../store/database.ts';
import { ensureOperations, planOperations } from '../store/operations.ts';
import { upsertPeople } from '../store/people.ts';
import { getPlan } from '../store/plans.ts';
import { listSnapshots } from '../store/snapshots.ts';
import { databaseKinds, openTestDatabase } from '../store/testing.ts';
import { applyPlan } from './apply.ts';
import { decide, planGate } from './approvals.ts';
import { Executor } from './executor.ts';
import { makePlan } from './planning.ts';
import { enqueue, startQueue } from './queue.ts';
import { syncApp } from './sync.ts';

const alice = 'operator:alice';
const bob = 'operator:bob';

const person = (n: number, over: Partial<Person> = {}): Person => ({ id: `p${n}`, userName: `user${n}@example.com`, email: `user${n}@example.com`, emails: [`user${n}@example.com`], active: true, groups: ['Staff'], ...over });

function appWith(policy: Record<string, unknown>): ResolvedApp {
  const [app] = parseConfig({ apps: { fake: { type: 'scim', baseUrl: 'http://127.0.0.1:9/scim', auth: { type: 'bearer', token: 'env:T' }, rateBudget: false, policy } } }, undefined, { env: { T: 'x' } }).apps;
  return app ?? assert.fail('no app');
}

async function setUp(kind: (typeof databaseKinds)[number], people: Person[], accounts: { userName: string; active?: boolean }[], policy: Record<string, unknown> = {}) {
  const db = await openTestDatabase(kind);
  const app = appWith(policy);
  const fake = new FakeConnector('fake');
  for (const a of accounts) fake.seed({ userName: a.userName, email: a.userName, active: a.active ?? true });
  await upsertPeople(db, people, 'test');
  await syncApp(db, app, fake, { actor: alice });
  const apply = (planId: string, extra: Partial<Parameters<typeof applyPlan>[3]> = {}) => applyPlan(db, [app], planId, { actor: alice, connectorFor: () => fake, retry: { limit: 1, delaySeconds: 1 }, ...extra });
  return { db, app, fake, apply };
}

const tamper = (db: Database, sql: string, params: unknown[] = []) => db.query(sql, params);

for (const kind of databaseKinds) {
  describe(`apply on ${kind}: the holes an adversarial user found stay closed`, () => {
    it('bulk delete: every snapshot is in the database before the delete request leaves roster', async () => {
      const leavers = [1, 2, 3].map((n) => person(n, { active: false }));
      const { db, fake, apply } = await setUp(kind, leavers, leavers.map((p) => ({ userName: p.userName })), { leaver: 'delete', approval: { deletes: false } });
      try {
        let snapshotsAtDelete = -1;
        fake.onBulkDelete = async () => {
          snapshotsAtDelete = (await listSnapshots(db, 'fake')).length;
        };
        const plan = await makePlan(db, [appWith({ leaver: 'delete', approval: { deletes: false } })], { actor: alice });
        const report = await apply(plan.id);
        assert.equal(report.operations.filter((o) => o.state === 'done').length, 3);
        assert.ok(fake.calls.some((c) => c.startsWith('deleteAccounts')), 'one bulk delete');
        assert.equal(snapshotsAtDelete, 3, 'all three snapshots saved before the delete');
      } finally {
        await db.close();
      }
    });

    it('bulk delete refused for one account (an admin): that one fails with the reason, the others are deleted', async () => {
      const leavers = [1, 2, 3].map((n) => person(n, { active: false }));
      const policy = { leaver: 'delete', approval: { deletes: false } };
      const { db, fake, apply } = await setUp(kind, leavers, leavers.map((p) => ({ userName: p.userName })), policy);
      try {
        const admin = [...fake.accounts.values()].find((a) => a.userName === leavers[1]?.userName);
        fake.undeletable.add(admin?.remoteId ?? '');
        const report = await apply((await makePlan(db, [appWith(policy)], { actor: alice })).id);
        const byState = Object.fromEntries(report.operations.map((o) => [o.changeId, o.state]));
        assert.deepEqual(byState, { 'fake/delete/p1': 'done', 'fake/delete/p2': 'failed', 'fake/delete/p3': 'done' });
        assert.match(report.operations.find((o) => o.changeId === 'fake/delete/p2')?.lastError ?? '', /cannot be deleted through the API/);
        assert.deepEqual([...fake.accounts.values()].map((a) => a.userName), [leavers[1]?.userName]);
      } finally {
        await db.close();
      }
    });

    it('a plan edited in the database is refused, and an approval row written by hand approves nothing', async () => {
      const leaver = person(1, { active: false });
      const { db, fake, apply } = await setUp(kind, [leaver, person(2)], [{ userName: leaver.userName }, { userName: person(2).userName }], { leaver: 'delete' });
      try {
        const plan = await makePlan(db, [appWith({ leaver: 'delete' })], { actor: alice });
        assert.deepEqual(plan.changes.map((c) => c.kind), ['delete']);
        assert.equal(plan.policy.fake !== undefined, true, 'the policy in force is kept with the plan');
        // An approval forged straight into the table, as the requester or with no trail record, counts for nothing.
        await tamper(db, "insert into approvals (plan_id, change_id, decision, decided_by, plan_digest) values ($1, null, 'approved', 'operator:mallory', $2)", [plan.id, plan.digest]);
        assert.equal((await planGate(db, (await getPlan(db, plan.id))!)).ready.length, 0, 'the forged approval is not trusted');
        const held = await apply(plan.id);
        assert.equal(held.gate.waiting.length, 1);
        assert.ok(fake.accounts.size === 2, 'nothing deleted');
        // Loosening the plan's body (dropping the approval a delete needs) breaks its seal.
        await tamper(db, `update plan_changes set change = jsonb_set(change, '{approval}', '[]'::jsonb) where plan_id = $1 and seq = 0`, [plan.id]);
        await assert.rejects(apply(plan.id), (e: unknown) => e instanceof RosterError && /cannot be trusted: its content was changed/.test(e.message));
        await assert.rejects(decide(db, plan.id, 'approved', { actor: bob }), /cannot be trusted/);
        assert.equal(fake.accounts.size, 2);
        assert.equal((await queryAudit(db, { action: 'plan.apply_refused' })).length, 1);
      } finally {
        await db.close();
      }
    });

    it('a create answered 400: its membership fails with that reason, apply returns, attempts stay bounded', async () => {
      const joiner = person(1);
      const { db, fake, apply } = await setUp(kind, [joiner], [], { groups: { Staff: 'Everyone' } });
      try {
        fake.failNext.set('createAccount', [new RosterError('bad_request', 'fake: POST /Users answered 400 (userName invalid)')]);
        const plan = await makePlan(db, [appWith({ groups: { Staff: 'Everyone' } })], { actor: alice });
        assert.deepEqual(plan.changes.map((c) => c.kind), ['create', 'add-member']);
        const started = Date.now();
        const report = await apply(plan.id);
        assert.ok(Date.now() - started < 60_000, 'apply returned');
        const create = report.operations.find((o) => o.kind === 'create');
        const member = report.operations.find((o) => o.kind === 'add-member');
        assert.equal(create?.state, 'failed');
        assert.equal(member?.state, 'failed');
        assert.match(member?.lastError ?? '', /prerequisite fake\/create\/p1 did not happen: fake: POST \/Users answered 400/);
        assert.ok((member?.attempts ?? 0) + (member?.waits ?? 0) <= 10, `bounded: ${member?.attempts} attempts, ${member?.waits} waits`);
      } finally {
        await db.close();
      }
    });

    it('leavers deferred by a quarantine are not a success, and are the first work handed out', async () => {
      const people = [person(1, { active: false }), person(2, { active: false }), person(3), person(4), person(5)];
      const { db, app, fake, apply } = await setUp(kind, people, people.slice(0, 2).map((p) => ({ userName: p.userName })));
      try {
        const plan = await makePlan(db, [app], { actor: alice });
        assert.deepEqual(plan.changes.map((c) => c.kind).sort(), ['create', 'create', 'create', 'deactivate', 'deactivate']);
        await quarantineApp(db, 'fake', new Date(Date.now() + 600_000), 'test outage');
        // Still down: the one operation let through to probe it fails too.
        for (const call of ['getAccount', 'setActive', 'createAccount']) fake.failNext.set(call, Array.from({ length: 50 }, () => new RosterError('app_unreachable', 'fake: connection refused')));
        const report = await apply(plan.id, { wait: true });
        assert.ok(report.deferred.some((d) => /fake is quarantined: test outage/.test(d.why)), 'the quarantine is named');
        fake.failNext.clear();
        assert.equal(report.leaversNotDone.length, 2, 'both leavers named as not done');
        // When the app is back, the queue hands leavers out before joiners.
        const boss = await startQueue(db);
        try {
          await db.query("update apps set quarantined_until = null where name = 'fake'");
          const before = (await queryAudit(db, { limit: 1 }))[0]?.id ?? 0;
          const ops = await ensureOperations(db, plan.id, []);
          for (const op of [...ops].sort((a, b) => (a.kind === 'create' ? -1 : 1) - (b.kind === 'create' ? -1 : 1))) {
            await enqueue(boss, { key: op.key, planId: op.planId, changeId: op.changeId, appName: op.appName }, undefined, op.kind === 'deactivate' ? 10 : 0);
          }
          await db.query('update operations set not_before = null');
          const executor = new Executor({ db, boss, actor: alice, batchSize: 1, appFor: () => app, connectorFor: () => fake });
          await executor.runOnce();
          await executor.runOnce();
          await executor.close();
          const started = (await queryAudit(db, { action: 'change.started', limit: 10 })).filter((e) => e.id > before).reverse();
          assert.deepEqual(started.map((e) => e.target?.split('/')[1]), ['deactivate', 'deactivate'], 'leavers first');
        } finally {
          await boss.stop({ graceful: false, close: false });
        }
      } finally {
        await db.close();
      }
    });

    it('works apps side by side: one app stuck on a slow request does not hold back another app’s leavers', async () => {
      const db = await openTestDatabase(kind);
      const [slowApp, fastApp] = parseConfig(
        { apps: Object.fromEntries(['a-slow', 'b-fast'].map((name) => [name, { type: 'scim', baseUrl: 'http://127.0.0.1:9/scim', auth: { type: 'bearer', token: 'env:T' }, rateBudget: false }])) },
        undefined,
        { env: { T: 'x' } },
      ).apps;
      if (!slowApp || !fastApp) assert.fail('no apps');
      let open: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => (open = resolve));
      class Stuck extends FakeConnector {
        override async setActive(remoteId: string, active: boolean) {
          await gate;
          return super.setActive(remoteId, active);
        }
      }
      const connectors = { 'a-slow': new Stuck('a-slow'), 'b-fast': new FakeConnector('b-fast') };
      const leavers = [person(1, { active: false }), person(2, { active: false })];
      const boss = await startQueue(db);
      try {
        await upsertPeople(db, leavers, 'test');
        for (const app of [slowApp, fastApp]) {
          const connector = connectors[app.name as keyof typeof connectors];
          for (const p of leavers) connector.seed({ userName: p.userName });
          await syncApp(db, app, connector, { actor: alice });
        }
        const plan = await makePlan(db, [slowApp, fastApp], { actor: alice });
        assert.deepEqual(plan.changes.map((c) => `${c.app} ${c.kind}`), ['a-slow deactivate', 'a-slow deactivate', 'b-fast deactivate', 'b-fast deactivate']);
        const ops = await ensureOperations(db, plan.id, plan.changes);
        for (const [seq, op] of ops.entries()) await enqueue(boss, { key: op.key, planId: op.planId, changeId: op.changeId, appName: op.appName, seq }, undefined, 10);
        const executor = new Executor({ db, boss, actor: alice, appFor: (name) => (name === 'a-slow' ? slowApp : fastApp), connectorFor: (name) => connectors[name as keyof typeof connectors] });
        const working = executor.runOnce();
        const fastDone = () => [...connectors['b-fast'].accounts.values()].every((a) => !a.active);
        for (const started = Date.now(); !fastDone() && Date.now() - started < 10_000; ) await new Promise((resolve) => setTimeout(resolve, 20));
        assert.ok(fastDone(), 'b-fast’s leavers are done while a-slow is still waiting on its app');
        assert.ok([...connectors['a-slow'].accounts.values()].every((a) => a.active), 'a-slow has not answered yet');
        open();
        assert.equal(await working, 4);
        assert.ok([...connectors['a-slow'].accounts.values()].every((a) => !a.active));
        await executor.close();
      } finally {
        open();
        await boss.stop({ graceful: false, close: false });
        await db.close();
      }
    });

    it('small holes: approving twice, re-applying, a plan for nobody, a prefix that is a pattern, replacing a rejected plan', async () => {
      const leaver = person(1, { active: false });
      const { db, app, apply } = await setUp(kind, [leaver], [{ userName: leaver.userName }], { leaver: 'delete' });
      try {
        const plan = await makePlan(db, [app], { actor: alice });
        await decide(db, plan.id, 'approved', { actor: bob });
        await assert.rejects(decide(db, plan.id, 'approved', { actor: bob }), /already approved; nothing recorded/);
        assert.equal((await db.query('select * from approvals')).length, 1);
        await assert.rejects(decide(db, '%%%%', 'rejected', { actor: bob }), /plan ids are hexadecimal/);
        await assert.rejects(makePlan(db, [app], { actor: alice, people: ['nobody'] }), /no person nobody/);
        assert.equal((await apply(plan.id)).operations[0]?.state, 'done');
        const again = await apply(plan.id);
        assert.equal(again.alreadyApplied, true);
        assert.equal((await queryAudit(db, { action: 'plan.apply_started' })).length, 1, 're-applying logs no new apply');

        await upsertPeople(db, [person(9)], 'test');
        const first = await makePlan(db, [app], { actor: alice });
        await decide(db, first.id, 'rejected', { actor: bob, note: 'not now' });
        const second = await makePlan(db, [app], { actor: alice });
        assert.notEqual(second.id, first.id, 'a rejected plan is replaced by a new one');
        assert.equal(second.status, 'planned');
        assert.deepEqual(second.changes, first.changes);
        assert.equal((await makePlan(db, [app], { actor: alice })).id, second.id, 'and the same state still gives the same plan');
        assert.equal((await planOperations(db, second.id)).length, 0);
      } finally {
        await db.close();
      }
    });
  });
}
