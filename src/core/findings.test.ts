import { it } from 'node:test';
import assert from 'node:assert/strict';
import type { RemoteAccount } from './account.ts';
import { findIssues } from './findings.ts';
import { linkAccounts } from './links.ts';
import type { Person } from './person.ts';

const person = (id: string, extra: Partial<Person> = {}): Person => ({ id, userName: `${id}@acme.com`, email: `${id}@acme.com`, emails: [`${id}@acme.com`], active: true, groups: [], department: 'Sales', ...extra });
const account = (remoteId: string, email: string, extra: Partial<RemoteAccount> = {}): RemoteAccount => ({ remoteId, email, active: true, groups: [], raw: {}, department: 'Sales', ...extra });

it('finds orphans, missing people, leavers still active and drift', () => {
  const people = [person('jane'), person('bob', { active: false }), person('ann', { title: 'CFO' }), person('new')];
  const accounts = [
    account('1', 'jane@acme.com', { department: 'Finance' }),
    account('2', 'bob@acme.com'),
    account('3', 'ann@acme.com'),
    account('4', 'old-test@acme.com'),
  ];
  const { links, unlinked } = linkAccounts('zia', people, accounts, []);
  const findings = findIssues('zia', people, accounts, links, new Map(unlinked.map((u) => [u.account.remoteId, u.reason])));
  assert.equal(findings.accounts, 4);
  assert.equal(findings.linked, 3);
  assert.deepEqual(findings.orphans.map((o) => o.account.remoteId), ['4']);
  assert.deepEqual(findings.missing.map((p) => p.id), ['new']);
  assert.deepEqual(findings.leaversActive.map((l) => l.person.id), ['bob']);
  assert.deepEqual(findings.drift.map((d) => [d.person.id, d.fields]), [['jane', [{ field: 'department', expected: 'Sales', actual: 'Finance' }]]]);
});

it('does not call a field drifted when the app does not report it, and sees a disabled joiner', () => {
  const people = [person('ann', { title: 'CFO' })];
  const accounts = [account('3', 'ANN@acme.com', { active: false, department: undefined })];
  const { links } = linkAccounts('zia', people, accounts, []);
  const findings = findIssues('zia', people, accounts, links);
  assert.deepEqual(findings.drift[0]?.fields, [{ field: 'active', expected: 'true', actual: 'false' }]);
});

it('an account waiting for its invitation is pending, not drift; a leaver\'s pending account still counts as active', () => {
  const people = [person('ann'), person('bob', { active: false })];
  const accounts = [account('3', 'ann@acme.com', { active: false, pending: 'invited by email; the invitation is not yet accepted' }), account('4', 'bob@acme.com', { active: false, pending: 'invited' })];
  const { links } = linkAccounts('umbrella', people, accounts, []);
  const findings = findIssues('umbrella', people, accounts, links);
  assert.deepEqual(findings.drift, []);
  assert.deepEqual(findings.pending.map((p) => [p.person.id, p.account.pending]), [['ann', 'invited by email; the invitation is not yet accepted']]);
  assert.deepEqual(findings.leaversActive.map((l) => l.person.id), ['bob']);
});
