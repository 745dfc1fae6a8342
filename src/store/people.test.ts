import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateOrganisation } from '../core/sample-org.ts';
import { databaseKinds, openTestDatabase } from './testing.ts';
import { countPeople, listPeople, upsertPeople } from './people.ts';

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
