import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { queryAudit } from '../audit/trail.ts';
import { createToken } from '../auth/tokens.ts';
import { parseConfig, type ResolvedApp } from '../config/load.ts';
import type { Person } from '../core/person.ts';
import { FakeConnector } from '../../test/support/fake-connector.ts';
import { upsertPeople } from '../store/people.ts';
import { getPlan } from '../store/plans.ts';
import { databaseKinds, openTestDatabase } from '../store/testing.ts';
import { decide, planGate } from './approvals.ts';
import { makePlan } from './planning.ts';
import { syncApp } from './sync.ts';

function leaverApp(): ResolvedApp {
  const [app] = parseConfig({ apps: { fake: { type: 'scim', baseUrl: 'http://127.0.0.1:9/scim', auth: { type: 'bearer', token: 'env:T' }, rateBudget: false, policy: { leaver: 'delete' } } } }, undefined, { env: { T: 'x' } }).apps;
  return app ?? assert.fail('no app');
}

const leaver: Person = { id: 'p1', userName: 'leaver@example.com', email: 'leaver@example.com', emails: ['leaver@example.com'], active: false, groups: [] };

for (const kind of databaseKinds) {
  describe(`four eyes on ${kind}`, () => {
    it('the requester cannot approve their own plan under any spelling of their name, nor through their API token; someone else can', async () => {
      const db = await openTestDatabase(kind);
      try {
        const app = leaverApp();
        const fake = new FakeConnector('fake');
        fake.seed({ userName: leaver.userName, email: leaver.email, active: true });
        await upsertPeople(db, [leaver], 'test');
        await syncApp(db, app, fake, { actor: 'operator:alice' });
        const plan = await makePlan(db, [app], { actor: 'operator:alice' });
        assert.equal(plan.changes.length, 1);

        for (const actor of ['operator:alice', 'operator:Alice', 'operator:alice ', ' operator:ALICE', 'operator:ＡＬＩＣＥ', 'operator:al\u200bice', 'Operator:alice\u00ad']) {
          await assert.rejects(decide(db, plan.id, 'approved', { actor }), /cannot approve it; another person must \(four-eyes rule\)/, JSON.stringify(actor));
        }
        await assert.rejects(decide(db, plan.id, 'approved', { actor: 'token:ci', onBehalfOf: 'operator:alice' }), /four-eyes/, 'an API token acts for its owner');

        const viaToken = await makePlan(db, [app], { actor: 'token:alice-script' });
        await createToken(db, { name: 'alice-script', kind: 'api', role: 'operator', createdBy: 'operator:alice' });
        await assert.rejects(decide(db, viaToken.id, 'approved', { actor: 'operator:ALICE' }), /four-eyes/, 'nor a plan her token requested');

        // A forged approval row in a spelling of the requester's name is not trusted either.
        await db.query("insert into approvals (plan_id, change_id, decision, decided_by, plan_digest) values ($1, null, 'approved', 'operator:ＡＬＩＣＥ', $2)", [plan.id, plan.digest]);
        assert.equal((await planGate(db, (await getPlan(db, plan.id))!)).ready.length, 0);

        const approved = await decide(db, plan.id, 'approved', { actor: 'operator:bob' });
        assert.equal((await planGate(db, approved)).ready.length, 1, 'a second person approves');
        assert.equal((await queryAudit(db, { action: 'plan.approve_refused', limit: 100 })).length, 9, 'every refusal is in the trail');
      } finally {
        await db.close();
      }
    });
  });
}
