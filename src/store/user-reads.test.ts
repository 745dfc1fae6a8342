// Lookups by userName made at the same time share a statement; each caller still gets its own
// person, as they are when the statement runs.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { auditInsert } from '../audit/trail.ts';
import type { Database, Queryable } from './database.ts';
import { deleteUser, getUserState, insertUserLogged, replaceUserAt } from './directory.ts';
import { upsertPeople } from './people.ts';
import { databaseKinds, openTestDatabase } from './testing.ts';
import { UserReads } from './user-reads.ts';
import { UserStateCache } from './user-states.ts';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const noEvents = auditInsert([]);

for (const kind of databaseKinds) {
  describe(`lookups by userName made at once (${kind})`, () => {
    let db: Database;
    let lookups = 0;
    let counted: Queryable;

    before(async () => {
      db = await openTestDatabase(kind);
      counted = {
        query: (sql, params) => ((lookups += /array_positions\(k\.keys/.test(sql) ? 1 : 0), db.query(sql, params)),
        exec: (sql) => db.exec(sql),
      };
      for (const n of [1, 2, 3, 4, 5]) await insertUserLogged(db, `r${n}`, { schemas: [USER], userName: `reader${n}@example.com`, title: `T${n}`, active: true }, 'scim', noEvents);
    });
    after(() => db.close());

    it('answers each lookup with its own person, all but the first in one statement', async () => {
      const remembered = new UserStateCache();
      const reads = new UserReads(counted, remembered);
      lookups = 0;
      const names = ['reader1@example.com', 'READER2@example.com', 'nobody@example.com', 'reader3@example.com', 'reader2@example.com', 'reader5@example.com'];
      const docs = await Promise.all(names.map((name) => reads.byUserName(name)));
      assert.equal(lookups, 2);
      assert.deepEqual(
        docs.map((doc) => doc?.id),
        ['r1', 'r2', undefined, 'r3', 'r2', 'r5'],
      );
      assert.equal(docs[3]?.title, 'T3');
      assert.ok(remembered.get('r5'), 'the people found are remembered');
    });

    it('reads each person by id as getUserState reads them, all but the first in one statement', async () => {
      await upsertPeople(db, [{ id: 'r-imported', userName: 'imported@example.com', email: 'imported@example.com', emails: ['imported@example.com'], active: true, groups: [] }], 'csv');
      await insertUserLogged(db, 'r-gone', { schemas: [USER], userName: 'gone@example.com', active: true }, 'scim', noEvents);
      await deleteUser(db, 'r-gone');
      const reads = new UserReads(counted);
      lookups = 0;
      const ids = ['r1', 'r-imported', 'r-gone', 'missing', 'r3', 'r1'];
      const states = await Promise.all(ids.map((id) => reads.byId(id)));
      assert.equal(lookups, 2);
      for (const [i, id] of ids.entries()) assert.deepEqual(states[i], await getUserState(db, id), id);
      assert.equal(states[1]?.pushed, null, 'an imported person has no pushed body');
      assert.equal(states[2], undefined, 'a person the IdP deleted is not read');
    });

    it('finds a person renamed between two lookups by their new name only', async () => {
      const reads = new UserReads(db);
      assert.equal((await reads.byUserName('reader4@example.com'))?.id, 'r4');
      const state = await getUserState(db, 'r4');
      await replaceUserAt(db, 'r4', state?.version ?? 0, { schemas: [USER], userName: 'renamed4@example.com', active: true }, 'scim', noEvents);
      const [old, renamed] = await Promise.all([reads.byUserName('reader4@example.com'), reads.byUserName('renamed4@example.com')]);
      assert.equal(old, undefined);
      assert.equal(renamed?.id, 'r4');
      assert.equal(renamed?.userName, 'renamed4@example.com');
    });

    it('answers from what the process holds only at the version the database has, by id and by userName', async () => {
      const remembered = new UserStateCache();
      let wholeReads = 0;
      const watched: Queryable = {
        query: (sql, params) => {
          // A lookup reads a person whole only where it is not given them as known ($2).
          if (/array_positions\(k\.keys/.test(sql)) wholeReads += (params?.[0] as string[]).length - (params?.[1] as string[]).length;
          return db.query(sql, params);
        },
        exec: (sql) => db.exec(sql),
      };
      const reads = new UserReads(watched, remembered);
      await insertUserLogged(db, 'r6', { schemas: [USER], userName: 'held6@example.com', title: 'First', active: true }, 'scim', noEvents);
      assert.equal((await reads.byId('r6'))?.doc.title, 'First');
      wholeReads = 0;
      assert.equal((await reads.byId('r6'))?.doc.title, 'First');
      assert.equal((await reads.byUserName('HELD6@example.com'))?.id, 'r6');
      assert.equal(wholeReads, 0, 'a person held at their current version is given as known');

      // Changed elsewhere (another process, say): the held state is older than the database's.
      const state = await getUserState(db, 'r6');
      await replaceUserAt(db, 'r6', state?.version ?? 0, { schemas: [USER], userName: 'held6@example.com', title: 'Second', active: true }, 'scim', noEvents);
      assert.equal((await reads.byId('r6'))?.doc.title, 'Second');
      assert.equal((await reads.byUserName('held6@example.com'))?.title, 'Second');
      assert.equal(remembered.get('r6')?.doc.title, 'Second', 'the fresh read is remembered');

      // Renamed elsewhere, and the old name given to someone else: the hint points at the wrong person.
      const now = await getUserState(db, 'r6');
      await replaceUserAt(db, 'r6', now?.version ?? 0, { schemas: [USER], userName: 'moved6@example.com', title: 'Second', active: true }, 'scim', noEvents);
      await insertUserLogged(db, 'r7', { schemas: [USER], userName: 'held6@example.com', title: 'Newcomer', active: true }, 'scim', noEvents);
      const [byOldName, byNewName] = await Promise.all([reads.byUserName('held6@example.com'), reads.byUserName('moved6@example.com')]);
      assert.equal(byOldName?.id, 'r7');
      assert.equal(byOldName?.title, 'Newcomer');
      assert.equal(byNewName?.id, 'r6');
      assert.equal(byNewName?.userName, 'moved6@example.com');

      // Deleted elsewhere: held, but no longer live.
      await deleteUser(db, 'r7');
      assert.equal(await reads.byUserName('held6@example.com'), undefined);
      assert.equal(await reads.byId('r7'), undefined);
    });
  });
}
