import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RemoteAccount } from '../../core/account.ts';
import { findIssues } from '../../core/findings.ts';
import { linkAccounts } from '../../core/links.ts';
import type { Person } from '../../core/person.ts';
import { defaultPolicy } from '../../core/policy.ts';
import { completeSyncRun, ensureApp, insertAccounts, startSyncRun } from '../../store/accounts.ts';
import type { Database } from '../../store/database.ts';
import { replaceLinks } from '../../store/links.ts';
import { upsertPeople } from '../../store/people.ts';
import { databaseKinds, openTestDatabase } from '../../store/testing.ts';
import { cellsFor, matrixPage, stateCounts, type AssignRules } from './matrix.ts';

/** 60 people and one app's accounts with every kind of mess, each chosen by the person's number. */
function tenant(): { people: Person[]; accounts: RemoteAccount[] } {
  const people: Person[] = [];
  const accounts: RemoteAccount[] = [];
  for (let i = 0; i < 60; i += 1) {
    const userName = `user${String(i).padStart(2, '0')}@example.com`;
    const person: Person = { id: `p${i}`, userName, displayName: `User ${i}`, email: userName, emails: [userName], active: i % 7 !== 3, department: i % 2 ? 'Sales' : 'Finance', title: 'Clerk', groups: i % 5 === 0 ? ['Contractors'] : [] };
    people.push(person);
    if (i % 6 === 5) continue; // no account
    accounts.push({
      remoteId: `r${i}`,
      userName: i % 11 === 4 ? userName.toUpperCase() : userName,
      email: i % 13 === 2 ? `USER${i}@EXAMPLE.COM` : userName,
      displayName: i % 4 === 1 ? `User ${i} (old)` : `User ${i}`,
      active: i % 9 !== 7,
      department: i % 10 === 8 ? 'Legal' : undefined,
      title: i % 8 === 6 ? 'Boss' : 'Clerk',
      groups: [],
      ...(i % 12 === 10 ? { pending: 'invitation sent' } : {}),
      raw: {},
    });
  }
  accounts.push({ remoteId: 'ghost', userName: 'ghost@example.com', active: true, groups: [], raw: {} });
  return { people, accounts };
}

for (const kind of databaseKinds) {
  describe(`people × apps states in SQL (${kind})`, () => {
    let db: Database;
    const { people, accounts } = tenant();
    const assign: AssignRules = { crm: { ...defaultPolicy.assign, everyone: false, groups: ['Contractors'], departments: ['Sales'] } };

    before(async () => {
      db = await openTestDatabase(kind);
      await upsertPeople(db, people, 'test');
      await ensureApp(db, { name: 'crm', type: 'scim', baseUrl: 'http://127.0.0.1:1' });
      const syncId = await startSyncRun(db, 'crm');
      await insertAccounts(db, syncId, 'crm', accounts);
      await completeSyncRun(db, syncId, 'crm', { accountsRead: accounts.length, listRequests: 1 });
      await replaceLinks(db, 'crm', linkAccounts('crm', people, accounts, []).links);
    });
    after(() => db.close());

    it('agrees with the findings the CLI reports, person by person', async () => {
      const links = linkAccounts('crm', people, accounts, []).links;
      const findings = findIssues('crm', people, accounts, links);
      const cells = await cellsFor(db, assign, people.map((p) => p.id), ['crm']);
      const state = (id: string) => cells.get(`crm\u0000${id}`)?.state;
      const ids = (list: readonly { id: string }[]) => list.map((p) => p.id).sort();
      const assigned = (p: Person) => p.active && (p.department === 'Sales' || p.groups.includes('Contractors'));
      assert.deepEqual(ids(people.filter((p) => state(p.id) === 'missing')), ids(findings.missing.filter(assigned)), 'missing: active, assigned by policy, no account');
      assert.deepEqual(ids(people.filter((p) => state(p.id) === 'leaver')), ids(findings.leaversActive.map((l) => l.person)));
      assert.deepEqual(ids(people.filter((p) => state(p.id) === 'drift')), ids(findings.drift.filter((d) => !findings.pending.some((x) => x.person.id === d.person.id)).map((d) => d.person)));
      assert.deepEqual(ids(people.filter((p) => state(p.id) === 'pending')), ids(findings.pending.map((x) => x.person)));
      const counts = (await stateCounts(db, assign)).find((c) => c.app === 'crm')?.counts;
      assert.equal(counts?.orphan, findings.orphans.length);
      assert.ok((counts?.drift ?? 0) > 0 && (counts?.leaver ?? 0) > 0 && (counts?.missing ?? 0) > 0 && (counts?.pending ?? 0) > 0 && (counts?.deactivated ?? 0) > 0, JSON.stringify(counts));
    });

    it('filters by problem and search and pages without losing or repeating anyone', async () => {
      const drift = await matrixPage(db, assign, { problem: 'drift', limit: 500 });
      assert.ok(drift.people.length > 0 && drift.people.every((p) => p.cells.some((c) => c.state === 'drift')));
      const found = await matrixPage(db, assign, { search: 'USER1', limit: 500 });
      assert.deepEqual(found.people.map((p) => p.userName), people.filter((p) => p.userName.startsWith('user1')).map((p) => p.userName));
      const literal = await matrixPage(db, assign, { search: 'user_%', limit: 500 });
      assert.equal(literal.people.length, 0, '_ and % are letters in a search, not patterns');
      const seen: string[] = [];
      let after: string | undefined;
      for (;;) {
        const page = await matrixPage(db, assign, { limit: 9, after });
        seen.push(...page.people.map((p) => p.id));
        if (!page.nextCursor) break;
        after = page.nextCursor;
      }
      assert.deepEqual([...seen].sort(), people.map((p) => p.id).sort());
    });
  });
}
