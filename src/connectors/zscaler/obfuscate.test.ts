import { it } from 'node:test';
import assert from 'node:assert/strict';
import { obfuscateApiKey } from './obfuscate.ts';

it('obfuscates the API key as the vendor documents (three vectors)', () => {
  assert.equal(obfuscateApiKey('abcdefghijkl', 1700000123456), 'bcdefgcidjek');
  assert.equal(obfuscateApiKey('0123456789ab', 1700000123456), '12345628394a');
  assert.equal(obfuscateApiKey('AbCdEfGhIjKl', 1712345678901), 'GhIjAbfflGhC');
  assert.equal(obfuscateApiKey('AbCdEfGhIjKl', '1712345678901'), 'GhIjAbfflGhC', 'a timestamp sent as a string gives the same answer');
});

it('refuses a key that is not 12 characters, rather than sending a login that cannot work', () => {
  assert.throws(() => obfuscateApiKey('short', 1700000123456), /12 characters/);
});
