import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { normaliseUsername, sameActor } from './usernames.ts';

describe('usernames', () => {
  it('folds case, surrounding space and fullwidth forms into one account name', () => {
    for (const spelling of ['alice', 'Alice', 'ALICE', ' alice ', 'alice\t', 'ＡＬＩＣＥ', 'ａｌｉｃｅ']) {
      assert.deepEqual(normaliseUsername(spelling), { ok: true, username: 'alice' }, spelling);
    }
    assert.deepEqual(normaliseUsername('Jane.Doe@Example.com'), { ok: true, username: 'jane.doe@example.com' });
  });

  it('refuses names that could pass for someone else', () => {
    for (const spelling of ['al ice', 'alice\u200b', '\u200balice', 'al\u00adice', 'alicе' /* Cyrillic е */, 'alıce', 'alice\u0000', 'a\nb', '', '   ', '.alice', '-alice', 'a'.repeat(65), 'ǅ']) {
      const result = normaliseUsername(spelling);
      assert.equal(result.ok, false, JSON.stringify(spelling));
    }
  });

  it('compares actors whatever their spelling', () => {
    assert.ok(sameActor('operator:alice', 'operator:Alice '));
    assert.ok(sameActor('operator:alice', 'operator:ＡＬＩＣＥ'));
    assert.ok(sameActor('operator:alice', 'operator:al\u200bice'));
    assert.ok(!sameActor('operator:alice', 'operator:bob'));
    assert.ok(!sameActor('operator:alice', 'token:alice'));
  });
});
