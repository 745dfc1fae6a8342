// A User document is put together in Node from parts read in SQL; filters and sorting read the
// document person_doc builds in SQL. The two must be the same document, for every kind of person.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { auditInsert } from '../audit/trail.ts';
import type { Database } from './database.ts';
import { parseFilter } from '../scim/filter.ts';
import { allUserDocs, deleteUser, getUser, getUserState, insertGroup, insertUserLogged, listUsers, refreshPersonGroups, replaceUserAt, usersByUserName, type Doc } from './directory.ts';
import { upsertPeople } from './people.ts';
import { databaseKinds, openTestDatabase } from './testing.ts';
import { UserStateCache } from './user-states.ts';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const noEvents = auditInsert([]);

for (const kind of databaseKinds) {
  describe(`User documents (${kind})`, () => {
    let db: Database;
    const inSql = async () => (await db.query<{ doc: Doc }>('select person_doc(p) as doc from people p where p.deleted_at is null order by p.id')).map((r) => r.doc);

    before(async () => {
      db = await openTestDatabase(kind);
      await insertUserLogged(db, 'a-pushed', { schemas: [USER, ENTERPRISE], userName: 'ann@example.com', name: { givenName: 'Ann', familyName: 'Lee' }, emails: [{ value: 'ann@example.com', type: 'work', primary: true }], active: true, [ENTERPRISE]: { department: 'Sales', manager: { value: 'b-pushed' } } }, 'scim', noEvents);
      await insertUserLogged(db, 'b-pushed', { schemas: [USER], userName: 'bob@example.com', active: false, title: 'Boss', nickName: 'B' }, 'scim', noEvents);
      await insertUserLogged(db, 'c-renamed', { schemas: [USER], userName: 'cy@example.com', active: true }, 'scim', noEvents);
      await insertGroup(db, 'g1', { displayName: 'Zeta' }, ['a-pushed', 'b-pushed'], 'scim');
      await insertGroup(db, 'g2', { displayName: 'alpha' }, ['a-pushed'], 'scim');
      await refreshPersonGroups(db, ['a-pushed', 'b-pushed']);
      await upsertPeople(db, [{ id: 'd-imported', userName: 'dee@example.com', email: 'dee@example.com', emails: ['dee@example.com', 'd@home.example'], active: true, department: 'R&D', managerId: 'a-pushed', groups: ['Staff'] }], 'csv');
      // A pushed person whose columns were then changed by an import: their document is built from the columns again.
      await db.query("update people set title = 'Changed by import' where id = 'c-renamed'");
    });
    after(() => db.close());

    it('puts together the same document person_doc builds, for pushed, grouped, imported and re-imported people', async () => {
      const expected = await inSql();
      assert.equal(expected.length, 4);
      assert.deepEqual(await allUserDocs(db), expected);
      for (const doc of expected) assert.deepEqual(await getUser(db, String(doc.id)), doc);
      const page = await listUsers(db, { offset: 1, count: 2 });
      assert.deepEqual(page, { total: 4, resources: expected.slice(1, 3) });
      assert.deepEqual((await getUserState(db, 'a-pushed'))?.doc, expected[0]);
      assert.equal((await getUserState(db, 'c-renamed'))?.pushed, null, 'a body the columns no longer match is not the pushed body');
    });

    it('answers a write with the document person_doc would build, and nothing past the last page', async () => {
      const state = await getUserState(db, 'b-pushed');
      assert.ok(state);
      const written = await replaceUserAt(db, 'b-pushed', state.version, { schemas: [USER], userName: 'bob@example.com', active: true, title: 'Chief' }, 'scim', noEvents);
      assert.deepEqual(written, (await inSql()).find((d) => d.id === 'b-pushed'));
      assert.equal(await replaceUserAt(db, 'b-pushed', state.version, { schemas: [USER], userName: 'bob@example.com', active: true }, 'scim', noEvents), undefined, 'a stale version writes nothing');
      assert.deepEqual(await listUsers(db, { offset: 10, count: 5 }), { total: 4, resources: [] });
      assert.deepEqual(await listUsers(db, { offset: 0, count: 0 }), { total: 4, resources: [] });
    });

    it('answers a userName lookup as the filtered page read whole answers it, for every kind of person and filter', async () => {
      await insertUserLogged(db, 'e-gone', { schemas: [USER], userName: 'eve@example.com', active: true }, 'scim', noEvents);
      await deleteUser(db, 'e-gone');
      await insertUserLogged(db, 'f-dated', { schemas: [USER], userName: '2026-01-31T12:00:00Z', active: true }, 'scim', noEvents);
      let looked = 0;
      const byUserName = async (userName: string) => ((looked += 1), (await usersByUserName(db, [userName]))[0]);
      const filters = [
        'userName eq "ann@example.com"',
        'userName eq "ANN@Example.COM"',
        'urn:ietf:params:scim:schemas:core:2.0:User:userName eq "bob@example.com"',
        'userName eq "dee@example.com"',
        'userName eq "cy@example.com"',
        'userName eq "eve@example.com"',
        'userName eq "nobody@example.com"',
        'userName eq "2026-01-31T12:00:00Z"',
        'userName ne "ann@example.com"',
        'userName eq "ann@example.com" or userName eq "bob@example.com"',
        'emails.value eq "ann@example.com"',
      ];
      for (const text of filters) {
        for (const page of [{ offset: 0, count: 100 }, { offset: 1, count: 100 }, { offset: 0, count: 0 }]) {
          const query = { ...page, filter: parseFilter(text) };
          assert.deepEqual(await listUsers(db, query, undefined, byUserName), await listUsers(db, query), `${text} at ${JSON.stringify(page)}`);
        }
      }
      assert.equal(looked, 7, 'only the first pages of plain userName eq lookups (not the dateTime-like one) are looked up');
      const found = await usersByUserName(db, ['bob@example.com', 'nobody@example.com', 'ANN@example.com', 'bob@example.com']);
      assert.deepEqual(
        found.map((doc) => doc?.id),
        ['b-pushed', undefined, 'a-pushed', 'b-pushed'],
      );
    });
  });
}

for (const kind of databaseKinds) {
  describe(`the number of live people, kept by the database (${kind})`, () => {
    it('stays the count of live people through imports, pushes, IdP deletes, a rolled-back write, a hard delete and a truncate', async () => {
      const db = await openTestDatabase(kind);
      try {
        const truth = async () => Number((await db.query<{ n: number }>('select count(*)::int as n from people where deleted_at is null'))[0]?.n);
        const check = async (when: string) => {
          const expected = await truth();
          assert.equal((await listUsers(db, { offset: 0, count: 0 })).total, expected, `${when}: count only`);
          assert.equal((await listUsers(db, { offset: 0, count: 2 })).total, expected, `${when}: with a page`);
          assert.equal((await listUsers(db, { offset: 500, count: 2 })).total, expected, `${when}: past the end`);
        };
        await check('empty');
        await upsertPeople(db, Array.from({ length: 30 }, (_, i) => ({ id: `imp-${i}`, userName: `imp${i}@example.com`, email: `imp${i}@example.com`, emails: [`imp${i}@example.com`], active: true, groups: [] })), 'csv');
        await check('after an import');
        await upsertPeople(db, [{ id: 'imp-0', userName: 'imp0@example.com', email: 'imp0@example.com', emails: ['imp0@example.com'], active: false, groups: [] }], 'csv');
        await check('after an import that only updates');
        await Promise.all(Array.from({ length: 12 }, (_, i) => insertUserLogged(db, `pushed-${i}`, { schemas: [USER], userName: `pushed${i}@example.com`, active: true }, 'scim', noEvents)));
        await check('after pushes at once');
        await db.transaction(async (tx) => {
          await deleteUser(tx, 'pushed-0');
          await deleteUser(tx, 'pushed-1');
          await deleteUser(tx, 'pushed-1');
        });
        await check('after IdP deletes, one of them twice');
        await assert.rejects(
          db.transaction(async (tx) => {
            await insertUserLogged(tx, 'rolled-back', { schemas: [USER], userName: 'gone@example.com', active: true }, 'scim', noEvents);
            await deleteUser(tx, 'pushed-2');
            throw new Error('roll back');
          }),
          /roll back/,
        );
        await check('after a rolled-back insert and delete');
        await db.query("delete from people where id in ('imp-1', 'imp-2', 'pushed-0')");
        await check('after rows deleted outright, one of them already deleted by the IdP');
        await db.exec('truncate people cascade');
        await check('after a truncate');
        await insertUserLogged(db, 'again', { schemas: [USER], userName: 'again@example.com', active: true }, 'scim', noEvents);
        await check('after a push into an empty directory');
      } finally {
        await db.close();
      }
    });
  });
}

for (const kind of databaseKinds) {
  describe(`pages answered from remembered people (${kind})`, () => {
    it('are the pages read whole, after changes made elsewhere of every kind, and read only versions for people already held', async () => {
      const db = await openTestDatabase(kind);
      try {
        for (let i = 0; i < 6; i += 1) await insertUserLogged(db, `u${i}`, { schemas: [USER], userName: `u${i}@example.com`, title: 'Engineer', active: true }, 'scim', noEvents);
        await upsertPeople(db, [{ id: 'u9-imported', userName: 'imp@example.com', email: 'imp@example.com', emails: ['imp@example.com'], active: true, groups: [] }], 'csv');
        const remember = new UserStateCache();
        const same = async (when: string) => {
          for (const query of [{ offset: 0, count: 4 }, { offset: 3, count: 10 }]) assert.deepEqual(await listUsers(db, query, remember), await listUsers(db, query), `${when}, from ${query.offset}`);
        };
        await same('first read');
        const statements: string[] = [];
        const counting: Database = { ...db, query: (sql, params) => (statements.push(sql), db.query(sql, params)) };
        await listUsers(counting, { offset: 0, count: 4 }, remember);
        assert.equal(statements.length, 1, 'a page of people already held is one statement');
        const state = await getUserState(db, 'u1');
        await replaceUserAt(db, 'u1', Number(state?.version), { schemas: [USER], userName: 'u1@example.com', title: 'Lead', active: true }, 'scim', noEvents);
        await same('after a push by another process');
        await db.query("update people set title = 'Set by import' where id = 'u2'");
        await same('after an import changed a pushed person');
        await insertGroup(db, 'g-page', { displayName: 'Paged' }, ['u3'], 'scim');
        await refreshPersonGroups(db, ['u3']);
        await same('after a group push');
        await deleteUser(db, 'u4');
        await same('after an IdP delete');
        assert.equal((await listUsers(db, { offset: 0, count: 10 }, remember)).resources.find((doc) => doc.id === 'u1')?.title, 'Lead');
      } finally {
        await db.close();
      }
    });
  });
}
