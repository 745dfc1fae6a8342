import { it } from 'node:test';
import assert from 'node:assert/strict';
import { parsePeopleRecords } from './person-input.ts';

it('reads CSV-shaped records: strings for flags and lists, primary email from userName', () => {
  const { people, problems } = parsePeopleRecords([
    { userName: 'jane@acme.com', givenName: 'Jane', familyName: 'Doe', active: 'no', groups: 'sales; vpn-users', department: ' Sales ' },
    { userName: 'bob', email: 'bob@acme.com', emails: 'robert@acme.com', externalId: 'E1', active: '' },
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
