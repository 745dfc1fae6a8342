// Property-based fuzz (fast-check) of the filter parser, filter → SQL and the PATCH engine, through
// the server: no input, however malformed, gets a 5xx or a partial change; the SQL a filter becomes
// selects exactly the users the in-memory matcher selects; a malformed filter is a 400 invalidFilter.
//
// Replaying a failure: fast-check prints `{ seed: S, path: "P", endOnFailure: true }` and the shrunk
// counterexample. Every property runs from the same seed, so
//   FUZZ_SEED=S node --test src/server/fuzz.test.ts
// reruns the same inputs; add FUZZ_PATH=P (with --test-name-pattern naming the failed test, since a
// path belongs to one property) to go straight to the shrunk counterexample. FUZZ_RUNS=10 runs ten
// times as many inputs. The PATCH property works on shared users, so a counterexample there prints
// the user it was applied to.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { matchesFilter, parseFilter } from '../scim/filter.ts';
import { applyPatch } from '../scim/patch.ts';
import { userResourceType } from '../scim/resource-schemas.ts';
import { checkResource } from '../scim/validate.ts';
import type { Database } from '../store/database.ts';
import { allUserDocs } from '../store/directory.ts';
import { databaseKinds, openTestDatabase } from '../store/testing.ts';
import { ENTERPRISE, patchOf, scimTestClient, USER, type TestClient } from './testing.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20261203);
const PATH = process.env.FUZZ_PATH;
const SCALE = Number(process.env.FUZZ_RUNS ?? 1);
const settings = (numRuns: number): fc.Parameters<unknown> => ({ seed: SEED, numRuns: Math.ceil(numRuns * SCALE), ...(PATH ? { path: PATH, endOnFailure: true } : {}) });

const stringPaths = ['userName', 'displayName', 'title', 'externalId', 'name.givenName', 'name.familyName', 'emails.value', 'emails.type', 'department', `${ENTERPRISE}:employeeNumber`, 'manager.value', 'meta.resourceType', 'nickName'];
const words = ['a', 'A', 'an', 'ann', 'Ann', 'ANN@EXAMPLE.COM', 'ann@example.com', 'bob', 'example', '.com', 'work', 'home', 'Sales', 'sales', 'R&D', '', 'x"y', 'back\\slash', 'Engineer', '0042', '7', 'User', 'Ext-1', 'ext-1', '2026-01-01T00:00:00Z', '2999-01-01T00:00:00+01:00', 'Ärzte', 'ÄRZTE', 'straße', 'STRASSE', 'İ', 'i', 'ǅ', '\u{1F600}', '\uFF21'];
const operators = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'] as const;
type Operator = (typeof operators)[number];

/** A keyword or attribute name as a client may spell it: SCIM names and operators are case-insensitive. */
const spelled = (text: string) => fc.constantFrom(text, text, text, text.toUpperCase(), text.charAt(0).toUpperCase() + text.slice(1));
const keyword = (text: string) => spelled(text);
const attribute = (paths: readonly string[]) => fc.constantFrom(...paths).chain(spelled);

const word = fc.constantFrom(...words);
const text = fc.oneof({ weight: 5, arbitrary: word }, fc.string({ maxLength: 6 }), fc.string({ unit: 'grapheme', maxLength: 4 }), fc.string({ unit: 'binary', maxLength: 3 }), fc.string({ unit: fc.constantFrom('a', 'İ', 'ß', '\n', '"', '\\', '\u{1F600}'), maxLength: 4 }))
  .filter((s) => !s.includes('\u0000') && s.isWellFormed()); // refused (see malformedFilter)
const jsonNumber = fc.oneof(fc.nat(100), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })).map((n) => JSON.stringify(n));

/** A literal the operator accepts. */
function literal(op: Operator): fc.Arbitrary<string> {
  const choices: fc.Arbitrary<string>[] = [text.map((s) => JSON.stringify(s))];
  if (op === 'eq' || op === 'ne') choices.push(fc.constantFrom('true', 'false', 'null', 'True', 'NULL'));
  if (!['co', 'sw', 'ew'].includes(op)) choices.push(jsonNumber);
  return fc.oneof(...choices);
}
const comparison = (paths: readonly string[]) =>
  fc.tuple(attribute(paths), fc.constantFrom(...operators)).chain(([path, op]) => fc.tuple(keyword(op), literal(op)).map(([o, l]) => `${path} ${o} ${l}`));

/** Well-formed filters over attributes a User has. */
const { filter } = fc.letrec<{ filter: string; leaf: string; and: string; or: string; not: string; group: string }>((tie) => ({
  filter: fc.oneof({ maxDepth: 3, depthIdentifier: 'filter' }, tie('leaf'), tie('and'), tie('or'), tie('not'), tie('group')),
  leaf: fc.oneof(
    { weight: 3, arbitrary: comparison(stringPaths) },
    fc.constantFrom('true', 'false', '"True"').map((v) => `active eq ${v}`),
    attribute([...stringPaths, 'emails', 'name', 'manager', 'active']).map((path) => `${path} pr`),
    fc.tuple(comparison(['type', 'value', 'display']), fc.option(fc.constantFrom('true', 'false').map((v) => `primary eq ${v}`)), fc.option(comparison(['value', 'type'])))
      .map(([inner, primary, sub]) => `emails[${inner}${primary === null ? '' : ` and ${primary}`}]${sub === null ? '' : `.${sub}`}`),
  ),
  and: fc.tuple(tie('filter'), keyword('and'), tie('filter')).map(([a, k, b]) => `${a} ${k} ${b}`),
  or: fc.tuple(tie('filter'), keyword('or'), tie('filter')).map(([a, k, b]) => `${a} ${k} ${b}`),
  not: fc.tuple(keyword('not'), tie('filter')).map(([k, f]) => `${k} (${f})`),
  group: tie('filter').map((f) => `(${f})`),
}));

/** Pieces no filter may contain: each is refused wherever it stands in brackets. */
const brokenPiece = fc.oneof(
  fc.constantFrom(
    'userName zz "a"', 'userName eq', 'userName', 'userName eq \'a\'', 'userName co 7', 'userName gt true', 'userName sw null', 'userName eq 01', 'userName eq 1e',
    'not userName pr', 'emails[]', 'emails[type eq "work"].', 'emails[emails[type pr]]', 'userName[value pr]', 'name.givenName[value pr]', 'a.b.c pr', 'name. pr',
    'shoeSize eq "x"', 'emails.shoeSize pr', 'emails[shoeSize pr]', 'urn:bad pr', 'urn:x:User: pr', 'pr', 'eq "a"', '"a" eq userName', '[type pr]', '()', 'userName pr userName pr',
    `${'('.repeat(40)}userName pr${')'.repeat(40)}`, `userName eq "${'x'.repeat(9000)}"`, 'userName eq "\\x"', 'userName eq "a\tb"', 'userName eq #', 'userName eq "a" & title pr', 'userName eq "a\\u0000"', 'title co "\\u0000"', 'title gt "\\ud800"',
  ),
  fc.tuple(attribute(stringPaths), fc.stringMatching(/^[a-z]{1,3}$/).filter((op) => !['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'pr', 'and', 'or', 'not'].includes(op)), word)
    .map(([path, op, w]) => `${path} ${op} ${JSON.stringify(w)}`),
);
/** What may not end a filter. */
const brokenTail = fc.constantFrom('and', 'or', 'not', ')', ']', '"open', 'emails[type eq "work"', 'and (userName pr', 'or emails[type pr', 'userName eq "a\\"');

/** Filters sure to be malformed. */
const malformedFilter = fc.oneof(
  brokenPiece,
  fc.tuple(filter, keyword('and'), brokenPiece).map(([f, k, b]) => `${f} ${k} (${b})`),
  fc.tuple(brokenPiece, keyword('or'), filter).map(([b, k, f]) => `(${b}) ${k} ${f}`),
  fc.tuple(keyword('not'), brokenPiece).map(([k, b]) => `${k} (${b})`),
  fc.tuple(filter, brokenTail).map(([f, t]) => `${f} ${t}`),
);

/** Filters damaged at random: characters dropped, inserted, cut or repeated; some still parse. */
const noise = ['(', ')', '[', ']', '"', '\\', ' ', 'eq', ' and ', ' or ', 'not', 'pr', '.', ':', '1e999', '-', "'", 'urn:x:', '\u0000', '\u{1F600}'];
const mutation = fc.record({
  kind: fc.constantFrom('drop', 'insert', 'cut', 'repeat'),
  at: fc.double({ min: 0, max: 1, noNaN: true }),
  text: fc.oneof(fc.constantFrom(...noise), fc.string({ unit: 'binary', maxLength: 3 })),
});
const damagedFilter = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(filter, fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([f, mutations]) => mutations.reduce(damage, f)) },
  fc.string({ unit: 'binary', maxLength: 30 }),
  malformedFilter,
);
function damage(out: string, m: { kind: string; at: number; text: string }): string {
  const at = Math.min(out.length, Math.floor(m.at * (out.length + 1)));
  switch (m.kind) {
    case 'drop': return out.slice(0, at) + out.slice(at + 1);
    case 'insert': return out.slice(0, at) + m.text + out.slice(at);
    case 'cut': return out.slice(0, at);
    default: return out + out.slice(at, at + 5);
  }
}

/** PATCH values: scalars, emails, arrays and objects, nested, of right and wrong types. */
const { value } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { maxDepth: 3, depthIdentifier: 'value' },
    word,
    fc.constantFrom(true, false, 'True', 'False', null),
    fc.integer({ min: -500, max: 500 }),
    fc.tuple(word, fc.nat(99)).map(([w, n]) => `${w}${n}`),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.record({ value: word, type: fc.constantFrom('work', 'home'), primary: fc.boolean() }, { requiredKeys: ['value'] }),
    fc.dictionary(fc.constantFrom('givenName', 'familyName', 'name.givenName', 'active', 'title', `${ENTERPRISE}:employeeNumber`, 'value', 'bogus'), tie('value'), { minKeys: 1, maxKeys: 2 }),
    word.map((w) => [{ value: w, type: 'work' }]),
    fc.string({ unit: 'grapheme', maxLength: 5 }),
    fc.string({ unit: fc.constantFrom('a', 'İ', '\u0000', '\n', '\ud800', '\u{1F600}'), maxLength: 4 }),
  ),
}));

const patchPaths = ['title', 'active', 'displayName', 'name.givenName', 'name', 'emails', 'emails[type eq "work"].value', 'emails[type eq "home"]', 'emails[value co "x"].primary', 'manager', `${ENTERPRISE}:department`, `${ENTERPRISE}`, 'department', 'userName', 'phoneNumbers', 'roles', 'id', 'meta.version', 'groups', 'shoeSize', 'emails[', 'name.', 'urn:bad', ''];
const patchPath = fc.oneof(
  { weight: 4, arbitrary: attribute(patchPaths) },
  fc.tuple(comparison(['type', 'value', 'primary']), fc.constantFrom('', '.value', '.primary', '.type', '.bogus')).map(([inner, sub]) => `emails[${inner}]${sub}`),
  damagedFilter,
);
const operation = fc.record(
  { op: fc.oneof(fc.constantFrom('add', 'replace', 'remove').chain(spelled), fc.constantFrom('merge', '', 'delete')), path: patchPath, value },
  { requiredKeys: ['op'] },
);
const patchBody = fc.oneof(
  { weight: 19, arbitrary: fc.array(operation, { minLength: 1, maxLength: 3 }).map((ops) => patchOf(...ops)) },
  fc.constantFrom(null, [], 'x', { schemas: [] }, { Operations: [] }),
  fc.jsonValue({ maxDepth: 2 }),
);

/** The users every property runs over, the same for a seed. */
const names = ['ann', 'Ann.B', 'bob', 'carol', 'dave', 'Eve', 'frank', 'x"y', 'back\\slash', 'R&D', 'İpek'];
const person = (name: string) => fc.record({
  externalId: fc.option(fc.constantFrom('Ext-1', 'ext-1', '7', '0042'), { nil: undefined }),
  displayName: fc.option(word, { nil: undefined }),
  title: fc.option(fc.constantFrom('Engineer', 'engineer', '', 'Sales'), { nil: undefined }),
  nickName: fc.option(fc.constantFrom('2026-01-01T00:00:00Z', '2026-01-01T01:00:00+01:00', '7', 'true'), { nil: undefined }),
  active: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, fc.constant(false)),
  givenName: word.map((w) => w || 'G'),
  familyName: fc.option(word.map((w) => w || 'F'), { nil: undefined }),
  emails: fc.array(fc.record({ domain: fc.constantFrom('example.com', 'home.example'), type: fc.constantFrom('work', 'home') }), { maxLength: 2 })
    .map((list) => list.map(({ domain, type }, j) => ({ value: `${name}${j}@${domain}`, type, ...(j === 0 ? { primary: true } : {}) }))),
  department: fc.constantFrom('Sales', 'sales', 'R&D'),
  managed: fc.boolean(),
  employeeNumber: fc.boolean(),
});

for (const kind of databaseKinds) {
  describe(`fuzz: filters and PATCH through the server (${kind})`, () => {
    let db: Database;
    let client: TestClient;
    const ids: string[] = [];

    before(async () => {
      db = await openTestDatabase(kind);
      client = await scimTestClient(db, { tokenName: 'fuzz' });
      const [people] = fc.sample(fc.tuple(...names.map(person)), { seed: SEED, numRuns: 1 });
      for (const [i, p] of (people ?? []).entries()) {
        const name = names[i] ?? '';
        const made = await client.request('POST', '/Users', {
          schemas: [USER, ENTERPRISE],
          userName: `${name}@example.com`,
          externalId: p.externalId,
          displayName: p.displayName,
          title: p.title,
          nickName: p.nickName,
          active: p.active,
          name: { givenName: p.givenName, familyName: p.familyName },
          emails: p.emails,
          [ENTERPRISE]: { department: p.department, ...(i > 0 && p.managed ? { manager: { value: ids[0] } } : {}), ...(p.employeeNumber ? { employeeNumber: String(i) } : {}) },
        });
        assert.equal(made.status, 201, JSON.stringify(made.body));
        ids.push(String(made.body?.id));
      }
    });
    after(() => db.close());

    it('a filter finds exactly the users it names: filter → SQL selects what in-memory matching selects', async () => {
      const docs = await allUserDocs(db);
      await fc.assert(fc.asyncProperty(filter, async (text) => {
        const answer = await client.request('GET', `/Users?count=1000&attributes=userName&filter=${encodeURIComponent(text)}`);
        assert.equal(answer.status, 200, `${text}: ${JSON.stringify(answer.body)}`);
        const sql = (answer.body?.Resources as { id: string }[]).map((d) => d.id).sort();
        const parsed = parseFilter(text);
        const memory = docs.filter((d) => matchesFilter(d, parsed)).map((d) => String(d.id)).sort();
        assert.deepEqual(sql, memory, text);
      }), settings(120));
    });

    it('a malformed filter is refused with 400 invalidFilter, never a 5xx or a list', async () => {
      await fc.assert(fc.asyncProperty(malformedFilter, async (text) => {
        const answer = await client.request('GET', `/Users?count=5&filter=${encodeURIComponent(text)}`);
        assert.ok(answer.status === 400 && answer.body?.scimType === 'invalidFilter', `${JSON.stringify(text)} → ${answer.status} ${JSON.stringify(answer.body)}`);
      }), settings(80));
    });

    it('no filter, however damaged, gets anything but 200 or a 400 invalidFilter', async () => {
      // A lone surrogate cannot travel in UTF-8, so it goes as U+FFFD; bad percent-encoding goes raw.
      const badEscape = fc.option(fc.constantFrom('%', '%F', '%FF', '%E0%A4', '%ZZ', '%00', '%ED%B0%80', '%C0%AF'), { nil: '' });
      await fc.assert(fc.asyncProperty(damagedFilter, badEscape, async (text, raw) => {
        const query = encodeURIComponent(text.toWellFormed()) + raw;
        const answer = await client.request('GET', `/Users?count=5&filter=${query}`);
        assert.ok(answer.status === 200 || (answer.status === 400 && answer.body?.scimType === 'invalidFilter'), `filter=${query} → ${answer.status} ${JSON.stringify(answer.body)}`);
      }), settings(150));
    });

    it('no PATCH gets a 5xx or a partial change: a refused one changes nothing, an accepted one is applied whole', async () => {
      await fc.assert(fc.asyncProperty(fc.nat(names.length - 1), patchBody, async (who, body) => {
        const id = ids[who] ?? '';
        const before = (await client.request('GET', `/Users/${id}`)).body as Record<string, unknown>;
        const answer = await client.request('PATCH', `/Users/${id}`, body);
        const where = `${JSON.stringify(body)} → ${answer.status} ${JSON.stringify(answer.body)}\non ${JSON.stringify(before)}`;
        assert.ok(answer.status < 500, where);
        const afterwards = (await client.request('GET', `/Users/${id}`)).body as Record<string, unknown>;
        if (answer.status >= 400) {
          assert.deepEqual(afterwards, before, `refused, yet changed: ${where}`);
          return;
        }
        assert.equal(answer.status, 200, where);
        const expected = checkResource(userResourceType, applyPatch(before, body, { readOnly: ['id', 'meta', 'groups'] }), { requireSchemas: false });
        const { id: _id, meta: _meta, ...stored } = afterwards;
        assert.deepEqual(stored, expected, `not applied whole: ${where}`);
      }), settings(150));
    });
  });
}
