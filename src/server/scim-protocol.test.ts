// The inbound SCIM protocol as strict clients use it: auth, discovery, paging, sorting,
// projections, search, ETags, atomic PATCH, and bad input of every kind answered 4xx with nothing changed.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Database } from '../store/database.ts';
import { revokeScimToken } from '../store/scim-tokens.ts';
import { databaseKinds, openTestDatabase } from '../store/testing.ts';
import { allSchemas, type AttributeDefinition } from '../scim/resource-schemas.ts';
import { ENTERPRISE, GROUP, patchOf, scimTestClient, USER, type TestClient } from './testing.ts';

const q = (filter: string) => `/Users?filter=${encodeURIComponent(filter)}`;

/** Everything SCIM can see: documents, memberships, audit length. */
async function state(db: Database): Promise<string> {
  const people = await db.query('select person_doc(p) as d, groups, active, deleted_at from people p order by id');
  const groups = await db.query('select idp_group_doc(g, true) as d from idp_groups g order by id');
  const [audit] = await db.query<{ n: number }>('select count(*)::int as n from audit_events');
  return JSON.stringify({ people, groups, audit });
}

for (const kind of databaseKinds) {
  describe(`inbound SCIM protocol (${kind})`, () => {
    let db: Database;
    let client: TestClient;
    let ids: string[] = [];
    let groupId: string;

    before(async () => {
      db = await openTestDatabase(kind);
      client = await scimTestClient(db, { tokenName: 'protocol', tokenCacheMs: 0 });
      ids = [];
      for (let i = 0; i < 25; i++) {
        const n = String(i).padStart(2, '0');
        const made = await client.request('POST', '/Users', {
          schemas: [USER, ENTERPRISE],
          userName: `user${n}@example.com`,
          externalId: `EXT-${n}`,
          displayName: `User ${n}`,
          name: { givenName: `Given${n}`, familyName: `Family${24 - i}` },
          title: i % 3 === 0 ? 'Engineer' : i % 3 === 1 ? 'Manager' : null,
          active: i % 5 !== 0,
          emails: [{ value: `user${n}@example.com`, type: 'work', primary: true }, ...(i % 2 === 0 ? [{ value: `u${n}@home.example`, type: 'home' }] : [])],
          [ENTERPRISE]: { department: i < 10 ? 'Sales' : 'R&D', employeeNumber: n },
        });
        assert.equal(made.status, 201, JSON.stringify(made.body));
        ids.push(String(made.body?.id));
      }
      const group = await client.request('POST', '/Groups', { schemas: [GROUP], displayName: 'Admins', members: [{ value: ids[0] }, { value: ids[1] }] });
      groupId = String(group.body?.id);
    });
    after(() => db.close());

    it('answers 401 in SCIM’s shape without a live token, and stops accepting a revoked one', async () => {
      const none = await client.app.request('http://127.0.0.1/scim/v2/Users');
      assert.equal(none.status, 401);
      assert.match(none.headers.get('www-authenticate') ?? '', /Bearer/);
      const body = (await none.json()) as Record<string, unknown>;
      assert.deepEqual([body.schemas, body.status], [['urn:ietf:params:scim:api:messages:2.0:Error'], '401']);
      const forged = await client.app.request('http://127.0.0.1/scim/v2/Users', { headers: { authorization: `Bearer ${client.token.slice(0, -2)}xx` } });
      assert.equal(forged.status, 401);
      const extra = await scimTestClient(db, { tokenName: 'short-lived', tokenCacheMs: 0 });
      assert.equal((await extra.request('GET', '/Users?count=1')).status, 200);
      await revokeScimToken(db, 'short-lived');
      assert.equal((await extra.request('GET', '/Users?count=1')).status, 401);
      assert.ok(!JSON.stringify(await db.query('select * from scim_tokens')).includes(client.token), 'only a hash is stored');
    });

    it('describes exactly what it supports: every schema attribute is accepted and returned', async () => {
      const spc = await client.request('GET', '/ServiceProviderConfig');
      assert.deepEqual([spc.body?.patch, spc.body?.bulk, spc.body?.filter, spc.body?.sort, spc.body?.etag, spc.body?.changePassword], [{ supported: true }, { supported: false, maxOperations: 0, maxPayloadSize: 0 }, { supported: true, maxResults: 1000 }, { supported: true }, { supported: true }, { supported: false }]);
      const types = await client.request('GET', '/ResourceTypes');
      assert.deepEqual((types.body?.Resources as { id: string; endpoint: string; schema: string }[]).map((t) => [t.id, t.endpoint, t.schema]), [['User', '/Users', USER], ['Group', '/Groups', GROUP]]);
      const schemas = await client.request('GET', '/Schemas');
      assert.equal(schemas.body?.totalResults, 3);
      const one = await client.request('GET', `/Schemas/${ENTERPRISE}`);
      assert.equal(one.body?.id, ENTERPRISE);
      const check = (a: Record<string, unknown>) => {
        for (const key of ['name', 'type', 'multiValued', 'description', 'required', 'caseExact', 'mutability', 'returned', 'uniqueness']) assert.ok(key in a, `${String(a.name)} has ${key}`);
        for (const sub of (a.subAttributes as Record<string, unknown>[] | undefined) ?? []) check(sub);
      };
      for (const s of schemas.body?.Resources as { attributes: Record<string, unknown>[] }[]) s.attributes.forEach(check);
      // A user with every writable attribute the schemas list comes back with each of them.
      const sample = (a: AttributeDefinition): unknown => {
        const one = a.type === 'complex' ? Object.fromEntries((a.subAttributes ?? []).filter((s) => s.mutability !== 'readOnly').map((s) => [s.name, sample({ ...s, multiValued: false })])) : a.type === 'boolean' ? true : `${a.name}-value`;
        return a.multiValued ? [one] : one;
      };
      const [user, enterprise] = allSchemas;
      const body: Record<string, unknown> = { schemas: [USER, ENTERPRISE] };
      for (const a of user!.attributes) if (a.mutability !== 'readOnly') body[a.name] = sample(a);
      body[ENTERPRISE] = Object.fromEntries(enterprise!.attributes.map((a) => [a.name, sample(a)]));
      const made = await client.request('POST', '/Users', body);
      assert.equal(made.status, 201, JSON.stringify(made.body));
      for (const a of user!.attributes) {
        if (a.returned === 'never' || a.mutability === 'readOnly') assert.equal(made.body?.[a.name], undefined, a.name);
        else assert.deepEqual(made.body?.[a.name], body[a.name], a.name);
      }
      assert.deepEqual(made.body?.[ENTERPRISE], body[ENTERPRISE]);
      assert.equal((await client.request('DELETE', `/Users/${String(made.body?.id)}`)).status, 204);
    });

    it('filters with every operator and complex filters, in the database', async () => {
      const count = async (filter: string) => (await client.request('GET', q(filter))).body?.totalResults;
      assert.equal(await count('userName eq "USER03@example.com"'), 1);
      assert.equal(await count('userName ne "user03@example.com"'), 24);
      assert.equal(await count('userName co "ER1"'), 10);
      assert.equal(await count('userName sw "user2"'), 5);
      assert.equal(await count('userName ew "4@example.com"'), 3);
      assert.equal(await count('title pr'), 17);
      assert.equal(await count('userName gt "user20@example.com"'), 4);
      assert.equal(await count('userName ge "user20@example.com"'), 5);
      assert.equal(await count('userName lt "user01@example.com"'), 1);
      assert.equal(await count('userName le "user01@example.com"'), 2);
      assert.equal(await count('externalId eq "ext-01"'), 0, 'externalId is case-exact');
      assert.equal(await count('active eq false'), 5);
      assert.equal(await count('emails[type eq "home" and value ew "home.example"]'), 13);
      assert.equal(await count('emails.type eq "home"'), 13);
      assert.equal(await count('not (emails.type eq "home")'), 12);
      assert.equal(await count('(title eq "Engineer" or title eq "Manager") and urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "sales"'), 7);
      assert.equal(await count('department eq "R&D" and not (active eq true)'), 3);
      assert.equal(await count('meta.created gt "2000-01-01T00:00:00Z" and meta.lastModified le "2999-01-01T00:00:00+01:00"'), 25);
      assert.equal(await count('title eq null'), 8);
      const groups = await client.request('GET', `/Groups?filter=${encodeURIComponent(`members[value eq "${ids[1]}"]`)}`);
      assert.equal(groups.body?.totalResults, 1);
      // A User shows the groups it belongs to (read-only), and filters reach them.
      const group = (groups.body?.Resources as { id: string; displayName: string }[])[0]!;
      const member = await client.request('GET', `/Users/${ids[1]!}`);
      assert.deepEqual(member.body?.groups, [{ value: group.id, display: group.displayName, type: 'direct' }]);
      const members = (await client.request('GET', `/Groups/${group.id}`)).body?.members as unknown[];
      assert.ok(members.length > 0);
      assert.equal(await count(`groups.value eq "${group.id}"`), members.length);
      assert.equal(await count(`groups[display eq "${group.displayName}"] and userName eq "${String(member.body?.userName)}"`), 1);
    });

    it('pages in a stable order, sorts, and projects attributes; POST .search agrees with GET', async () => {
      const seen: string[] = [];
      for (let start = 1; start <= 25; start += 10) {
        const page = await client.request('GET', `/Users?startIndex=${start}&count=10`);
        assert.deepEqual([page.body?.totalResults, page.body?.startIndex], [25, start]);
        seen.push(...(page.body?.Resources as { id: string }[]).map((r) => r.id));
      }
      assert.deepEqual(seen, [...ids].sort(), 'every user once, in id order');
      const empty = await client.request('GET', '/Users?startIndex=100&count=10');
      assert.deepEqual([empty.body?.totalResults, empty.body?.itemsPerPage], [25, 0]);
      const zero = await client.request('GET', '/Users?count=0');
      assert.deepEqual([zero.body?.totalResults, zero.body?.Resources], [25, []]);
      const sorted = await client.request('GET', '/Users?sortBy=name.familyName&sortOrder=descending&count=3&attributes=name.familyName');
      assert.deepEqual((sorted.body?.Resources as Record<string, unknown>[]).map((r) => Object.keys(r).sort()), [['id', 'name', 'schemas'], ['id', 'name', 'schemas'], ['id', 'name', 'schemas']]);
      assert.deepEqual((sorted.body?.Resources as { name: { familyName: string } }[]).map((r) => r.name.familyName), ['Family9', 'Family8', 'Family7']);
      const byEmail = await client.request('GET', '/Users?sortBy=emails&count=2&excludedAttributes=emails,name,urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber');
      const first = (byEmail.body?.Resources as Record<string, unknown>[])[0]!;
      assert.equal(first.userName, 'user00@example.com');
      assert.deepEqual([first.emails, first.name, first[ENTERPRISE]], [undefined, undefined, { department: 'Sales' }]);
      const search = await client.request('POST', '/Users/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: 'title eq "Manager"', sortBy: 'userName', startIndex: 2, count: 3, attributes: ['userName'] });
      const get = await client.request('GET', `${q('title eq "Manager"')}&sortBy=userName&startIndex=2&count=3&attributes=userName`);
      assert.equal(search.status, 200);
      assert.deepEqual(search.body, get.body);
      // The root search spans Users then Groups with one paging; a filter only Users understand finds no Group.
      const request = (body: Record<string, unknown>) => client.request('POST', '/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], ...body });
      const groupCount = (await client.request('GET', '/Groups?count=0')).body?.totalResults as number;
      assert.ok(groupCount > 0);
      const everything = await request({ count: 1000 });
      assert.equal(everything.status, 200);
      assert.equal(everything.body?.totalResults, 25 + groupCount);
      const kinds = (everything.body?.Resources as { meta: { resourceType: string } }[]).map((r) => r.meta.resourceType);
      assert.deepEqual(kinds, [...Array<string>(25).fill('User'), ...Array<string>(groupCount).fill('Group')]);
      const straddling = await request({ startIndex: 24, count: 3 });
      assert.deepEqual((straddling.body?.Resources as { meta: { resourceType: string } }[]).map((r) => r.meta.resourceType), ['User', 'User', 'Group']);
      assert.equal(straddling.body?.startIndex, 24);
      const managers = await request({ filter: 'title eq "Manager"', count: 100 });
      assert.equal(managers.body?.totalResults, get.body?.totalResults);
      const bad = await request({ filter: 'title eq' });
      assert.equal(bad.status, 400);
      assert.equal(bad.body?.scimType, 'invalidFilter');
    });

    it('keeps weak ETags: If-None-Match is 304, a stale If-Match is 412 and changes nothing', async () => {
      const got = await client.request('GET', `/Users/${ids[2]}`);
      const etag = got.headers.get('etag') ?? '';
      assert.match(etag, /^W\/"\d+"$/);
      assert.equal((got.body?.meta as { version: string }).version, etag);
      assert.equal((await client.request('GET', `/Users/${ids[2]}`, undefined, { 'if-none-match': etag })).status, 304);
      const ok = await client.request('PATCH', `/Users/${ids[2]}`, patchOf({ op: 'replace', path: 'title', value: 'Lead' }), { 'if-match': etag });
      assert.equal(ok.status, 200);
      assert.notEqual(ok.headers.get('etag'), etag);
      const before = await state(db);
      const stale = await client.request('PATCH', `/Users/${ids[2]}`, patchOf({ op: 'replace', path: 'title', value: 'Boss' }), { 'if-match': etag });
      assert.equal(stale.status, 412);
      assert.equal((await client.request('DELETE', `/Users/${ids[2]}`, undefined, { 'if-match': etag })).status, 412);
      assert.equal(await state(db), before);
    });

    it('answers bad input of every kind with a 4xx SCIM error and changes nothing', async () => {
      const before = await state(db);
      const user = ids[3]!;
      const cases: [string, () => Promise<{ status: number; body: Record<string, unknown> | undefined }>, number, string?][] = [
        ['malformed JSON', () => client.raw('POST', '/Users', '{"schemas": ['), 400, 'invalidSyntax'],
        ['not an object', () => client.raw('POST', '/Users', '[1,2]'), 400, 'invalidSyntax'],
        ['no schemas', () => client.request('POST', '/Users', { userName: 'x@y.z' }), 400, 'invalidSyntax'],
        ['no userName', () => client.request('POST', '/Users', { schemas: [USER] }), 400, 'invalidValue'],
        ['unknown attribute', () => client.request('POST', '/Users', { schemas: [USER], userName: 'x@y.z', shoeSize: 42 }), 400, 'invalidSyntax'],
        ['unknown extension', () => client.request('POST', '/Users', { schemas: [USER], userName: 'x@y.z', 'urn:acme:ext:1.0:User': { a: 1 } }), 400, 'invalidSyntax'],
        ['wrong type', () => client.request('POST', '/Users', { schemas: [USER], userName: 'x@y.z', active: 'maybe' }), 400, 'invalidValue'],
        ['wrong type (number as name)', () => client.request('POST', '/Users', { schemas: [USER], userName: 'x@y.z', displayName: 7 }), 400, 'invalidValue'],
        ['duplicate userName', () => client.request('POST', '/Users', { schemas: [USER], userName: 'USER04@example.com' }), 409, 'uniqueness'],
        ['huge body', () => client.raw('POST', '/Users', JSON.stringify({ schemas: [USER], userName: 'x@y.z', displayName: 'x'.repeat(2 * 1024 * 1024) })), 413],
        ['deep JSON', () => client.raw('POST', '/Users', `${'['.repeat(100000)}${']'.repeat(100000)}`), 400, 'invalidSyntax'],
        ['deep filter', () => client.request('GET', q(`${'('.repeat(5000)}userName eq "a"${')'.repeat(5000)}`)), 400, 'invalidFilter'],
        ['bad filter', () => client.request('GET', q('userName eq')), 400, 'invalidFilter'],
        ['unknown filter attribute', () => client.request('GET', q('shoeSize gt 3')), 400, 'invalidFilter'],
        ['bad count', () => client.request('GET', '/Users?count=ten'), 400, 'invalidValue'],
        ['bad sortBy', () => client.request('GET', '/Users?sortBy=shoeSize'), 400, 'invalidValue'],
        ['bad attributes', () => client.request('GET', '/Users?attributes=shoeSize'), 400, 'invalidValue'],
        ['unknown id', () => client.request('PATCH', '/Users/nobody', patchOf({ op: 'replace', path: 'title', value: 'x' })), 404],
        ['PATCH without Operations', () => client.request('PATCH', `/Users/${user}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'] }), 400, 'invalidSyntax'],
        ['PATCH bad op', () => client.request('PATCH', `/Users/${user}`, patchOf({ op: 'merge', path: 'title', value: 'x' })), 400, 'invalidSyntax'],
        ['PATCH bad path', () => client.request('PATCH', `/Users/${user}`, patchOf({ op: 'replace', path: 'emails[type eq', value: 'x' })), 400, 'invalidPath'],
        ['PATCH unknown attribute', () => client.request('PATCH', `/Users/${user}`, patchOf({ op: 'add', path: 'shoeSize', value: 3 })), 400, 'invalidSyntax'],
        ['PATCH read-only id', () => client.request('PATCH', `/Users/${user}`, patchOf({ op: 'replace', path: 'id', value: 'mine' })), 400, 'mutability'],
        ['PATCH wrong type', () => client.request('PATCH', `/Users/${user}`, patchOf({ op: 'replace', path: 'active', value: 'perhaps' })), 400, 'invalidValue'],
        // Atomic: the first operation is valid, the second fails, neither is applied.
        ['PATCH half good', () => client.request('PATCH', `/Users/${user}`, patchOf({ op: 'replace', path: 'title', value: 'Changed' }, { op: 'remove', path: 'emails[type eq "fax"].value' }, { op: 'replace', path: 'active', value: 42 })), 400],
        ['PATCH userName taken', () => client.request('PATCH', `/Users/${user}`, patchOf({ op: 'replace', path: 'userName', value: 'user05@example.com' })), 409, 'uniqueness'],
        ['group member removal naming nobody', () => client.request('PATCH', `/Groups/${groupId}`, patchOf({ op: 'remove', path: 'members' })), 400, 'noTarget'],
        ['group member unknown', () => client.request('PATCH', `/Groups/${groupId}`, patchOf({ op: 'add', path: 'members', value: [{ value: 'ghost' }] })), 400, 'invalidValue'],
        ['group without displayName', () => client.request('POST', '/Groups', { schemas: [GROUP], members: [] }), 400, 'invalidValue'],
        ['duplicate group name', () => client.request('POST', '/Groups', { schemas: [GROUP], displayName: 'admins' }), 409, 'uniqueness'],
        ['search without its schema', () => client.request('POST', '/Users/.search', { filter: 'userName pr' }), 400, 'invalidSyntax'],
        ['bulk', () => client.request('POST', '/Bulk', {}), 501],
        ['no such endpoint', () => client.request('GET', '/Widgets'), 404],
      ];
      for (const [name, run, status, scimType] of cases) {
        const answer = await run();
        assert.equal(answer.status, status, `${name}: ${JSON.stringify(answer.body)?.slice(0, 300)}`);
        assert.deepEqual(answer.body?.schemas, ['urn:ietf:params:scim:api:messages:2.0:Error'], name);
        assert.equal(answer.body?.status, String(status), name);
        if (scimType) assert.equal(answer.body?.scimType, scimType, name);
      }
      assert.equal(await state(db), before, 'nothing changed');
      const group = await client.request('GET', `/Groups/${groupId}`);
      assert.equal((group.body?.members as unknown[]).length, 2, 'the group was not emptied');
    });
  });
}
