import { it } from 'node:test';
import assert from 'node:assert/strict';
import { decodePeopleText } from './import.ts';

const utf16le = (text: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
const utf16be = (text: string) => Buffer.from(utf16le(text).swap16());

it('reads UTF-8 with or without a byte-order mark, and UTF-16 marked as such', () => {
  const text = 'userName,displayName\nzoe@acme.example,Zoë Łukasiewicz-Müller 日本\n';
  assert.equal(decodePeopleText(Buffer.from(text), 'p.csv'), text);
  assert.equal(decodePeopleText(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]), 'p.csv'), text);
  assert.equal(decodePeopleText(utf16le(text), 'p.csv'), text);
  assert.equal(decodePeopleText(utf16be(text), 'p.csv'), text);
});

it('refuses Latin-1 text, naming the line and the byte', () => {
  const latin1 = Buffer.from('userName,displayName\nzoe@acme.example,Zoë Smith\nrene@acme.example,René\n', 'latin1');
  assert.throws(() => decodePeopleText(latin1, 'p.csv'), /^RosterError: p\.csv is not UTF-8: line 2 has the byte 0xEB \(Latin-1 or Windows-1252 text\?\); save it as UTF-8/);
});

it('finds the bad byte after valid UTF-8 on the same line', () => {
  const mixed = Buffer.concat([Buffer.from('a\nZoë,'), Buffer.from([0xe9]), Buffer.from('\n')]);
  assert.throws(() => decodePeopleText(mixed, 'p.csv'), /line 2 has the byte 0xE9/);
});

it('refuses UTF-16 without a byte-order mark, and UTF-32', () => {
  assert.throws(() => decodePeopleText(Buffer.from('userName\nzoe@acme.example\n', 'utf16le'), 'p.csv'), /p\.csv holds NUL bytes: it is UTF-16 without a byte-order mark/);
  assert.throws(() => decodePeopleText(Buffer.from([0xff, 0xfe, 0, 0, 0x61, 0, 0, 0]), 'p.csv'), /p\.csv is UTF-32 text/);
  assert.throws(() => decodePeopleText(Buffer.from([0xff, 0xfe, 0x00, 0xd8, 0x61, 0x00]), 'p.csv'), /starts as UTF-16 but is not valid UTF-16/);
});
