import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { policyVerdict } from './access.ts';
import type { Person } from './person.ts';
import { defaultPolicy } from './policy.ts';

const jane: Person = { id: 'p1', userName: 'jane', emails: [], active: true, groups: ['Sales-EMEA'], department: 'Sales' };

describe('policyVerdict: which rule gives a person an app', () => {
  it('names the rule that assigns, and that a leaver gets deactivated or deleted', () => {
    assert.match(policyVerdict(jane, defaultPolicy).rule, /assign.everyone/);
    const byGroup = { ...defaultPolicy, assign: { everyone: false, groups: ['Sales-EMEA'], departments: [] } };
    assert.deepEqual([policyVerdict(jane, byGroup).assigned, policyVerdict(jane, byGroup).rule], [true, 'assign.groups: the person is in IdP group Sales-EMEA']);
    const leaver = policyVerdict({ ...jane, active: false }, { ...defaultPolicy, leaver: 'delete' });
    assert.equal(leaver.assigned, false);
    assert.match(leaver.rule, /leaver.*deleted/);
  });

  it('says why someone is not assigned, listing what the policy gives accounts to', () => {
    const verdict = policyVerdict(jane, { ...defaultPolicy, assign: { everyone: false, groups: ['IT'], departments: ['Finance'] } });
    assert.equal(verdict.assigned, false);
    assert.match(verdict.rule, /group IT, department Finance/);
  });
});
