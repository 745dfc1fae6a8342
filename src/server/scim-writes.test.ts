// User writes hold no lock between reading the person and writing them: the write is one statement
// guarded by the version read. These tests change the world between the read and the write, and
// write from many callers at once, and check that no change is lost, none is made twice, and a
// precondition is judged against the person as they are when the write lands.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FanOut } from '../engine/inbound.ts';
import type { Database } from '../store/database.ts';
import { databaseKinds, openTestDatabase } from '../store/testing.ts';
import { ScimError } from '../scim/errors.ts';
import { getUser, type Doc } from '../store/directory.ts';
import { patchOf, USER } from './testing.ts';
import { ScimService, type Precondition } from './scim-service.ts';

const caller = { actor: 'idp:entra-prod' };
const anyVersion: Precondition = () => undefined;
const ifMatch =
  (etag: string): Precondition =>
  (current) => {
    const version = (current.meta as { version?: string } | undefined)?.version;
    if (version !== etag) throw new ScimError(412, `the resource is at ${version}, not ${etag}`);
  };

/** The database, with `between` run once, right after the first read of a person for a change. */
function withChangeBetween(db: Database, between: () => Promise<void>): Database {
  let fired = false;
  return {
    kind: db.kind,
    schema: db.schema,
    async query<T>(sql: string, params?: readonly unknown[]) {
      const rows = await db.query<T>(sql, params);
      if (!fired && sql.trimStart().startsWith('select') && sql.includes("'pushed'")) {
        fired = true;
        await between();
      }
      return rows;
    },
    exec: (sql) => db.exec(sql),
    executeSql: (sql, params) => db.executeSql(sql, params),
    transaction: (fn) => db.transaction(fn),
    close: () => db.close(),
  };
}

function recordingFanOut(): { fanOut: FanOut; triggered: string[][] } {
  const triggered: string[][] = [];
  return { fanOut: { trigger: (ids: readonly string[]) => triggered.push([...ids]) } as unknown as FanOut, triggered };
}

const versionOf = (doc: Doc) => Number(/\d+/.exec(String((doc.meta as { version: string }).version))?.[0]);

for (const kind of databaseKinds) {
  describe(`SCIM user writes without a lock held (${kind})`, () => {
    let db: Database;
    let service: ScimService;
    let made = 0;

    const auditCount = async (id: string) => (await db.query<{ n: number }>("select count(*)::int as n from audit_events where target = $1 and action like 'scim.user.%'", [id]))[0]?.n ?? 0;
    const newUser = async (extra: Doc = {}) => {
      made += 1;
      return service.createUser({ schemas: [USER], userName: `writer${made}@example.com`, title: 'Engineer', emails: [{ value: `writer${made}@example.com`, type: 'work', primary: true }], ...extra }, caller);
    };

    before(async () => {
      db = await openTestDatabase(kind);
      service = new ScimService(db);
    });
    after(() => db.close());

    it('writes PATCHes of many people sent at once in shared statements, each person with their own change, event and plan', async () => {
      const people = await Promise.all(Array.from({ length: 10 }, () => newUser()));
      let replaces = 0;
      const counted: Database = { ...db, query: (sql, params) => ((replaces += /update people p set/.test(sql) ? 1 : 0), db.query(sql, params)), transaction: (fn) => db.transaction(fn) };
      const { fanOut, triggered } = recordingFanOut();
      const shared = new ScimService(counted, fanOut);
      // Read first, as an IdP does: the PATCHes then start from what this process remembers.
      for (const p of people) await getUser(db, String(p.id), false, shared.states);
      const docs = await Promise.all(people.map((p, n) => shared.patchUser(String(p.id), patchOf({ op: 'replace', path: 'title', value: `Batch ${n}` }), caller, anyVersion)));
      assert.ok(replaces < people.length, `${replaces} statements for ${people.length} PATCHes`);
      for (const [n, p] of people.entries()) {
        assert.equal(docs[n]?.title, `Batch ${n}`);
        assert.equal(versionOf(docs[n]!), versionOf(p) + 1);
        assert.equal((await getUser(db, String(p.id)))?.title, `Batch ${n}`);
        assert.equal(await auditCount(String(p.id)), 2, 'created, then this PATCH');
      }
      assert.deepEqual(triggered.flat().sort(), people.map((p) => String(p.id)).sort());
    });

    it('loses none of many PATCHes to one person sent at once, and logs each once', async () => {
      const person = await newUser();
      const id = String(person.id);
      const writes = Array.from({ length: 12 }, (_, n) => service.patchUser(id, patchOf({ op: 'add', path: 'phoneNumbers', value: [{ value: `+1 555 01${String(n).padStart(2, '0')}`, type: 'work' }] }), caller, anyVersion));
      await Promise.all(writes);
      const stored = await service.patchUser(id, patchOf({ op: 'add', path: 'nickName', value: 'last' }), caller, anyVersion);
      const phones = (stored.phoneNumbers as { value: string }[]).map((p) => p.value).sort();
      assert.deepEqual(phones, Array.from({ length: 12 }, (_, n) => `+1 555 01${String(n).padStart(2, '0')}`));
      assert.equal(versionOf(stored), versionOf(person) + 13);
      assert.equal(await auditCount(id), 1 + 13);
    });

    it('makes a PATCH on top of a change that landed after it read the person', async () => {
      const person = await newUser();
      const id = String(person.id);
      const other = new ScimService(db);
      const racing = new ScimService(withChangeBetween(db, async () => void (await other.patchUser(id, patchOf({ op: 'replace', path: 'displayName', value: 'Changed meanwhile' }), caller, anyVersion))));
      const result = await racing.patchUser(id, patchOf({ op: 'replace', path: 'title', value: 'Lead' }), caller, anyVersion);
      assert.equal(result.title, 'Lead');
      assert.equal(result.displayName, 'Changed meanwhile', 'the change made in between is kept');
      assert.equal(versionOf(result), versionOf(person) + 2);
      assert.equal(await auditCount(id), 3);
    });

    it('judges If-Match against the person as the write finds them: a change in between makes it 412, and nothing is written', async () => {
      const person = await newUser();
      const id = String(person.id);
      const etag = String((person.meta as { version: string }).version);
      const other = new ScimService(db);
      const racing = new ScimService(withChangeBetween(db, async () => void (await other.patchUser(id, patchOf({ op: 'replace', path: 'title', value: 'Changed meanwhile' }), caller, anyVersion))));
      await assert.rejects(racing.patchUser(id, patchOf({ op: 'replace', path: 'title', value: 'Lead' }), caller, ifMatch(etag)), (error: unknown) => error instanceof ScimError && error.status === 412);
      const [row] = await db.query<{ title: string; version: number }>('select title, version from people where id = $1', [id]);
      assert.equal(row?.title, 'Changed meanwhile');
      assert.equal(Number(row?.version), versionOf(person) + 1);
      assert.equal(await auditCount(id), 2, 'the refused PATCH left no event');
    });

    it('answers 404 when the person is deleted between the read and the write, and writes nothing', async () => {
      const person = await newUser();
      const id = String(person.id);
      const other = new ScimService(db);
      const racing = new ScimService(withChangeBetween(db, () => other.deleteUser(id, caller, anyVersion)));
      await assert.rejects(racing.patchUser(id, patchOf({ op: 'replace', path: 'title', value: 'Lead' }), caller, anyVersion), (error: unknown) => error instanceof ScimError && error.status === 404);
      const [row] = await db.query<{ title: string; active: boolean }>('select title, active from people where id = $1', [id]);
      assert.deepEqual(row, { title: 'Engineer', active: false });
      assert.deepEqual((await db.query<{ action: string }>('select action from audit_events where target = $1 order by id', [id])).map((r) => r.action), ['scim.user.created', 'scim.user.deleted']);
    });

    it('writes nothing, logs nothing and plans nothing for a PATCH that changes nothing', async () => {
      const { fanOut, triggered } = recordingFanOut();
      const quiet = new ScimService(db, fanOut);
      const person = await newUser();
      const id = String(person.id);
      const same = await quiet.patchUser(id, patchOf({ op: 'replace', path: 'title', value: 'Engineer' }), caller, anyVersion);
      assert.equal(versionOf(same), versionOf(person));
      assert.equal(await auditCount(id), 1);
      assert.deepEqual(triggered, []);
      await quiet.patchUser(id, patchOf({ op: 'replace', path: 'active', value: false }), caller, anyVersion);
      assert.deepEqual(triggered, [[id]], 'a real change plans for the person');
    });

    it('refuses a rename to a taken userName with 409, and neither the person nor the trail changes', async () => {
      const taken = await newUser();
      const person = await newUser();
      const id = String(person.id);
      await assert.rejects(service.patchUser(id, patchOf({ op: 'replace', path: 'userName', value: String(taken.userName).toUpperCase() }), caller, anyVersion), (error: unknown) => error instanceof ScimError && error.status === 409 && error.scimType === 'uniqueness');
      const [row] = await db.query<{ user_name: string; version: number }>('select user_name, version from people where id = $1', [id]);
      assert.deepEqual({ userName: row?.user_name, version: Number(row?.version) }, { userName: person.userName, version: versionOf(person) });
      assert.equal(await auditCount(id), 1);
    });

    describe('starting from the person as this process last saw them', () => {
      // `here` is this process; `elsewhere` another roster process on the same database, whose
      // changes `here` has not seen.
      const pair = () => ({ here: new ScimService(db), elsewhere: new ScimService(db) });
      const created = async (here: ScimService) => {
        made += 1;
        return here.createUser({ schemas: [USER], userName: `seen${made}@example.com`, title: 'Engineer', emails: [{ value: `seen${made}@example.com`, type: 'work', primary: true }] }, caller);
      };

      it('a PATCH of a person it remembers is one statement: no read before the write', async () => {
        const statements: string[] = [];
        const counting: Database = { ...db, query: (sql, params) => (statements.push(sql), db.query(sql, params)) };
        const here = new ScimService(counting);
        const person = await created(here);
        statements.length = 0;
        const result = await here.patchUser(String(person.id), patchOf({ op: 'replace', path: 'title', value: 'Lead' }), caller, anyVersion);
        assert.equal(result.title, 'Lead');
        assert.equal(statements.length, 1, statements.join('\n---\n'));
        assert.equal(here.states.get(String(person.id))?.version, versionOf(result), 'the write is remembered for the next one');
      });

      it('keeps a change made elsewhere since: the remembered version no longer holds, so the person is read again', async () => {
        const { here, elsewhere } = pair();
        const person = await created(here);
        const id = String(person.id);
        await elsewhere.patchUser(id, patchOf({ op: 'replace', path: 'displayName', value: 'Changed elsewhere' }), caller, anyVersion);
        const result = await here.patchUser(id, patchOf({ op: 'replace', path: 'title', value: 'Lead' }), caller, anyVersion);
        assert.deepEqual({ title: result.title, displayName: result.displayName, version: versionOf(result) }, { title: 'Lead', displayName: 'Changed elsewhere', version: versionOf(person) + 2 });
        assert.equal(await auditCount(id), 3);
      });

      it('sees a group pushed elsewhere since: a membership moves the version it starts from', async () => {
        const { here, elsewhere } = pair();
        const person = await created(here);
        const id = String(person.id);
        made += 1;
        const group = await elsewhere.createGroup({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: `Team ${made}`, members: [{ value: id }] }, caller);
        const result = await here.patchUser(id, patchOf({ op: 'replace', path: 'title', value: 'Lead' }), caller, anyVersion);
        assert.deepEqual((result.groups as { value: string }[]).map((g) => g.value), [group.id]);
        assert.equal(result.title, 'Lead');
      });

      it('does not take a PATCH for "no change" on what it remembers: the person changed elsewhere is changed back, logged and planned', async () => {
        const { fanOut, triggered } = recordingFanOut();
        const here = new ScimService(db, fanOut);
        const elsewhere = new ScimService(db);
        const person = await created(here);
        const id = String(person.id);
        triggered.length = 0;
        await elsewhere.patchUser(id, patchOf({ op: 'replace', path: 'title', value: 'Lead' }), caller, anyVersion);
        const result = await here.patchUser(id, patchOf({ op: 'replace', path: 'title', value: 'Engineer' }), caller, anyVersion);
        assert.equal(result.title, 'Engineer');
        assert.equal((await db.query<{ title: string }>('select title from people where id = $1', [id]))[0]?.title, 'Engineer');
        assert.equal(await auditCount(id), 3);
        assert.deepEqual(triggered, [[id]]);
      });

      it('judges If-Match on the person as they are: an ETag newer than the one it remembers is met', async () => {
        const { here, elsewhere } = pair();
        const person = await created(here);
        const id = String(person.id);
        const changed = await elsewhere.patchUser(id, patchOf({ op: 'replace', path: 'title', value: 'Lead' }), caller, anyVersion);
        const result = await here.patchUser(id, patchOf({ op: 'replace', path: 'nickName', value: 'Sam' }), caller, ifMatch(String((changed.meta as { version: string }).version)));
        assert.deepEqual({ title: result.title, nickName: result.nickName }, { title: 'Lead', nickName: 'Sam' });
        await assert.rejects(here.patchUser(id, patchOf({ op: 'replace', path: 'nickName', value: 'Al' }), caller, ifMatch(String((person.meta as { version: string }).version))), (error: unknown) => error instanceof ScimError && error.status === 412);
      });

      it('judges an error on the person as they are: a value removed by filter that was added elsewhere is found', async () => {
        const { here, elsewhere } = pair();
        const person = await created(here);
        const id = String(person.id);
        await elsewhere.patchUser(id, patchOf({ op: 'add', path: 'phoneNumbers', value: [{ value: '+1 555 0100', type: 'work' }, { value: '+1 555 0199', type: 'mobile' }] }), caller, anyVersion);
        const result = await here.patchUser(id, patchOf({ op: 'remove', path: 'phoneNumbers[value eq "+1 555 0100"]' }), caller, anyVersion);
        assert.deepEqual((result.phoneNumbers as { value: string }[]).map((p) => p.value), ['+1 555 0199']);
      });

      it('answers 404 for a person deleted elsewhere, and writes nothing', async () => {
        const { here, elsewhere } = pair();
        const person = await created(here);
        const id = String(person.id);
        await elsewhere.deleteUser(id, caller, anyVersion);
        await assert.rejects(here.patchUser(id, patchOf({ op: 'replace', path: 'title', value: 'Lead' }), caller, anyVersion), (error: unknown) => error instanceof ScimError && error.status === 404);
        assert.deepEqual((await db.query<{ title: string; active: boolean }>('select title, active from people where id = $1', [id]))[0], { title: 'Engineer', active: false });
        assert.equal(await auditCount(id), 2);
      });
    });

    it('refuses a second POST of a userName with 409 and says when the holder was deleted by the IdP', async () => {
      const first = await newUser();
      const before = (await db.query<{ n: number }>('select count(*)::int as n from audit_events'))[0]?.n;
      const again = { schemas: [USER], userName: String(first.userName).toUpperCase() };
      await assert.rejects(service.createUser(again, caller), (error: unknown) => error instanceof ScimError && error.status === 409 && /is taken$/.test(error.message));
      await service.deleteUser(String(first.id), caller, anyVersion);
      await assert.rejects(service.createUser(again, caller), (error: unknown) => error instanceof ScimError && error.status === 409 && /deleted/.test(error.message));
      assert.equal((await db.query<{ n: number }>('select count(*)::int as n from audit_events'))[0]?.n, Number(before) + 1, 'only the delete was logged');
      assert.equal((await db.query<{ n: number }>('select count(*)::int as n from people where lower(user_name) = lower($1)', [first.userName]))[0]?.n, 1);
    });
  });
}
