// Property-based fuzz of the filter parser, filter → SQL and the PATCH engine, through the server:
// no input, however malformed, gets a 5xx or a partial change; the SQL a filter becomes selects
// exactly the users the in-memory matcher selects. A seeded generator (fast-check is not among
// the dependencies); a failure prints its seed and input so it can be replayed.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { matchesFilter, parseFilter } from '../scim/filter.ts';
import { applyPatch } from '../scim/patch.ts';
import { userResourceType } from '../scim/resource-schemas.ts';
import { checkResource } from '../scim/validate.ts';
import type { Database } from '../store/database.ts';
import { allUserDocs } from '../store/directory.ts';
import { databaseKinds, openTestDatabase } from '../store/testing.ts';
import { ENTERPRISE, patchOf, scimTestClient, USER, type TestClient } from './testing.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20261203);

/** mulberry32: a small seeded PRNG. */
function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(list: readonly T[]): T => list[int(list.length)] as T;
  return { next, int, pick };
}
type Rng = ReturnType<typeof random>;

const stringPaths = ['userName', 'displayName', 'title', 'externalId', 'name.givenName', 'name.familyName', 'emails.value', 'emails.type', 'department', `${ENTERPRISE}:employeeNumber`, 'manager.value', 'meta.resourceType', 'nickName'];
const words = ['a', 'A', 'an', 'ann', 'Ann', 'ANN@EXAMPLE.COM', 'ann@example.com', 'bob', 'example', '.com', 'work', 'home', 'Sales', 'sales', 'R&D', '', 'x"y', 'back\\slash', 'Engineer', '0042', '7', 'User', 'Ext-1', 'ext-1', '2026-01-01T00:00:00Z', '2999-01-01T00:00:00+01:00'];
const operators = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'];

function literal(r: Rng, op: string): string {
  const kind = r.int(10);
  if (kind === 0 && (op === 'eq' || op === 'ne')) return r.pick(['true', 'false', 'null']);
  if (kind === 1 && !['co', 'sw', 'ew'].includes(op)) return String(r.int(100));
  return JSON.stringify(r.pick(words));
}

function filter(r: Rng, depth: number): string {
  const kind = depth >= 3 ? r.int(2) : r.int(7);
  switch (kind) {
    case 0: {
      const op = r.pick(operators);
      return `${r.pick(stringPaths)} ${op} ${literal(r, op)}`;
    }
    case 1:
      return r.int(3) === 0 ? `active eq ${r.pick(['true', 'false', '"True"'])}` : `${r.pick([...stringPaths, 'emails', 'name', 'manager', 'active'])} pr`;
    case 2:
      return `${filter(r, depth + 1)} and ${filter(r, depth + 1)}`;
    case 3:
      return `${filter(r, depth + 1)} or ${filter(r, depth + 1)}`;
    case 4:
      return `not (${filter(r, depth + 1)})`;
    case 5: {
      const op = r.pick(operators);
      const inner = `${r.pick(['type', 'value', 'display'])} ${op} ${literal(r, op)}${r.int(2) ? ` and primary eq ${r.pick(['true', 'false'])}` : ''}`;
      return r.int(2) ? `emails[${inner}]` : `emails[${inner}].value ${op} ${literal(r, op)}`;
    }
    default:
      return `(${filter(r, depth + 1)})`;
  }
}

const noise = ['(', ')', '[', ']', '"', '\\', ' ', 'eq', ' and ', ' or ', 'not', 'pr', '.', ':', '1e999', '-', "'", 'urn:x:', '\u0000', '\u{1F600}'];

function mangle(r: Rng, text: string): string {
  let out = text;
  for (let i = 0, n = 1 + r.int(3); i < n; i++) {
    const at = r.int(out.length + 1);
    switch (r.int(4)) {
      case 0: out = out.slice(0, at) + out.slice(at + 1); break;
      case 1: out = out.slice(0, at) + r.pick(noise) + out.slice(at); break;
      case 2: out = out.slice(0, at); break;
      default: out = out + out.slice(at, at + 5);
    }
  }
  return out;
}

const patchPaths = ['title', 'active', 'displayName', 'name.givenName', 'name', 'emails', 'emails[type eq "work"].value', 'emails[type eq "home"]', 'emails[value co "x"].primary', 'manager', `${ENTERPRISE}:department`, `${ENTERPRISE}`, 'department', 'userName', 'phoneNumbers', 'roles', 'id', 'meta.version', 'groups', 'shoeSize', 'emails[', 'name.', 'urn:bad', ''];

function value(r: Rng, depth = 0): unknown {
  switch (depth > 2 ? r.int(5) : r.int(9)) {
    case 0: return r.pick(words);
    case 1: return r.pick([true, false, 'True', 'False']);
    case 2: return null;
    case 3: return r.int(1000) - 500;
    case 4: return `${r.pick(words)}${r.int(100)}`;
    case 5: return Array.from({ length: r.int(3) }, () => value(r, depth + 1));
    case 6: return { value: r.pick(words), type: r.pick(['work', 'home']), primary: r.pick([true, false]) };
    case 7: return { [r.pick(['givenName', 'familyName', 'name.givenName', 'active', 'title', `${ENTERPRISE}:employeeNumber`, 'bogus'])]: value(r, depth + 1) };
    default: return [{ value: r.pick(words), type: 'work' }];
  }
}

function patchBody(r: Rng): unknown {
  if (r.int(20) === 0) return r.pick([null, [], 'x', { schemas: [] }, { Operations: [] }]);
  const ops = Array.from({ length: 1 + r.int(3) }, () => {
    const op: Record<string, unknown> = { op: r.pick(['add', 'replace', 'remove', 'Add', 'Replace', 'Remove', 'merge']) };
    if (r.int(6) !== 0) op.path = r.pick(patchPaths);
    if (r.int(5) !== 0) op.value = value(r);
    return op;
  });
  return patchOf(...ops);
}

for (const kind of databaseKinds) {
  describe(`fuzz: filters and PATCH through the server (${kind})`, () => {
    let db: Database;
    let client: TestClient;
    const ids: string[] = [];

    before(async () => {
      db = await openTestDatabase(kind);
      client = await scimTestClient(db, { tokenName: 'fuzz' });
      const r = random(SEED);
      const names = ['ann', 'Ann.B', 'bob', 'carol', 'dave', 'Eve', 'frank', 'x"y', 'back\\slash', 'R&D'];
      for (const [i, name] of names.entries()) {
        const made = await client.request('POST', '/Users', {
          schemas: [USER, ENTERPRISE],
          userName: `${name}@example.com`,
          ...(r.int(2) ? { externalId: r.pick(['Ext-1', 'ext-1', '7', '0042']) } : {}),
          ...(r.int(3) ? { displayName: r.pick(words) } : {}),
          ...(r.int(2) ? { title: r.pick(['Engineer', 'engineer', '', 'Sales']) } : {}),
          ...(r.int(2) ? { nickName: r.pick(['2026-01-01T00:00:00Z', '2026-01-01T01:00:00+01:00', '7', 'true']) } : {}),
          active: r.int(4) !== 0,
          name: { givenName: r.pick(words) || 'G', ...(r.int(2) ? { familyName: r.pick(words) || 'F' } : {}) },
          emails: Array.from({ length: r.int(3) }, (_, j) => ({ value: `${name}${j}@${r.pick(['example.com', 'home.example'])}`, type: r.pick(['work', 'home']), ...(j === 0 ? { primary: true } : {}) })),
          [ENTERPRISE]: { department: r.pick(['Sales', 'sales', 'R&D']), ...(i > 0 && r.int(2) ? { manager: { value: ids[0] } } : {}), ...(r.int(2) ? { employeeNumber: String(i) } : {}) },
        });
        assert.equal(made.status, 201, JSON.stringify(made.body));
        ids.push(String(made.body?.id));
      }
    });
    after(() => db.close());

    it('filter → SQL selects exactly what in-memory matching selects', async () => {
      const r = random(SEED + 1);
      const docs = await allUserDocs(db);
      for (let i = 0; i < 120; i++) {
        const text = filter(r, 0);
        const answer = await client.request('GET', `/Users?count=1000&attributes=userName&filter=${encodeURIComponent(text)}`);
        assert.equal(answer.status, 200, `seed ${SEED} #${i}: ${text}: ${JSON.stringify(answer.body)}`);
        const sql = (answer.body?.Resources as { id: string }[]).map((d) => d.id).sort();
        const parsed = parseFilter(text);
        const memory = docs.filter((d) => matchesFilter(d, parsed)).map((d) => String(d.id)).sort();
        assert.deepEqual(sql, memory, `seed ${SEED} #${i}: ${text}`);
      }
    });

    it('no filter, however malformed, gets anything but 200 or a 400 invalidFilter', async () => {
      const r = random(SEED + 2);
      for (let i = 0; i < 150; i++) {
        const text = mangle(r, filter(r, 0));
        const answer = await client.request('GET', `/Users?count=5&filter=${encodeURIComponent(text)}`);
        assert.ok(answer.status === 200 || (answer.status === 400 && answer.body?.scimType === 'invalidFilter'), `seed ${SEED} #${i}: ${JSON.stringify(text)} → ${answer.status} ${JSON.stringify(answer.body)}`);
      }
    });

    it('no PATCH gets a 5xx or a partial change: a refused one changes nothing, an accepted one is applied whole', async () => {
      const r = random(SEED + 3);
      for (let i = 0; i < 150; i++) {
        const id = r.pick(ids);
        const before = (await client.request('GET', `/Users/${id}`)).body as Record<string, unknown>;
        const body = patchBody(r);
        const answer = await client.request('PATCH', `/Users/${id}`, body);
        const where = `seed ${SEED} #${i}: ${JSON.stringify(body)} → ${answer.status} ${JSON.stringify(answer.body)}`;
        assert.ok(answer.status < 500, where);
        const afterwards = (await client.request('GET', `/Users/${id}`)).body as Record<string, unknown>;
        if (answer.status >= 400) {
          assert.deepEqual(afterwards, before, `refused, yet changed: ${where}`);
          continue;
        }
        assert.equal(answer.status, 200, where);
        const expected = checkResource(userResourceType, applyPatch(before, body, { readOnly: ['id', 'meta', 'groups'] }), { requireSchemas: false });
        const { id: _id, meta: _meta, ...stored } = afterwards;
        assert.deepEqual(stored, expected, `not applied whole: ${where}`);
      }
    });
  });
}
