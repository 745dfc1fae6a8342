import type { RemoteAccount } from './account.ts';
import type { Person } from './person.ts';

export type LinkRule = 'externalId' | 'email' | 'userName' | 'manual' | 'created';

/** Links that rules never redo: made by hand, or made when roster created the account. */
const stickyRules: ReadonlySet<LinkRule> = new Set(['manual', 'created']);

/** Person ↔ account in one app, with the rule that made it and why, in words. */
export interface Link {
  appName: string;
  remoteId: string;
  personId: string;
  rule: LinkRule;
  reason: string;
}

/** What linking reads of an account: its id and the three keys it is matched by. */
export type LinkableAccount = Pick<RemoteAccount, 'remoteId' | 'externalId' | 'email' | 'userName'>;

/** What linking reads of a person. */
export type LinkablePerson = Pick<Person, 'id' | 'externalId' | 'email' | 'emails' | 'userName'>;

export interface Unlinked<A extends LinkableAccount = RemoteAccount> {
  account: A;
  reason: string;
}

export interface LinkResult<A extends LinkableAccount = RemoteAccount> {
  links: Link[];
  unlinked: Unlinked<A>[];
}

/**
 * Links one app's accounts to people. Manual links (and those made when roster created the
 * account) are kept while both ends exist; every other
 * account is matched by externalId, then email, then userName (case-insensitive). A person gets at
 * most one account per app: a second match is left unlinked and says so. Deterministic: the same
 * input always gives the same links.
 */
export function linkAccounts<A extends LinkableAccount>(appName: string, people: readonly LinkablePerson[], accounts: readonly A[], existing: readonly Link[]): LinkResult<A> {
  const peopleById = new Map(people.map((p) => [p.id, p]));
  const byExternalId = indexPeople(people, (p) => [p.externalId, p.id]);
  const byEmail = indexPeople(people, (p) => [p.email, ...p.emails]);
  const byUserName = indexPeople(people, (p) => [p.userName]);
  const linkedPeople = new Map<string, string>();
  const links: Link[] = [];
  const unlinked: Unlinked<A>[] = [];
  const accountIds = new Set(accounts.map((a) => a.remoteId));

  const manual = existing.filter((l) => l.appName === appName && stickyRules.has(l.rule) && accountIds.has(l.remoteId) && peopleById.has(l.personId));
  const manualByAccount = new Map(manual.map((l) => [l.remoteId, l]));
  for (const link of manual) {
    links.push(link);
    linkedPeople.set(link.personId, link.remoteId);
  }

  const sorted = [...accounts].sort((a, b) => compare(a.remoteId, b.remoteId));
  for (const account of sorted) {
    if (manualByAccount.has(account.remoteId)) continue;
    const match = matchAccount(account, byExternalId, byEmail, byUserName);
    if ('problem' in match) {
      unlinked.push({ account, reason: match.problem });
      continue;
    }
    const holder = linkedPeople.get(match.person.id);
    if (holder !== undefined) {
      unlinked.push({ account, reason: `duplicate: ${match.person.userName} is already linked to account ${holder}` });
      continue;
    }
    linkedPeople.set(match.person.id, account.remoteId);
    links.push({ appName, remoteId: account.remoteId, personId: match.person.id, rule: match.rule, reason: match.reason });
  }
  return { links, unlinked };
}

/** What turns an app's stored links into the freshly computed ones: links to drop (by account) and links to add. */
export interface LinkDiff {
  removed: string[];
  added: Link[];
}

/** The least writing that makes `before` into `after` (one app's links; a link is its account, person, rule and reason). */
export function diffLinks(before: readonly Link[], after: readonly Link[]): LinkDiff {
  const same = (a: Link, b: Link) => a.personId === b.personId && a.rule === b.rule && a.reason === b.reason;
  const was = new Map(before.map((l) => [l.remoteId, l]));
  const now = new Map(after.map((l) => [l.remoteId, l]));
  const removed = before.filter((l) => { const n = now.get(l.remoteId); return !n || !same(l, n); }).map((l) => l.remoteId);
  const added = after.filter((l) => { const b = was.get(l.remoteId); return !b || !same(l, b); });
  return { removed, added };
}

type Index = Map<string, LinkablePerson[]>;
type Match = { person: LinkablePerson; rule: LinkRule; reason: string } | { problem: string };

function matchAccount(account: LinkableAccount, byExternalId: Index, byEmail: Index, byUserName: Index): Match {
  const candidates: [LinkRule, string | undefined, Index][] = [
    ['externalId', account.externalId, byExternalId],
    ['email', account.email, byEmail],
    ['userName', account.userName, byUserName],
  ];
  for (const [rule, value, index] of candidates) {
    if (!value) continue;
    const found = index.get(value.toLowerCase());
    if (!found) continue;
    const [first, second] = found;
    if (second) return { problem: `ambiguous: ${rule} ${value} matches ${found.length} people (${found.map((p) => p.userName).join(', ')})` };
    if (first) return { person: first, rule, reason: `${rule} ${value} matches ${first.userName}` };
  }
  return { problem: 'no person matches its externalId, email or userName' };
}

function indexPeople(people: readonly LinkablePerson[], keys: (p: LinkablePerson) => (string | undefined)[]): Index {
  const index: Index = new Map();
  for (const person of people) {
    for (const key of new Set(keys(person).filter((k): k is string => !!k).map((k) => k.toLowerCase()))) {
      const list = index.get(key);
      if (list) list.push(person);
      else index.set(key, [person]);
    }
  }
  return index;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
