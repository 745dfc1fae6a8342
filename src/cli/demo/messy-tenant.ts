import type { Person } from '../../core/person.ts';
import { SCIM } from '../../scim/schemas.ts';

export interface MessyTenant {
  /** SCIM User resources to seed into the simulated app. */
  users: Record<string, unknown>[];
  /** What roster should find, so the demo (and its test) can check itself. */
  planted: { orphans: number; missing: number; leaversActive: number; drifted: number };
}

const orphanAccounts = [
  { userName: 'svc-backup@acme.example', displayName: 'Backup service account', department: 'IT' },
  { userName: 'old.contractor@partner.example', displayName: 'Old Contractor', department: 'Engineering' },
  { userName: 'test.user@acme.example', displayName: 'Test User', department: 'IT' },
];

/**
 * An app tenant as real ones look after a few years without roster: most people have accounts,
 * some under a different userName (only the email matches); new joiners have none; leavers are
 * still active; a few attributes were edited in the app; and some accounts belong to nobody.
 */
export function messyTenant(people: readonly Person[], options: { offset?: number; orphans?: readonly { userName: string; displayName: string; department: string }[] } = {}): MessyTenant {
  const users: Record<string, unknown>[] = [];
  const orphans = options.orphans ?? orphanAccounts;
  const offset = options.offset ?? 0;
  const planted = { orphans: orphans.length, missing: 0, leaversActive: 0, drifted: 0 };
  const departments = [...new Set(people.map((p) => p.department).filter((d): d is string => !!d))];
  people.forEach((person, position) => {
    // Another app's mess falls on other people.
    const index = position + offset;
    if (person.active && index % 50 === 7) {
      planted.missing += 1;
      return;
    }
    let department = person.department;
    let title = person.title;
    let active = true;
    if (person.active && index % 37 === 5) {
      department = departments.find((d) => d !== person.department);
      planted.drifted += 1;
    } else if (person.active && index % 61 === 11) {
      title = `${person.title ?? 'Staff'} (acting)`;
      planted.drifted += 1;
    } else if (person.active && index === 97) {
      active = false;
      planted.drifted += 1;
    }
    if (!person.active) planted.leaversActive += 1;
    const local = (person.email ?? person.userName).split('@')[0] ?? person.userName;
    users.push(
      scimUser({
        userName: index % 40 === 3 ? local : person.userName,
        email: person.email ?? person.userName,
        givenName: person.givenName,
        familyName: person.familyName,
        displayName: person.displayName,
        department,
        title,
        active,
      }),
    );
  });
  for (const orphan of orphans) users.push(scimUser({ ...orphan, email: orphan.userName, active: true }));
  return { users, planted };
}

function scimUser(u: { userName: string; email: string; givenName?: string | undefined; familyName?: string | undefined; displayName?: string | undefined; department?: string | undefined; title?: string | undefined; active: boolean }): Record<string, unknown> {
  return {
    schemas: [SCIM.user, SCIM.enterpriseUser],
    userName: u.userName,
    ...(u.displayName ? { displayName: u.displayName } : {}),
    ...(u.givenName || u.familyName ? { name: { givenName: u.givenName, familyName: u.familyName } } : {}),
    emails: [{ value: u.email, type: 'work', primary: true }],
    ...(u.title ? { title: u.title } : {}),
    active: u.active,
    ...(u.department ? { [SCIM.enterpriseUser]: { department: u.department } } : {}),
  };
}
