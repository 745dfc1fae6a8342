import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Change } from './plan.ts';
import { recheckChange } from './recheck.ts';

const change = (over: Partial<Change>): Change => ({ id: 'zia/delete/p1', app: 'zia', kind: 'delete', personId: 'p1', subject: 'jane', remoteId: '7', reason: 'left', risk: 'high', approval: [], requests: [], ...over });

describe('recheckChange: a planned change runs only while a fresh plan would still make it', () => {
  it('holds when a fresh plan makes the same change', () => {
    assert.deepEqual(recheckChange(change({}), [change({ reason: 'other words', approval: ['x'] })]), { holds: true });
  });

  it('a leaver rehired since: the delete no longer holds, and the reason says what a fresh plan does', () => {
    const result = recheckChange(change({}), [change({ id: 'zia/activate/p1', kind: 'activate' })]);
    assert.equal(result.holds, false);
    assert.match(!result.holds ? result.reason : '', /jane.*fresh plan would activate instead/);
  });

  it('nothing left to do for the person: it no longer holds', () => {
    const result = recheckChange(change({}), []);
    assert.equal(result.holds, false);
    assert.match(!result.holds ? result.reason : '', /makes no such change/);
  });

  it('an update planned with a value the IdP no longer wants does not hold; extra new drift does not matter', () => {
    const planned = change({ id: 'zia/update/p1', kind: 'update', attributes: { department: 'Sales' } });
    assert.equal(recheckChange(planned, [change({ id: 'zia/update/p1', kind: 'update', attributes: { department: 'Sales', title: 'VP' } })]).holds, true);
    const moved = recheckChange(planned, [change({ id: 'zia/update/p1', kind: 'update', attributes: { department: 'Finance' } })]);
    assert.equal(moved.holds, false);
    assert.match(!moved.holds ? moved.reason : '', /department="Sales".*department is now wanted as "Finance"/);
  });
});
