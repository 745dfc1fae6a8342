import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { canonical } from '../core/canonical.ts';
import type { Change } from '../core/plan.ts';
import { migrate } from './migrate.ts';
import { getPlan, planDigest, savePlan } from './plans.ts';
import { databaseKinds, openTestDatabase } from './testing.ts';

const change = (n: number, approval: string[] = []): Change => ({
  id: `hr/create/p${n}`,
  app: 'hr',
  kind: 'create',
  personId: `p${n}`,
  subject: `person ${n}`,
  attributes: { userName: `p${n}@example.com`, title: n % 2 === 0 ? undefined : 'Engineer' },
  reason: 'assigned, no account',
  risk: approval.length > 0 ? 'high' : 'low',
  approval,
  requests: [{ method: 'POST', path: '/Users', body: { userName: `p${n}@example.com` } }],
});

const basis = { people: 'abc', apps: { hr: { syncId: 1, policy: 'p' } } };

describe('plan digests', () => {
  it('is the sha256 of the whole plan’s canonical JSON, though it is hashed a change at a time', () => {
    const plan = { id: 'plan1', requestedBy: 'operator:ann', basis, changes: [change(1), change(2, ['mass change'])], held: [{ app: 'crm', reason: 'breaker' }], policy: { hr: { x: 1 } } };
    assert.equal(planDigest(plan), createHash('sha256').update(canonical(plan)).digest('hex'));
    assert.equal(planDigest({ ...plan, changes: [] }), createHash('sha256').update(canonical({ ...plan, changes: [] })).digest('hex'));
    assert.notEqual(planDigest(plan), planDigest({ ...plan, changes: [change(1), change(2)] }), 'an approval taken away changes the digest');
  });
});

for (const kind of databaseKinds) {
  describe(`plans in the store (${kind})`, () => {
    it('a plan of thousands of changes is written in slices and read back whole, in order, matching its digest', async () => {
      const db = await openTestDatabase(kind);
      try {
        const changes = Array.from({ length: 2345 }, (_, n) => change(n, n % 500 === 0 ? ['mass change'] : []));
        const saved = await savePlan(db, { id: 'big', requestedBy: 'operator:ann', basis, changes, held: [], policy: {} });
        assert.equal(saved.changes.length, 2345);
        assert.equal('title' in (saved.changes[0]?.attributes ?? {}), false, 'returned as it will be read back: no undefined fields');
        const read = await getPlan(db, 'big');
        assert.ok(read);
        assert.deepEqual(read.changes, saved.changes);
        assert.deepEqual(read.changes.map((c) => c.id), changes.map((c) => c.id));
        assert.equal(planDigest(read), read.digest);
        const [counts] = await db.query<{ n: number; held: number; stored: number }>(
          "select count(*)::int as n, count(*) filter (where needs_approval)::int as held, (select change_count from plans where id = 'big') as stored from plan_changes where plan_id = 'big'",
        );
        assert.deepEqual(counts, { n: 2345, held: 5, stored: 2345 });

        const again = await savePlan(db, { id: 'big', requestedBy: 'operator:bob', basis, changes: changes.slice(0, 3), held: [], policy: {} });
        assert.equal(again.requestedBy, 'operator:ann', 'the same id saved again keeps the first');
        assert.equal(again.changes.length, 2345);
      } finally {
        await db.close();
      }
    });

    it('a plan saved before changes had their own rows is moved over by the migration, its digest still good', async () => {
      const db = await openTestDatabase(kind);
      try {
        const changes = [change(1), change(2, ['needs a second person'])];
        const held = [{ app: 'crm', reason: 'circuit breaker' }];
        const digest = planDigest({ id: 'old', requestedBy: 'operator:ann', basis, changes, held, policy: {} });
        // Back to the schema before migration 016, with a plan stored the old way.
        await db.exec("drop table plan_changes; alter table plans drop column change_count; delete from schema_migrations where name = '016_plan_changes.sql'");
        await db.query('insert into plans (id, requested_by, basis, body, policy, digest) values ($1, $2, $3::jsonb, $4::jsonb, $5::jsonb, $6)', [
          'old',
          'operator:ann',
          JSON.stringify(basis),
          JSON.stringify({ changes, held }),
          '{}',
          digest,
        ]);
        assert.deepEqual(await migrate(db), ['016_plan_changes.sql']);
        const plan = await getPlan(db, 'old');
        assert.ok(plan);
        assert.deepEqual(plan.changes, JSON.parse(JSON.stringify(changes)));
        assert.deepEqual(plan.held, held);
        assert.equal(planDigest(plan), digest);
      } finally {
        await db.close();
      }
    });
  });
}
