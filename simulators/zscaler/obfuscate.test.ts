import { test } from 'node:test';
import assert from 'node:assert/strict';
import { obfuscateApiKey } from './obfuscate.ts';

test('matches the three vendor vectors', () => {
  assert.equal(obfuscateApiKey('abcdefghijkl', 1700000123456), 'bcdefgcidjek');
  assert.equal(obfuscateApiKey('0123456789ab', 1700000123456), '12345628394a');
  assert.equal(obfuscateApiKey('AbCdEfGhIjKl', 1712345678901), 'GhIjAbfflGhC');
});

test('accepts the timestamp as a string, as some clients send it', () => {
  assert.equal(obfuscateApiKey('abcdefghijkl', '1700000123456'), 'bcdefgcidjek');
});

test('pads low to six digits when high is small', () => {
  // high = 000010, low = 5 → "000005": key[0]x4, key[1], key[0], then key[2]x5, key[7]
  assert.equal(obfuscateApiKey('abcdefghijkl', 1700000000010), 'aaaabaccccch');
});

test('rejects a short key and a non-numeric timestamp', () => {
  assert.throws(() => obfuscateApiKey('short', 1700000123456), RangeError);
  assert.throws(() => obfuscateApiKey('abcdefghijkl', 'yesterday'), RangeError);
});
