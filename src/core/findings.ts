import type { RemoteAccount } from './account.ts';
import type { Link } from './links.ts';
import type { Person } from './person.ts';

export interface FieldDrift {
  field: 'displayName' | 'email' | 'department' | 'title' | 'active';
  expected: string;
  actual: string;
}

export interface Drift {
  person: Person;
  account: RemoteAccount;
  fields: FieldDrift[];
}

/** What is wrong with one app, measured against the people. */
export interface AppFindings {
  appName: string;
  accounts: number;
  linked: number;
  /** Accounts no person owns. */
  orphans: { account: RemoteAccount; reason: string }[];
  /** Active people with no account in the app. */
  missing: Person[];
  /** People who left (inactive) whose account is still active. */
  leaversActive: { person: Person; account: RemoteAccount }[];
  /** Linked accounts whose attributes differ from the person's. */
  drift: Drift[];
  /** Active people whose account waits for them (an emailed invitation not yet accepted): a state, not drift. */
  pending: { person: Person; account: RemoteAccount }[];
}

export function findIssues(
  appName: string,
  people: readonly Person[],
  accounts: readonly RemoteAccount[],
  links: readonly Link[],
  unlinkedReasons: ReadonlyMap<string, string> = new Map(),
): AppFindings {
  const peopleById = new Map(people.map((p) => [p.id, p]));
  const linkByAccount = new Map(links.filter((l) => l.appName === appName).map((l) => [l.remoteId, l]));
  const linkedPeople = new Set<string>();
  const findings: AppFindings = { appName, accounts: accounts.length, linked: 0, orphans: [], missing: [], leaversActive: [], drift: [], pending: [] };

  for (const account of accounts) {
    const link = linkByAccount.get(account.remoteId);
    const person = link ? peopleById.get(link.personId) : undefined;
    if (!person) {
      findings.orphans.push({ account, reason: unlinkedReasons.get(account.remoteId) ?? 'no person matches' });
      continue;
    }
    findings.linked += 1;
    linkedPeople.add(person.id);
    // A leaver's pending invitation could still be accepted: it counts as still active.
    if (!person.active && (account.active || account.pending !== undefined)) {
      findings.leaversActive.push({ person, account });
      continue;
    }
    if (!person.active) continue;
    if (account.pending !== undefined) findings.pending.push({ person, account });
    const fields = driftedFields(person, account);
    if (fields.length > 0) findings.drift.push({ person, account, fields });
  }
  findings.missing = people.filter((p) => p.active && !linkedPeople.has(p.id));
  return findings;
}

/** Compares only what the app reports: an app that has no title field has no title drift. */
export function driftedFields(person: Person, account: RemoteAccount): FieldDrift[] {
  const fields: FieldDrift[] = [];
  const check = (field: FieldDrift['field'], expected: string | undefined, actual: string | undefined, caseless = false) => {
    if (actual === undefined || expected === undefined) return;
    const same = caseless ? expected.toLowerCase() === actual.toLowerCase() : expected === actual;
    if (!same) fields.push({ field, expected, actual });
  };
  check('displayName', person.displayName, account.displayName);
  check('email', person.email, account.email, true);
  check('department', person.department, account.department);
  check('title', person.title, account.title);
  if (person.active && !account.active && account.pending === undefined) fields.push({ field: 'active', expected: 'true', actual: 'false' });
  return fields;
}
