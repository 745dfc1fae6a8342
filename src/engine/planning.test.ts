import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeConnector } from '../../test/support/fake-connector.ts';
import { parseConfig } from '../config/load.ts';
import { capabilitiesOf } from '../connectors/modules.ts';
import { linkAccounts } from '../core/links.ts';
import { planChanges } from '../core/planner.ts';
import { generateOrganisation } from '../core/sample-org.ts';
import { upsertPeople } from '../store/people.ts';
import { databaseKinds, openTestDatabase } from '../store/testing.ts';
import type { Person } from '../core/person.ts';
import { applyPlan } from './apply.ts';
import { decide } from './approvals.ts';
import { makePlan } from './planning.ts';
import { syncApp } from './sync.ts';

// More people and accounts than one page of a keyset read (5,000 rows), so pages join up.
const size = 11_000;

for (const kind of databaseKinds) {
  describe(`planning everyone, one app at a time, read page by page (${kind})`, () => {
    it('gives the plan the pure planner gives over everything at once: nobody lost or planned twice across pages', async () => {
      const db = await openTestDatabase(kind);
      try {
        const people = generateOrganisation({ size, seed: 8, domain: 'example.com' });
        for (let from = 0; from < size; from += 5000) await upsertPeople(db, people.slice(from, from + 5000), 'test');
        const config = parseConfig({ apps: { zeta: { type: 'scim', baseUrl: 'http://127.0.0.1:1', auth: { type: 'bearer', token: 'env:T' } }, alpha: { type: 'scim', baseUrl: 'http://127.0.0.1:2', auth: { type: 'bearer', token: 'env:T' } } } }, undefined, { env: { T: 't' } });
        const pureApps = [];
        for (const [a, app] of config.apps.entries()) {
          const connector = new FakeConnector(app.name);
          people.forEach((p, i) => {
            if ((i + a) % 33 === 0) return;
            connector.seed({ userName: p.userName, email: p.email, displayName: p.displayName, department: (i + a) % 50 === 0 ? 'Elsewhere' : p.department, title: p.title });
          });
          for (let o = 0; o < 40; o++) connector.seed({ userName: `orphan${o}@example.com` });
          const synced = await syncApp(db, { name: app.name, type: app.type, baseUrl: app.baseUrl }, connector, { actor: 'operator:test' });
          assert.ok(synced.ok, synced.error);
          const accounts = [...connector.accounts.values()];
          pureApps.push({ name: app.name, type: app.type, policy: app.policy, capabilities: capabilitiesOf(app), accounts, links: linkAccounts(app.name, people, accounts, []).links });
        }
        const seen: string[] = [];
        const plan = await makePlan(db, config.apps, { actor: 'operator:test', onApp: ({ app, planned, of }) => seen.push(`${app} ${planned}/${of}`) });
        const pure = planChanges({ people, apps: pureApps });
        assert.deepEqual(seen, ['alpha 1/2', 'zeta 2/2'], 'progress app by app, in name order');
        assert.ok(pure.changes.length > 1000, `a plan with work in it (${pure.changes.length})`);
        assert.deepEqual(plan.changes.map((c) => c.id), pure.changes.map((c) => c.id));
        assert.equal(new Set(plan.changes.map((c) => c.id)).size, plan.changes.length, 'no change twice');
        assert.equal((await makePlan(db, config.apps, { actor: 'operator:test' })).id, plan.id, 'the same state plans the same plan');
        // Narrowed to some people, a plan reads only their accounts, and gives them what planning everyone gives them.
        const withKind = (changeKind: string) => people.filter((p) => plan.changes.some((c) => c.personId === p.id && c.kind === changeKind)).slice(0, 10);
        const chosen = [...withKind('create'), ...withKind('deactivate'), ...withKind('update'), ...people.filter((p) => !plan.changes.some((c) => c.personId === p.id)).slice(0, 10)];
        assert.equal(chosen.length, 40, 'joiners, leavers, movers and people with nothing to do');
        const ids = new Set(chosen.map((p) => p.id));
        const narrowed = await makePlan(db, config.apps, { actor: 'operator:test', people: chosen.map((p, i) => (i % 2 ? p.id : p.userName.toUpperCase())) });
        assert.deepEqual(narrowed.changes, plan.changes.filter((c) => c.personId !== undefined && ids.has(c.personId)));
        // A group push can name more people than one read takes: they are read a slice at a time.
        const many = people.filter((_, i) => i % 5 !== 0).slice(0, 6500);
        const manyIds = new Set(many.map((p) => p.id));
        const wide = await makePlan(db, config.apps, { actor: 'operator:test', people: [...many.map((p) => p.id), ...many.slice(0, 100).map((p) => p.userName)] });
        assert.deepEqual(wide.changes, plan.changes.filter((c) => c.personId !== undefined && manyIds.has(c.personId)));
      } finally {
        await db.close();
      }
    });
  });
}

for (const kind of databaseKinds) {
  describe(`a plan narrowed to one person at a time (an IdP push) still trips the mass-change breaker (${kind})`, () => {
    const person = (n: number): Person => ({ id: `p${n}`, userName: `user${n}@example.com`, email: `user${n}@example.com`, emails: [`user${n}@example.com`], active: true, groups: [] });
    const policy = { approval: { massChange: { share: 0.1, minimum: 3, withinMinutes: 30 } } };

    it('counts what other plans switched off lately: the third leaver in a row of twenty is held until someone approves', async () => {
      const db = await openTestDatabase(kind);
      try {
        const people = Array.from({ length: 20 }, (_, i) => person(i + 1));
        await upsertPeople(db, people, 'test');
        const { apps } = parseConfig({ apps: { hr: { type: 'scim', baseUrl: 'http://127.0.0.1:9', auth: { type: 'bearer', token: 'env:T' }, rateBudget: false, policy } } }, undefined, { env: { T: 't' } });
        const fake = new FakeConnector('hr');
        for (const p of people) fake.seed({ userName: p.userName, email: p.email });
        assert.ok((await syncApp(db, apps[0]!, fake, { actor: 'operator:test' })).ok);
        const leave = async (p: Person) => {
          await upsertPeople(db, [{ ...p, active: false }], 'test');
          const plan = await makePlan(db, apps, { actor: 'idp:entra', people: [p.id] });
          await applyPlan(db, apps, plan.id, { actor: 'idp:entra', connectorFor: () => fake, retry: { limit: 1, delaySeconds: 1 } });
          return plan;
        };
        const switchedOff = () => [...fake.accounts.values()].filter((a) => !a.active).map((a) => a.userName);
        for (const p of people.slice(0, 2)) assert.deepEqual((await leave(p)).held, []);
        assert.deepEqual(switchedOff(), ['user1@example.com', 'user2@example.com']);

        const third = await leave(people[2]!);
        assert.match(third.held[0]?.reason ?? '', /^circuit breaker: 3 of 20 hr accounts \(15%\) would be deactivated or deleted \(1 in this plan, 2 by other plans in the last 30 minutes\)/);
        assert.deepEqual(third.changes.map((c) => [c.id, c.approval.length > 0]), [['hr/deactivate/p3', true]]);
        assert.equal(switchedOff().length, 2, 'the third is not switched off');
        // The same person planned again is counted once: their own held change is not "other plans".
        assert.match((await makePlan(db, apps, { actor: 'idp:entra', people: ['p3'] })).held[0]?.reason ?? '', /3 of 20 .*\(1 in this plan, 2 by other plans/);

        await decide(db, third.id, 'approved', { actor: 'operator:bob' });
        await applyPlan(db, apps, third.id, { actor: 'operator:bob', connectorFor: () => fake, retry: { limit: 1, delaySeconds: 1 } });
        assert.equal(switchedOff().length, 3, 'approved, it is carried out');

        // Past the window, what was switched off no longer counts.
        await db.query("update operations set updated_at = now() - interval '31 minutes'");
        assert.deepEqual((await leave(people[3]!)).held, []);
        assert.equal(switchedOff().length, 4);
      } finally {
        await db.close();
      }
    });
  });
}
