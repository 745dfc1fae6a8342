/** Someone in the source of truth (imported, or pushed by the IdP). */
export interface Person {
  id: string;
  externalId?: string | undefined;
  userName: string;
  displayName?: string | undefined;
  givenName?: string | undefined;
  familyName?: string | undefined;
  /** Primary work email. */
  email?: string | undefined;
  /** Every email the person has, primary first. */
  emails: string[];
  active: boolean;
  department?: string | undefined;
  title?: string | undefined;
  managerId?: string | undefined;
  groups: string[];
}

export function personLabel(person: Pick<Person, 'userName' | 'displayName'>): string {
  return person.displayName ? `${person.displayName} <${person.userName}>` : person.userName;
}
