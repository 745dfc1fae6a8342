import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BadCursor, clip, decodeCursor, encodeCursor, maxPageSize, maxTextLength, pageOf } from './paging.ts';

describe('paging: every answer is one bounded page', () => {
  it('walks a list page by page with the cursor, never past the hard cap', () => {
    const all = Array.from({ length: 250 }, (_, i) => i);
    const seen: number[] = [];
    let cursor: string | undefined;
    do {
      const page = pageOf(all, { limit: 1000, cursor });
      assert.ok(page.items.length <= maxPageSize);
      seen.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    assert.deepEqual(seen, all);
  });

  it('refuses a cursor roster did not give out', () => {
    for (const bad of ['x', Buffer.from('{"p":-5}').toString('base64url'), Buffer.from('{"p":"1"}').toString('base64url')]) assert.throws(() => decodeCursor(bad), BadCursor);
    assert.equal(decodeCursor(encodeCursor(40)), 40);
  });

  it('cuts long text', () => {
    assert.equal(clip('a'.repeat(10_000))?.length, maxTextLength);
    assert.equal(clip('short'), 'short');
  });
});
