// Pages of users started from a place this process knew in the id order are the pages a process
// knowing nothing would serve, whatever happened to the people in between, in this process or
// another: people added between places, deleted, brought back, removed for good, or changed.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { listUsers, type ListQuery } from './directory.ts';
import { PageAnchors } from './page-anchors.ts';
import { databaseKinds, openTestDatabase } from './testing.ts';
import { UserStateCache } from './user-states.ts';
import type { Queryable } from './database.ts';

describe('where pages start', () => {
  it('answers the nearest known place at or before the one asked for, while the live set is the one it learnt them in', () => {
    const anchors = new PageAnchors(3);
    assert.equal(anchors.before(100), undefined);
    anchors.learn(0, 'a', '7');
    anchors.learn(100, 'm', '7');
    assert.deepEqual(anchors.before(100), { offset: 100, id: 'm', changes: '7' });
    assert.deepEqual(anchors.before(150), { offset: 100, id: 'm', changes: '7' });
    assert.deepEqual(anchors.before(99), { offset: 0, id: 'a', changes: '7' });
    anchors.learn(200, 'q', '8');
    assert.equal(anchors.before(150), undefined, 'places learnt before the live set changed are forgotten');
    assert.deepEqual(anchors.before(250), { offset: 200, id: 'q', changes: '8' });
    anchors.learn(300, 'r', '8');
    anchors.learn(400, 's', '8');
    anchors.learn(500, 't', '8');
    assert.equal(anchors.size, 3);
    assert.deepEqual(anchors.before(250), undefined, 'the oldest place goes first past the limit');
  });
});

/** Adds people with these ids, live. */
async function add(db: Queryable, ids: readonly string[]): Promise<void> {
  await db.query(
    `insert into people (id, user_name, active, groups, source, scim)
     select id, id || '@example.com', true, '[]'::jsonb, 'scim', jsonb_build_object('userName', id || '@example.com') from unnest($1::text[]) as id`,
    [ids],
  );
}

const ids = (page: { resources: Record<string, unknown>[] }) => page.resources.map((doc) => doc.id);

for (const kind of databaseKinds) {
  describe(`pages of users in id order, started from known places, on ${kind}`, () => {
    it('are the pages a process knowing nothing serves, across adds, deletes, returns, removals and changes made in between', async () => {
      const db = await openTestDatabase(kind);
      try {
        await add(db, Array.from({ length: 60 }, (_, i) => `p${String(i * 10).padStart(4, '0')}`));
        const remembered = new UserStateCache();
        // What this process does (a page), and what it or another process does to the people in between.
        const action = fc.oneof(
          fc.record({ page: fc.record({ offset: fc.nat(70), count: fc.integer({ min: 1, max: 25 }) }) }),
          fc.record({ add: fc.integer({ min: 0, max: 700 }) }),
          fc.record({ softDelete: fc.nat(80) }),
          fc.record({ bringBack: fc.nat(80) }),
          fc.record({ remove: fc.nat(80) }),
          fc.record({ change: fc.nat(80) }),
        );
        const nth = async (n: number, live?: boolean): Promise<string | undefined> => {
          const rows = await db.query<{ id: string }>(`select id from people ${live === undefined ? '' : live ? 'where deleted_at is null' : 'where deleted_at is not null'} order by id offset $1 limit 1`, [n]);
          return rows[0]?.id;
        };
        await fc.assert(
          fc.asyncProperty(fc.array(action, { minLength: 5, maxLength: 25 }), async (actions) => {
            for (const step of actions) {
              if ('page' in step) {
                const query: ListQuery = step.page;
                const served = await listUsers(db, query, remembered);
                const fresh = await listUsers(db, query);
                assert.deepEqual(ids(served), ids(fresh), `page ${JSON.stringify(query)} after ${JSON.stringify(actions)}`);
                assert.equal(served.total, fresh.total);
                continue;
              }
              if ('add' in step) {
                const id = `p${String(step.add).padStart(4, '0')}x`;
                if ((await db.query('select 1 from people where id = $1', [id])).length === 0) await add(db, [id]);
                continue;
              }
              if ('softDelete' in step) {
                const id = await nth(step.softDelete, true);
                if (id) await db.query('update people set deleted_at = now() where id = $1', [id]);
                continue;
              }
              if ('bringBack' in step) {
                const id = await nth(step.bringBack, false);
                if (id) await db.query('update people set deleted_at = null where id = $1', [id]);
                continue;
              }
              if ('remove' in step) {
                const id = await nth(step.remove);
                if (id) await db.query('delete from people where id = $1', [id]);
                continue;
              }
              const id = await nth(step.change, true);
              if (id) await db.query(`update people set title = 'changed ' || version where id = $1`, [id]);
            }
          }),
          { numRuns: kind === 'pglite' ? 25 : 40 },
        );
        assert.ok(remembered.pages.size > 0, 'pages were started from known places');
      } finally {
        await db.close();
      }
    });

    it('keep their places through changes to people, and show the changes', async () => {
      const db = await openTestDatabase(kind);
      try {
        await add(db, Array.from({ length: 30 }, (_, i) => `q${String(i).padStart(3, '0')}`));
        const remembered = new UserStateCache();
        for (let offset = 0; offset < 30; offset += 10) await listUsers(db, { offset, count: 10 }, remembered);
        const known = remembered.pages.size;
        await db.query(`update people set scim = scim || '{"title": "Lead"}'::jsonb, title = 'Lead' where id = 'q015'`);
        const page = await listUsers(db, { offset: 10, count: 10 }, remembered);
        assert.equal(remembered.pages.size, known, 'a change to a person keeps every known place');
        assert.deepEqual(ids(page), ids(await listUsers(db, { offset: 10, count: 10 })));
        assert.equal(page.resources.find((doc) => doc.id === 'q015')?.title, 'Lead');
      } finally {
        await db.close();
      }
    });
  });
}
