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
      } finally {
        await db.close();
      }
    });
  });
}
