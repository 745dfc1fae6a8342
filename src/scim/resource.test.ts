import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { cloneJson, deepEqual } from './resource.ts';

/** Every object and array reachable from value. */
function containers(value: unknown, into = new Set<object>()): Set<object> {
  if (typeof value === 'object' && value !== null) {
    into.add(value);
    for (const item of Object.values(value)) containers(item, into);
  }
  return into;
}

describe('cloneJson', () => {
  it('copies any JSON value whole, sharing no object or array with it', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const copy = cloneJson(value);
        assert.deepStrictEqual(copy, value);
        assert.ok(deepEqual(copy, value));
        const original = containers(value);
        for (const held of containers(copy)) assert.ok(!original.has(held), 'the copy shares a container with the original');
      }),
    );
  });

  it('a change to the copy leaves the original as it was', () => {
    const original = { name: { givenName: 'Ada' }, emails: [{ value: 'ada@example.com', primary: true }] };
    const copy = cloneJson(original);
    copy.name.givenName = 'Grace';
    copy.emails[0]!.primary = false;
    copy.emails.push({ value: 'grace@example.com', primary: true });
    assert.deepStrictEqual(original, { name: { givenName: 'Ada' }, emails: [{ value: 'ada@example.com', primary: true }] });
  });

  it('keeps a "__proto__" key of parsed JSON as a key, not as the copy\'s prototype', () => {
    const parsed = JSON.parse('{"__proto__": {"admin": true}, "userName": "x"}') as Record<string, unknown>;
    const copy = cloneJson(parsed);
    assert.equal(Object.getPrototypeOf(copy), Object.prototype);
    assert.equal((copy as { admin?: unknown }).admin, undefined);
    assert.deepStrictEqual(Object.keys(copy), ['__proto__', 'userName']);
    assert.deepStrictEqual(Object.getOwnPropertyDescriptor(copy, '__proto__')?.value, { admin: true });
  });
});
