import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateOrganisation } from '../core/sample-org.ts';
import { databaseKinds, openTestDatabase } from './testing.ts';
import { countPeople, listPeople, upsertPeople, userNameClashes } from './people.ts';

for (const kind of databaseKinds) {
  describe(`people store on ${kind}`, () => {
    it('round-trips people and updates them by id', async () => {
      const db = await openTestDatabase(kind);
      try {
        const people = generateOrganisation({ size: 300, seed: 3 });
        assert.deepEqual(await upsertPeople(db, people, 'import'), { created: 300, updated: 0 });
        assert.deepEqual(await listPeople(db), [...people].sort((a, b) => (a.id < b.id ? -1 : 1)));
        const moved = { ...people[5]!, department: 'Finance', active: false };
        assert.deepEqual(await upsertPeople(db, [moved], 'import'), { created: 0, updated: 1 });
        const after = (await listPeople(db)).find((p) => p.id === moved.id);
        assert.equal(after?.department, 'Finance');
        assert.equal(after?.active, false);
        const counts = await countPeople(db);
        assert.equal(counts.total, 300);
        assert.equal(counts.active, people.filter((p) => p.active).length - 1);
      } finally {
        await db.close();
      }
    });

    it('keeps an existing person\'s active state when the input leaves it unsaid; a new person starts active', async () => {
      const db = await openTestDatabase(kind);
      try {
        await upsertPeople(db, [{ id: 'leaver', userName: 'leaver@acme.com', emails: [], active: false, groups: [] }], 'import');
        const unsaid = { emails: [], active: undefined, groups: [] };
        assert.deepEqual(
          await upsertPeople(db, [{ ...unsaid, id: 'leaver', userName: 'leaver@acme.com', department: 'Sales' }, { ...unsaid, id: 'joiner', userName: 'joiner@acme.com' }], 'import'),
          { created: 1, updated: 1 },
        );
        const people = await listPeople(db);
        assert.deepEqual(
          people.map((p) => [p.id, p.active, p.department]),
          [
            ['joiner', true, undefined],
            ['leaver', false, 'Sales'],
          ],
        );
        await upsertPeople(db, [{ ...unsaid, id: 'leaver', userName: 'leaver@acme.com', active: true }], 'import');
        assert.equal((await listPeople(db)).find((p) => p.id === 'leaver')?.active, true, 'a stated active still applies');
      } finally {
        await db.close();
      }
    });

    it('passes userNames between people in one write, and names whoever holds a userName already', async () => {
      const db = await openTestDatabase(kind);
      try {
        const person = (id: string, userName: string) => ({ id, userName, emails: [], active: true, groups: [] });
        await upsertPeople(db, [person('a', 'ann@acme.com'), person('b', 'bea@acme.com'), person('c', 'cat@acme.com')], 'import');
        await db.transaction((tx) => upsertPeople(tx, [person('a', 'BEA@acme.com'), person('b', 'ann@acme.com')], 'import'));
        assert.deepEqual(
          (await listPeople(db)).map((p) => [p.id, p.userName]),
          [
            ['a', 'BEA@acme.com'],
            ['b', 'ann@acme.com'],
            ['c', 'cat@acme.com'],
          ],
        );
        assert.deepEqual(await userNameClashes(db, [person('d', 'Cat@Acme.com'), person('e', 'eve@acme.com'), person('a', 'ann@acme.com')]), [
          { personId: 'd', userName: 'Cat@Acme.com', heldBy: 'c' },
          { personId: 'a', userName: 'ann@acme.com', heldBy: 'b' },
        ]);
        assert.deepEqual(await userNameClashes(db, [person('c', 'dan@acme.com'), person('d', 'cat@acme.com')]), [], 'c gives its userName up in the same write');
      } finally {
        await db.close();
      }
    });

    it('refuses two people with one userName, whatever the case', async () => {
      const db = await openTestDatabase(kind);
      try {
        await upsertPeople(db, [{ id: 'a', userName: 'Jane@acme.com', emails: [], active: true, groups: [] }], 'import');
        await assert.rejects(upsertPeople(db, [{ id: 'b', userName: 'jane@ACME.com', emails: [], active: true, groups: [] }], 'import'), /people_user_name_key|duplicate key/);
      } finally {
        await db.close();
      }
    });
  });
}
