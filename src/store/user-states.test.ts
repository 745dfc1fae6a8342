import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { UserStateCache } from './user-states.ts';

const state = (version: number, title = 'Engineer') => ({ doc: { title }, version, pushed: { title } });

describe('remembered people', () => {
  it('keeps the newest version it was given, whatever order reads and writes come back in', () => {
    const cache = new UserStateCache();
    cache.remember('a', state(3, 'Lead'));
    cache.remember('a', state(2, 'Engineer'));
    assert.deepEqual(cache.get('a'), state(3, 'Lead'));
    cache.remember('a', state(4, 'Head'));
    assert.equal(cache.get('a')?.version, 4);
  });

  it('holds at most its limit, forgetting the person remembered longest ago', () => {
    const cache = new UserStateCache(2);
    cache.remember('a', state(1));
    cache.remember('b', state(1));
    cache.remember('a', state(2));
    cache.remember('c', state(1));
    assert.equal(cache.size, 2);
    assert.equal(cache.get('b'), undefined);
    assert.equal(cache.get('a')?.version, 2);
    cache.forget('a');
    assert.equal(cache.get('a'), undefined);
  });
});
