import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { inSlices, readByKey } from './keyset.ts';
import { databaseKinds, openTestDatabase } from './testing.ts';

for (const kind of databaseKinds) {
  describe(`reading by key (${kind})`, () => {
    it('reads every row once, in key order, a page at a time, whether the last page is full or not', async () => {
      const db = await openTestDatabase(kind);
      try {
        await db.exec("create table keyset_probe (k text primary key, v int); insert into keyset_probe select 'k' || lpad(g::text, 3, '0'), g from generate_series(1, 10) g");
        const sql = 'select k, v from keyset_probe where v > $3 and ($1::text is null or k > $1) order by k limit $2';
        for (const pageRows of [1, 3, 5, 10, 11]) {
          const seen: number[] = [];
          const spy = { query: <T>(text: string, params?: readonly unknown[]) => (seen.push(1), db.query<T>(text, params)), exec: (text: string) => db.exec(text) };
          const rows = await readByKey<{ k: string; v: number }>(spy, sql, [2], 'k', pageRows);
          assert.deepEqual(rows.map((r) => r.v), [3, 4, 5, 6, 7, 8, 9, 10], `pages of ${pageRows}`);
          assert.equal(seen.length, Math.floor(8 / pageRows) + 1, `queries for pages of ${pageRows}`);
        }
      } finally {
        await db.close();
      }
    });
  });
}

describe('writing in slices', () => {
  it('hands every item to the writer once, in order, no slice larger than asked', async () => {
    const slices: number[][] = [];
    await inSlices([1, 2, 3, 4, 5, 6, 7], async (slice) => void slices.push([...slice]), 3);
    assert.deepEqual(slices, [[1, 2, 3], [4, 5, 6], [7]]);
    await inSlices([], async () => assert.fail('no write for nothing'), 3);
  });
});
