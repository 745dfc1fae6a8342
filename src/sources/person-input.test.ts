import { it } from 'node:test';
import assert from 'node:assert/strict';
import { parsePeopleRecords } from './person-input.ts';

it('reads CSV-shaped records: strings for flags and lists, primary email from userName', () => {
  const { people, problems } = parsePeopleRecords([
    { userName: 'jane@acme.com', givenName: 'Jane', familyName: 'Doe', active: 'no', groups: 'sales; vpn-users', department: ' Sales ' },
    { userName: 'bob', email: 'bob@acme.com', emails: 'robert@acme.com', externalId: 'E1', active: 'yes' },
  ]);
  assert.deepEqual(problems, []);
  assert.equal(people[0]?.displayName, 'Jane Doe');
  assert.equal(people[0]?.active, false);
  assert.deepEqual(people[0]?.groups, ['sales', 'vpn-users']);
  assert.equal(people[0]?.department, 'Sales');
  assert.equal(people[0]?.email, 'jane@acme.com');
  assert.equal(people[1]?.id, 'E1');
  assert.deepEqual(people[1]?.emails, ['bob@acme.com', 'robert@acme.com']);
  assert.equal(people[1]?.active, true);
});

it('leaves active unsaid when the record has no active field, a blank one or null', () => {
  const { people, problems } = parsePeopleRecords([{ userName: 'a@x.com' }, { userName: 'b@x.com', active: '' }, { userName: 'c@x.com', active: '  ' }, { userName: 'd@x.com', active: null }]);
  assert.deepEqual(problems, []);
  assert.deepEqual(
    people.map((p) => p.active),
    [undefined, undefined, undefined, undefined],
  );
});

it('reports every bad row with its number', () => {
  const { problems } = parsePeopleRecords(
    [{ userName: 'a@x.com' }, { userName: '' }, { userName: 'b@x.com', email: 'nope', active: 'maybe' }, { userName: 'A@x.com' }],
    2,
  );
  assert.deepEqual(problems, [
    'row 3 userName: userName is required',
    'row 4 email: not an email address',
    'row 4 active: active must be true or false, not "maybe"',
    'row 5: userName A@x.com already given in row 2',
  ]);
});

it('refuses one id given to two rows, however the id was made', () => {
  const { people, rows, problems } = parsePeopleRecords(
    [
      { id: 'E1', userName: 'a@x.com' },
      { userName: 'b@x.com', externalId: 'E1' },
      { userName: 'c@x.com' },
      { id: 'c@x.com', userName: 'other@x.com' },
    ],
    2,
  );
  assert.deepEqual(problems, ['row 3: id E1 already given in row 2', 'row 5: id c@x.com already given in row 4']);
  assert.deepEqual(rows, [2, 4]);
  assert.deepEqual(
    people.map((p) => p.id),
    ['E1', 'c@x.com'],
  );
});

it('refuses absurd field sizes, naming the limit and never echoing the value', () => {
  const huge = 'x'.repeat(2_000_000);
  const { people, problems } = parsePeopleRecords(
    [
      { userName: 'a@x.com', displayName: huge },
      { userName: huge },
      { userName: 'b@x.com', groups: Array.from({ length: 1_001 }, (_, i) => `g${i}`).join(';') },
      { userName: 'c@x.com', groups: ['ok', huge] },
      { userName: 'd@x.com', active: huge },
      { userName: 'e@x.com', displayName: 'y'.repeat(1_024) },
    ],
    2,
  );
  assert.deepEqual(problems, [
    'row 2 displayName: 2,000,000 characters, more than the 1,024 allowed',
    'row 3 userName: 2,000,000 characters, more than the 1,024 allowed',
    'row 4 groups: 1,001 entries, more than the 1,000 allowed',
    'row 5 groups: an entry of 2,000,000 characters, more than the 1,024 allowed',
    'row 6 active: active must be true or false, not "xxxxxxxxxxxxxxxxxxxx…"',
  ]);
  assert.deepEqual(
    people.map((p) => p.userName),
    ['e@x.com'],
    'a field of exactly the limit is fine',
  );
});
