// Replaces sent at the same time share a statement. These tests send them together and check that
// each caller still gets exactly its own outcome: its person written with its own audit event, or
// nothing written when the person moved on, or its own error while the others are written.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { auditInsert } from '../audit/trail.ts';
import type { Database, Queryable } from './database.ts';
import { getUserState, insertUserLogged, insertUsersLogged, isUniqueViolation, replaceUsersAt, type Doc, type UserInsert, type UserReplace } from './directory.ts';
import { databaseKinds, openTestDatabase } from './testing.ts';
import { UserStateCache } from './user-states.ts';
import { UserWrites } from './user-writes.ts';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

/** The database, counting the statements that replace people and those that insert them. */
function counting(db: Database): { db: Queryable; replaces: () => number; inserts: () => number } {
  let replaces = 0;
  let inserts = 0;
  return {
    db: {
      query<T>(sql: string, params?: readonly unknown[]) {
        if (/update people p set/.test(sql)) replaces += 1;
        if (/insert into people/.test(sql)) inserts += 1;
        return db.query<T>(sql, params);
      },
      exec: (sql) => db.exec(sql),
    },
    replaces: () => replaces,
    inserts: () => inserts,
  };
}

for (const kind of databaseKinds) {
  describe(`replaces of people sent at once share a statement (${kind})`, () => {
    let db: Database;
    let made = 0;

    const body = (userName: string, title: string): Doc => ({ schemas: [USER], userName, title, active: true, emails: [{ value: userName, type: 'work', primary: true }] });
    const person = async (title = 'Engineer') => {
      made += 1;
      const id = `w${made}`;
      const userName = `writes${made}@example.com`;
      await insertUserLogged(db, id, body(userName, title), 'scim', auditInsert({ actor: 'idp:test', action: 'scim.user.created', target: id }));
      const state = await getUserState(db, id, false);
      return { id, userName, version: state?.version ?? 0 };
    };
    const replace = (p: { id: string; userName: string; version: number }, title: string, userName = p.userName): UserReplace => ({
      id: p.id,
      version: p.version,
      body: body(userName, title),
      source: 'scim',
      audit: auditInsert({ actor: 'idp:entra', action: 'scim.user.updated', target: p.id, detail: { title } }),
    });
    const stored = async (id: string) => (await db.query<{ title: string; version: number; user_name: string }>('select title, version, user_name from people where id = $1', [id]))[0];
    const events = async (id: string) => (await db.query<{ actor: string; detail: { title?: string } }>("select actor, detail from audit_events where target = $1 and action = 'scim.user.updated' order by id", [id])).map((e) => `${e.actor}:${e.detail.title}`);

    before(async () => {
      db = await openTestDatabase(kind);
    });
    after(() => db.close());

    it('writes each person sent at once with their own event, all but the first in one statement', async () => {
      const people = await Promise.all(Array.from({ length: 6 }, () => person()));
      const { db: counted, replaces } = counting(db);
      const remembered = new UserStateCache();
      const writes = new UserWrites(counted, remembered);
      const docs = await Promise.all(people.map((p, n) => writes.replace(replace(p, `Title ${n}`))));
      assert.equal(replaces(), 2, 'the first alone, the five that waited for it together');
      for (const [n, p] of people.entries()) {
        assert.equal(docs[n]?.title, `Title ${n}`);
        assert.equal(docs[n]?.id, p.id);
        assert.equal((await stored(p.id))?.title, `Title ${n}`);
        assert.equal((await stored(p.id))?.version, p.version + 1);
        assert.deepEqual(await events(p.id), [`idp:entra:Title ${n}`]);
        assert.equal(remembered.get(p.id)?.version, p.version + 1, 'the new state is remembered');
      }
    });

    it('sends a second replace of the same person in the next statement, where the moved version turns it away', async () => {
      const [ahead, a, b] = await Promise.all([person(), person(), person()]);
      const { db: counted, replaces } = counting(db);
      const writes = new UserWrites(counted);
      // The first goes alone; the three behind it wait together.
      const [, first, second, other] = await Promise.all([writes.replace(replace(ahead!, 'Ahead')), writes.replace(replace(a!, 'First')), writes.replace(replace(a!, 'Second')), writes.replace(replace(b!, 'Other'))]);
      assert.equal(replaces(), 3);
      assert.equal(first?.title, 'First');
      assert.equal(second, undefined, 'the caller starts over from the person as they are');
      assert.equal(other?.title, 'Other');
      assert.equal((await stored(a!.id))?.title, 'First');
      assert.deepEqual(await events(a!.id), ['idp:entra:First']);
    });

    it('turns away only the person changed since their version was read; the others in the statement are written', async () => {
      const people = await Promise.all(Array.from({ length: 3 }, () => person()));
      await db.query("update people set title = 'Changed elsewhere' where id = $1", [people[1]!.id]);
      const docs = await replaceUsersAt(db, people.map((p, n) => replace(p, `Batch ${n}`)));
      assert.equal(docs[0]?.title, 'Batch 0');
      assert.equal(docs[1], undefined);
      assert.equal(docs[2]?.title, 'Batch 2');
      assert.equal((await stored(people[1]!.id))?.title, 'Changed elsewhere');
      assert.deepEqual(await events(people[1]!.id), [], 'no event for a write that did not happen');
      assert.deepEqual(await events(people[2]!.id), ['idp:entra:Batch 2']);
    });

    it('writes nothing from a statement that fails, and then gives the failure to its own caller alone', async () => {
      const [holder, a, b, c] = await Promise.all([person(), person(), person(), person()]);
      const taken = replace(b!, 'Taken', holder!.userName);
      await assert.rejects(replaceUsersAt(db, [replace(a!, 'A'), taken, replace(c!, 'C')]), isUniqueViolation);
      for (const p of [a!, b!, c!]) {
        assert.equal((await stored(p.id))?.version, p.version, 'the statement wrote no one');
        assert.deepEqual(await events(p.id), []);
      }
      const writes = new UserWrites(db);
      const first = await person();
      const results = await Promise.allSettled([writes.replace(replace(first, 'Lead')), writes.replace(replace(a!, 'A')), writes.replace(taken), writes.replace(replace(c!, 'C'))]);
      assert.equal(results[0].status, 'fulfilled');
      assert.equal(results[1].status === 'fulfilled' && results[1].value?.title, 'A');
      assert.ok(results[2].status === 'rejected' && isUniqueViolation(results[2].reason), 'the write whose userName is taken gets the violation');
      assert.equal(results[3].status === 'fulfilled' && results[3].value?.title, 'C');
      assert.equal((await stored(b!.id))?.user_name, b!.userName);
      assert.deepEqual(await events(b!.id), []);
    });

    const creation = (n: string, userName = `${n}@example.com`): UserInsert => ({
      id: `new-${n}`,
      body: body(userName, 'Joiner'),
      source: 'scim',
      audit: auditInsert({ actor: 'idp:okta', action: 'scim.user.created', target: `new-${n}`, detail: { userName } }),
    });
    const created = async (id: string) => (await db.query<{ actor: string }>("select actor from audit_events where target = $1 and action = 'scim.user.created'", [id])).map((e) => e.actor);

    it('inserts each new person sent at once with their own event, all but the first in one statement', async () => {
      const { db: counted, inserts } = counting(db);
      const remembered = new UserStateCache();
      const writes = new UserWrites(counted, remembered);
      const names = Array.from({ length: 5 }, (_, n) => `joiner-${kind}-${n}`);
      const docs = await Promise.all(names.map((n) => writes.insert(creation(n))));
      assert.equal(inserts(), 2);
      for (const [i, n] of names.entries()) {
        assert.equal(docs[i]?.id, `new-${n}`);
        assert.equal(docs[i]?.userName, `${n}@example.com`);
        assert.equal((await stored(`new-${n}`))?.user_name, `${n}@example.com`);
        assert.deepEqual(await created(`new-${n}`), ['idp:okta']);
        assert.ok(remembered.get(`new-${n}`), 'the new person is remembered');
      }
    });

    it('gives a userName sent twice at once to one of them, a unique violation to the other, and writes the rest', async () => {
      const writes = new UserWrites(db);
      const name = `twice-${kind}`;
      const results = await Promise.allSettled([
        writes.insert(creation(`ahead-${kind}`)),
        writes.insert(creation(`${name}-a`, `${name}@example.com`)),
        writes.insert(creation(`${name}-b`, `${name.toUpperCase()}@example.com`)),
        writes.insert(creation(`other-${kind}`)),
      ]);
      assert.equal(results[0].status, 'fulfilled');
      assert.equal(results[3].status, 'fulfilled');
      const outcomes = [results[1], results[2]];
      assert.equal(outcomes.filter((r) => r.status === 'fulfilled').length, 1);
      assert.ok(outcomes.some((r) => r.status === 'rejected' && isUniqueViolation(r.reason)));
      const held = await db.query<{ id: string }>('select id from people where lower(user_name) = $1', [`${name}@example.com`]);
      assert.equal(held.length, 1);
      const loser = held[0]?.id === `new-${name}-a` ? `new-${name}-b` : `new-${name}-a`;
      assert.deepEqual(await created(loser), [], 'no event for the person not made');
    });

    it('inserts no one from a statement in which one userName is taken', async () => {
      const holder = await person();
      await assert.rejects(insertUsersLogged(db, [creation(`fine-${kind}`), creation(`clash-${kind}`, holder.userName.toUpperCase())]), isUniqueViolation);
      assert.equal(await stored(`new-fine-${kind}`), undefined);
      assert.deepEqual(await created(`new-fine-${kind}`), []);
    });

    it('does not hold the writes of other people behind a statement waiting on a lock', { skip: kind === 'pglite' ? 'one connection: a lock held in a transaction blocks every statement' : false }, async () => {
      const [locked, free] = await Promise.all([person(), person()]);
      const writes = new UserWrites(db, undefined, { patienceMs: 30 });
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let lockTaken!: () => void;
      const taking = new Promise<void>((resolve) => (lockTaken = resolve));
      const holder = db.transaction(async (tx) => {
        await tx.query('select id from people where id = $1 for update', [locked.id]);
        lockTaken();
        await held;
        await tx.query("update people set title = 'Held' where id = $1", [locked.id]);
      });
      await taking;
      const waiting = writes.replace(replace(locked, 'Waited'));
      await sleep(5);
      const done = await Promise.race([writes.replace(replace(free, 'Free')), sleep(3000).then(() => 'blocked' as const)]).finally(release);
      await holder;
      assert.notEqual(done, 'blocked', 'the free person is written while the other waits on the lock');
      assert.equal((done as Doc | undefined)?.title, 'Free');
      assert.equal(await waiting, undefined, 'the locked person moved on meanwhile: their writer starts over');
      assert.equal((await stored(locked.id))?.title, 'Held');
    });
  });
}
