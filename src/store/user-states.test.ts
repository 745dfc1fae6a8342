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

  it('finds a remembered person by userName, whatever its case, until they are renamed, forgotten or pushed out', () => {
    const named = (version: number, userName: string) => ({ doc: { id: 'a', userName }, version, pushed: { userName } });
    const cache = new UserStateCache(2);
    cache.remember('a', named(1, 'Ann@Example.com'));
    assert.equal(cache.byUserName('ann@example.COM')?.version, 1);
    cache.remember('a', named(2, 'ann.smith@example.com'));
    assert.equal(cache.byUserName('ann@example.com'), undefined, 'the old name no longer leads to them');
    assert.equal(cache.byUserName('ann.smith@example.com')?.version, 2);
    cache.remember('b', { doc: { id: 'b', userName: 'bob@example.com' }, version: 1, pushed: null });
    cache.remember('c', { doc: { id: 'c', userName: 'cy@example.com' }, version: 1, pushed: null });
    assert.equal(cache.byUserName('ann.smith@example.com'), undefined, 'pushed out by the limit');
    cache.forget('b');
    assert.equal(cache.byUserName('bob@example.com'), undefined);
    assert.equal(cache.byUserName('cy@example.com')?.doc.id, 'c');
  });
});
