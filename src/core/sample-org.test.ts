import { it } from 'node:test';
import assert from 'node:assert/strict';
import { generateOrganisation } from './sample-org.ts';

it('generates a realistic organisation, the same for the same seed', () => {
  const people = generateOrganisation({ size: 500, seed: 7 });
  assert.equal(people.length, 500);
  assert.deepEqual(generateOrganisation({ size: 500, seed: 7 }), people);
  assert.notDeepEqual(generateOrganisation({ size: 500, seed: 8 }), people);
  const userNames = new Set(people.map((p) => p.userName.toLowerCase()));
  assert.equal(userNames.size, 500, 'userNames are unique');
  const ids = new Set(people.map((p) => p.id));
  for (const p of people.slice(1)) assert.ok(p.managerId && ids.has(p.managerId), `${p.userName} has a manager in the org`);
  const leavers = people.filter((p) => !p.active).length;
  assert.ok(leavers > 0 && leavers < 50, `some leavers (${leavers})`);
  assert.ok(new Set(people.map((p) => p.department)).size >= 8, 'many departments');
  assert.match(people[3]?.email ?? '', /^[a-z]+\.[a-z]+\d*@acme\.example$/, 'accents folded out of email addresses');
});
