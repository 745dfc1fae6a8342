import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { queryAudit } from '../audit/trail.ts';
import { parseConfig, type ResolvedApp } from '../config/load.ts';
import type { Person } from '../core/person.ts';
import { isRosterError } from '../errors.ts';
import { FakeConnector } from '../../test/support/fake-connector.ts';
import { ensureOperations, planOperations } from '../store/operations.ts';
import { upsertPeople } from '../store/people.ts';
import { recordApproval } from '../store/plans.ts';
import { databaseKinds, openTestDatabase } from '../store/testing.ts';
import { applyPlan } from './apply.ts';
import { decide, planGate } from './approvals.ts';
import { Executor } from './executor.ts';
import { makePlan } from './planning.ts';
import { enqueue, startQueue } from './queue.ts';
import { syncApp } from './sync.ts';

const agent = 'agent:helpdesk-bot';
const otherAgent = 'agent:other-bot';
const alice = 'operator:alice';

const person = (n: number, over: Partial<Person> = {}): Person => ({ id: `p${n}`, userName: `user${n}@example.com`, email: `user${n}@example.com`, emails: [`user${n}@example.com`], active: true, groups: ['Staff'], ...over });

function fakeApp(): ResolvedApp {
  // A policy that lets leavers' deactivations and joiners' creates run with no approval at all.
  const [app] = parseConfig({ apps: { fake: { type: 'scim', baseUrl: 'http://127.0.0.1:9/scim', auth: { type: 'bearer', token: 'env:T' }, rateBudget: false, policy: { approval: { deletes: false } } } } }, undefined, { env: { T: 'x' } }).apps;
  return app ?? assert.fail('no app');
}

async function setUp(kind: (typeof databaseKinds)[number]) {
  const db = await openTestDatabase(kind);
  const app = fakeApp();
  const fake = new FakeConnector('fake');
  const leaver = person(1, { active: false });
  fake.seed({ userName: leaver.userName, active: true });
  await upsertPeople(db, [leaver, person(2)], 'test');
  await syncApp(db, app, fake, { actor: alice });
  fake.calls.length = 0;
  const apply = (planId: string, actor = alice) => applyPlan(db, [app], planId, { actor, connectorFor: () => fake, retry: { limit: 0, delaySeconds: 1 } });
  return { db, app, fake, apply };
}

const writes = (fake: FakeConnector) => fake.calls.filter((c) => !c.startsWith('list') && !c.startsWith('get') && !c.startsWith('close') && !c.startsWith('observe'));

for (const kind of databaseKinds) {
  describe(`a plan an agent requested waits for a person, whatever the policy says (${kind})`, () => {
    it('changes the policy lets run alone are held; a person applying it changes nothing until a person approves', async () => {
      const { db, app, fake, apply } = await setUp(kind);
      try {
        const plan = await makePlan(db, [app], { actor: agent });
        assert.equal(plan.requestedBy, agent);
        assert.ok(plan.changes.length >= 2, 'a deactivation and a create');
        assert.ok(plan.changes.every((c) => c.approval.length === 0), 'the policy itself holds none of them');
        const gate = await planGate(db, plan);
        assert.equal(gate.ready.length, 0);
        assert.ok(gate.waiting.every((w) => w.why.some((why) => /requested by an agent/.test(why))));

        const report = await apply(plan.id);
        assert.equal(report.operations.length, 0, 'nothing queued');
        assert.deepEqual(writes(fake), [], 'no write reached the app');

        await decide(db, plan.id, 'approved', { actor: alice });
        const after = await apply(plan.id);
        assert.equal(after.operations.filter((o) => o.state === 'done').length, plan.changes.length);
        assert.ok(writes(fake).length >= 2, 'approved by a person, it runs');
      } finally {
        await db.close();
      }
    });

    it('an agent cannot approve or reject — its own plan, another agent’s, or a person’s — and the refusal is in the trail', async () => {
      const { db, app } = await setUp(kind);
      try {
        const own = await makePlan(db, [app], { actor: agent });
        const others = await makePlan(db, [app], { actor: otherAgent });
        const persons = await makePlan(db, [app], { actor: alice });
        assert.notEqual(own.id, persons.id, 'an agent’s plan of the same state is its own plan');
        assert.notEqual(own.id, others.id);
        assert.equal(persons.requestedBy, alice, 'a person’s plan keeps its person as requester');
        for (const plan of [own, others, persons]) {
          for (const decision of ['approved', 'rejected'] as const) {
            await assert.rejects(decide(db, plan.id, decision, { actor: agent }), (e) => isRosterError(e, 'forbidden') && /agent/.test(e.message));
          }
        }
        const refused = await queryAudit(db, { actor: agent, action: 'plan.' });
        assert.equal(refused.filter((e) => e.action.endsWith('_refused')).length, 6);
        assert.equal((await planGate(db, own)).ready.length, 0);
      } finally {
        await db.close();
      }
    });

    it('an approval row by an agent, written around roster, approves nothing; the worker skips the queued change', async () => {
      const { db, app, fake } = await setUp(kind);
      try {
        const plan = await makePlan(db, [app], { actor: agent });
        const approvalId = await recordApproval(db, { planId: plan.id, planDigest: plan.digest, changeId: null, decision: 'approved', decidedBy: otherAgent, note: null });
        // Even with the trail's record forged to match, an agent's approval does not count.
        const { recordAudit } = await import('../audit/trail.ts');
        await recordAudit(db, { actor: otherAgent, action: 'plan.approved', target: plan.id, detail: { approvals: [approvalId], digest: plan.digest } });
        assert.equal((await planGate(db, plan)).ready.length, 0);
        // Work queued around apply (a job for a change nobody approved) is skipped by the worker.
        const boss = await startQueue(db);
        const executor = new Executor({ db, boss, actor: 'system:worker', appFor: () => app, connectorFor: () => fake });
        try {
          const [op] = await ensureOperations(db, plan.id, plan.changes.slice(0, 1));
          assert.ok(op);
          await enqueue(boss, { key: op.key, planId: plan.id, changeId: op.changeId, appName: op.appName });
          await executor.runUntil(async () => (await planOperations(db, plan.id)).every((o) => o.state !== 'queued' && o.state !== 'running'), 50);
        } finally {
          await executor.close();
          await boss.stop({ graceful: true, close: false, timeout: 5000 });
        }
        const [skipped] = await planOperations(db, plan.id);
        assert.equal(skipped?.state, 'skipped');
        assert.match(skipped?.lastError ?? '', /requested by an agent/);
        assert.deepEqual(writes(fake), []);
      } finally {
        await db.close();
      }
    });
  });
}
