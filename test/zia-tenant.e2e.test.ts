import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CREDENTIALS, startZiaSimulator, type RunningZiaSimulator } from '../simulators/zscaler/index.ts';
import { queryAudit } from '../src/audit/trail.ts';
import { parseConfig, type ResolvedApp } from '../src/config/load.ts';
import { Secret } from '../src/config/secret.ts';
import { createConnector } from '../src/connectors/registry.ts';
import { ZscalerConnector } from '../src/connectors/zscaler/connector.ts';
import { ZiaSessionAuth } from '../src/connectors/zscaler/session-auth.ts';
import type { Person } from '../src/core/person.ts';
import { applyPlan } from '../src/engine/apply.ts';
import { decide } from '../src/engine/approvals.ts';
import { makePlan } from '../src/engine/planning.ts';
import { syncApp } from '../src/engine/sync.ts';
import type { Database } from '../src/store/database.ts';
import { upsertPeople } from '../src/store/people.ts';
import { listSnapshots } from '../src/store/snapshots.ts';
import { openTestDatabase } from '../src/store/testing.ts';

const alice = 'operator:alice';
const bob = 'operator:bob';
const person = (id: string, extra: Partial<Person> = {}): Person => ({ id, userName: `${id}@example.com`, email: `${id}@example.com`, emails: [`${id}@example.com`], displayName: `Person ${id}`, active: true, department: 'Sales', groups: [], ...extra });

/** What a real ZIA tenant does, through plan → approve → apply: email changes, admins, the edit lock. */
describe('ZIA tenant rules through the engine', () => {
  let db: Database;
  let zia: RunningZiaSimulator;
  let apps: ResolvedApp[];
  // Short edit-lock waits so a held lock turns into rescheduled work within the test's seconds.
  const connectorFor = (app: ResolvedApp) =>
    new ZscalerConnector({
      appName: app.name,
      baseUrl: zia.baseUrl,
      defaultGroups: ['Employees'],
      activationPollMs: 20,
      editLock: { editLockBaseMs: 50, editLockCapMs: 100, editLockInPlaceMs: 200, editLockRescheduleBaseMs: 1000, editLockRescheduleCapMs: 1000 },
      auth: new ZiaSessionAuth({ appName: app.name, baseUrl: zia.baseUrl, username: DEFAULT_CREDENTIALS.username, password: new Secret(DEFAULT_CREDENTIALS.password, 'test'), apiKey: new Secret(DEFAULT_CREDENTIALS.apiKey, 'test') }),
    });
  const sync = async () => {
    const connector = createConnector(apps[0]!);
    try {
      assert.ok((await syncApp(db, apps[0]!, connector, { actor: alice })).ok);
    } finally {
      await connector.close();
    }
  };
  const live = (email: string) => zia.state.liveUsers().find((u) => u.email === email);

  before(async () => {
    db = await openTestDatabase('pglite');
    zia = await startZiaSimulator({
      rateLimits: false,
      activationMs: 10,
      users: [
        { name: 'Person mover', email: 'mover@example.com', department: 'Sales', groups: ['Employees'] },
        { name: 'Person boss', email: 'boss@example.com', department: 'Sales', groups: ['Employees'], adminUser: true },
        { name: 'Person plain', email: 'plain@example.com', department: 'Sales', groups: ['Employees'] },
      ],
    });
    const config = parseConfig(
      { apps: { zia: { type: 'zscaler', baseUrl: zia.baseUrl, auth: { type: 'zscaler-session', username: DEFAULT_CREDENTIALS.username, password: 'env:P', apiKey: 'env:K' }, defaults: { groups: ['Employees'] }, rateBudget: false } } },
      undefined,
      { env: { P: DEFAULT_CREDENTIALS.password, K: DEFAULT_CREDENTIALS.apiKey } },
    );
    apps = config.apps;
    await upsertPeople(db, [person('mover'), person('boss'), person('plain')], 'test');
    await sync();
  });
  after(async () => {
    await db.close();
    await zia.close();
  });

  it('an email change is a held delete and create; approved, the old account goes and a new one with the new email is live', async () => {
    await upsertPeople(db, [person('mover', { email: 'mover.new@example.com', emails: ['mover.new@example.com', 'mover@example.com'], department: 'Finance' })], 'test');
    const plan = await makePlan(db, apps, { actor: alice, people: ['mover@example.com'] });
    assert.deepEqual(plan.changes.map((c) => [c.kind, c.approval]), [
      ['delete', ['email cannot be changed in zia after the account is made: replacing the account needs approval']],
      ['create', ['email cannot be changed in zia after the account is made: replacing the account needs approval']],
    ]);
    const first = await applyPlan(db, apps, plan.id, { actor: alice, connectorFor });
    assert.equal(first.gate.waiting.length, 2, 'nothing happens before a second person approves');
    assert.ok(live('mover@example.com'));
    await decide(db, plan.id, 'approved', { actor: bob });
    const report = await applyPlan(db, apps, plan.id, { actor: alice, connectorFor });
    assert.deepEqual(report.operations.map((o) => [o.kind, o.state, o.lastError]).sort(), [['create', 'done', null], ['delete', 'done', null]]);
    assert.equal(live('mover@example.com'), undefined, 'the old account is gone, live');
    assert.equal(live('mover.new@example.com')?.department?.name, 'Finance', 'the new one is live with every attribute');
    assert.ok((await listSnapshots(db, 'zia')).some((s) => s.account.email === 'mover@example.com'), 'the old record was snapshotted first');
    await sync();
    const again = await makePlan(db, apps, { actor: alice, people: ['mover@example.com'] });
    assert.deepEqual(again.changes, [], 'nothing left to do');
  });

  it('a leaver who is a ZIA admin: ZIA cannot deactivate, so a delete, held with the reason; approved anyway, it fails once with that reason, no retry loop', async () => {
    await upsertPeople(db, [person('boss', { active: false })], 'test');
    const plan = await makePlan(db, apps, { actor: alice, people: ['boss@example.com'] });
    assert.deepEqual(plan.changes.map((c) => [c.kind, c.approval]), [['delete', ['deletes need approval', 'a ZIA admin cannot be deleted through the API; remove the admin role in the ZIA portal first']]]);
    assert.match(plan.changes[0]?.reason ?? '', /zscaler cannot deactivate, so the account is deleted/);
    await decide(db, plan.id, 'approved', { actor: bob });
    const report = await applyPlan(db, apps, plan.id, { actor: alice, connectorFor });
    const [op] = report.operations;
    assert.equal(op?.state, 'failed');
    assert.equal(op?.attempts, 1, 'refused up front, not retried');
    assert.match(op?.lastError ?? '', /a ZIA admin cannot be deleted through the API; remove the admin role in the ZIA portal first: boss@example\.com/);
    assert.ok(live('boss@example.com'), 'still there, for a person to deal with');
    assert.equal(zia.requests.filter((r) => r.path.endsWith('/bulkDelete')).length, 1, 'only the approved delete of the mover reached the app');
  });

  it('the org edit lock held for seconds during apply: the work waits (rescheduled), then is done once, live', async () => {
    const since = Date.now();
    await upsertPeople(db, [person('joiner1'), person('joiner2')], 'test');
    const plan = await makePlan(db, apps, { actor: alice, people: ['joiner1@example.com', 'joiner2@example.com'] });
    assert.deepEqual(plan.changes.map((c) => c.kind), ['create', 'create']);
    zia.state.lockOrg({ form: 'edit-lock', forMs: 2500 });
    const report = await applyPlan(db, apps, plan.id, { actor: alice, connectorFor });
    assert.deepEqual(report.operations.map((o) => o.state), ['done', 'done']);
    assert.ok(zia.state.orgLockRefusals > 2, 'the lock was met');
    const trail = await queryAudit(db, { action: 'change.rescheduled', limit: 100 });
    assert.ok(trail.some((e) => /org edit lock is held/.test(String(e.detail.reason))), 'waited as a rescheduled operation');
    assert.equal((await queryAudit(db, { action: 'change.escalated', limit: 100 })).filter((e) => e.detail.plan === plan.id).length, 0, 'not a failure');
    for (const email of ['joiner1@example.com', 'joiner2@example.com']) assert.ok(live(email), `${email} live`);
    assert.deepEqual(zia.requests.filter((r) => r.at >= since && r.method === 'POST' && r.path.endsWith('/users')).map((r) => r.status), [200, 200], 'each created once');
  });
});
