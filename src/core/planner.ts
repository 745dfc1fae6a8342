import type { RemoteAccount } from './account.ts';
import type { Link } from './links.ts';
import type { Capabilities } from './capabilities.ts';
import type { Change, ChangeAttributes, ChangeKind, HeldApp, PlanBody, RequestPreview } from './plan.ts';
import { desiredGroups, desiredRole, isAssigned, managedGroups, type AppPolicy, type ManagedAttribute } from './policy.ts';
import { personLabel, type Person } from './person.ts';

export interface AppPlanInput {
  /** The groups the app holds (read at its last sync), where groups must exist before roster adds people; undefined: not known. */
  appGroups?: readonly string[] | undefined;
  name: string;
  type: string;
  policy: AppPolicy;
  /** What the app can hold and do (its connector module's capabilities). */
  capabilities: Capabilities;
  /** The requests a change will make in this app (pure; secrets never included). */
  preview?: ((change: Change) => RequestPreview[]) | undefined;
  accounts: readonly RemoteAccount[];
  links: readonly Link[];
  /**
   * Set when `accounts` holds only some of the app's accounts (a plan narrowed to some people):
   * how many the app holds in all, and how many other plans switched off lately. The circuit
   * breaker reads these instead of counting `accounts`.
   */
  wholeApp?: { accounts: number; switchedOffLately: number; withinMinutes: number } | undefined;
}

export interface PlanInput {
  people: readonly Person[];
  apps: readonly AppPlanInput[];
  /** Narrow the plan to these people (userName or id); the circuit breaker still sees whole apps. */
  only?: { people?: readonly string[] | undefined };
}

const kindOrder: Record<ChangeKind, number> = { delete: 0, deactivate: 1, create: 2, activate: 3, update: 4, 'add-member': 5, 'remove-member': 6 };

/**
 * people + accounts + links + policy → the changes that take each app from what is to what should
 * be, each with its reason, its risk and what needs a second person. Pure and deterministic: the
 * same input always gives the same plan, in the same order.
 */
export function planChanges(input: PlanInput): PlanBody {
  const people = peopleInPlanOrder(input.people);
  const changes: Change[] = [];
  const held: HeldApp[] = [];
  for (const app of [...input.apps].sort((a, b) => compare(a.name, b.name))) {
    const planned = planAppChanges(app, people);
    for (const change of planned.changes) changes.push(change);
    held.push(...planned.held);
  }
  return { changes: narrowedTo(changes, people, input.only?.people), held };
}

/** The people in the order every plan takes them. */
export function peopleInPlanOrder(people: readonly Person[]): Person[] {
  return [...people].sort((a, b) => compare(a.userName.toLowerCase(), b.userName.toLowerCase()) || compare(a.id, b.id));
}

/**
 * One app's part of a plan: apps are planned independently, so a caller may plan them one at a
 * time (in name order) holding one app's accounts at once, and get the plan planChanges gives.
 * `people` in plan order (peopleInPlanOrder).
 */
export function planAppChanges(app: AppPlanInput, people: readonly Person[]): PlanBody {
  const held: HeldApp[] = [];
  const known = missingGroups(app, planApp(app, people));
  const { kept: appChanges, refused } = groupLimits(app, known.kept);
  held.push(...known.refused, ...refused);
  const breaker = circuitBreaker(app, appChanges);
  if (breaker) {
    held.push({ app: app.name, reason: breaker });
    for (const change of appChanges) change.approval.push(breaker);
  }
  const looked = new Set<string>();
  for (const change of appChanges) {
    if (change.approval.length > 0) change.risk = 'high';
    // A lookup made once per run shows at its first use only, as it goes on the wire.
    change.requests = (app.preview?.(change) ?? []).filter((r) => {
      if (!r.once) return true;
      const key = `${r.method} ${r.path}`;
      if (looked.has(key)) return false;
      looked.add(key);
      return true;
    });
  }
  return { changes: appChanges, held };
}

/** The changes of the people named (userName or id); all of them when none are named. */
export function narrowedTo(changes: Change[], people: readonly Person[], only: readonly string[] | undefined): Change[] {
  if (!only) return changes;
  const onlyPeople = new Set(only.map((p) => p.toLowerCase()));
  const personById = new Map(people.map((p) => [p.id, p]));
  return changes.filter((c) => {
    const person = c.personId ? personById.get(c.personId) : undefined;
    return person !== undefined && (onlyPeople.has(person.userName.toLowerCase()) || onlyPeople.has(person.id.toLowerCase()));
  });
}

function planApp(app: AppPlanInput, people: readonly Person[]): Change[] {
  const { policy, capabilities: can } = app;
  // Only what the policy manages and the app can hold: an app with no title field has no title drift.
  const managedAttributes = policy.manage.filter((a) => can.attributes.includes(a));
  // Sent on create, never compared after (the app cannot change them, or gives back its own).
  const comparedAttributes = managedAttributes.filter((a) => !(can.createOnly ?? []).includes(a));
  const accountById = new Map(app.accounts.map((a) => [a.remoteId, a]));
  const linkByPerson = new Map(app.links.filter((l) => accountById.has(l.remoteId)).map((l) => [l.personId, l]));
  const linkedAccounts = new Set([...linkByPerson.values()].map((l) => l.remoteId));
  const changes: Change[] = [];
  const add = (kind: ChangeKind, subject: string, fields: Omit<Change, 'id' | 'app' | 'kind' | 'subject' | 'risk' | 'approval' | 'requests'>, approval: string[] = []) => {
    const key = fields.personId ?? `remote:${fields.remoteId}`;
    changes.push({
      id: `${app.name}/${kind}/${key}${fields.group ? `/${fields.group}` : ''}`,
      app: app.name,
      kind,
      subject,
      ...fields,
      risk: kind === 'delete' || kind === 'deactivate' ? 'high' : 'low',
      approval,
      requests: [],
    });
  };

  for (const person of people) {
    const link = linkByPerson.get(person.id);
    const account = link ? accountById.get(link.remoteId) : undefined;
    const who = personLabel(person);
    const personApproval = policy.approval.people.some((p) => p.toLowerCase() === person.userName.toLowerCase()) ? [`changes to ${person.userName} need approval`] : [];
    if (isAssigned(person, policy)) {
      const role = can.roles ? desiredRole(person, policy) : undefined;
      const roleApproval = role && policy.approval.roles.includes(role) ? [`grants the ${role} role`] : [];
      const groups = can.groups ? desiredGroups(person, policy) : [];
      if (!account) {
        if (!can.createAccount) continue;
        const input = accountInputFor(person, managedAttributes, role);
        if (can.groupsOnCreate && groups.length > 0) input.groups = groups;
        add('create', who, { personId: person.id, attributes: input, reason: `${who} is assigned to ${app.name} and has no account` }, [...personApproval, ...roleApproval]);
        if (!can.groupsOnCreate) for (const group of groups) add('add-member', who, { personId: person.id, group, reason: `${who} is in an IdP group mapped to ${app.name} group ${group}` }, personApproval);
        continue;
      }
      const { attributes, drifts } = attributeChanges(app.name, person, account, comparedAttributes, role);
      const fixed = (can.fixedAfterCreate ?? []).filter((a) => attributes[a] !== undefined && account[a] !== undefined);
      if (fixed.length > 0 && can.createAccount && can.deleteAccount) {
        // The app cannot change it: a new account replaces the old one (memberships follow in the next plan, once it exists).
        const replace = `${fixed.join(' and ')} cannot be changed in ${app.name} after the account is made: replacing the account needs approval`;
        const why = `${drifts.filter((d) => fixed.some((a) => d.startsWith(`${a} `))).join('; ')}; ${fixed.join(' and ')} cannot be changed in ${app.name}`;
        add('delete', who, { personId: person.id, remoteId: account.remoteId, reason: `${why}, so this account is deleted and a new one created` }, [replace, ...undeletable(account), ...personApproval]);
        add('create', who, { personId: person.id, attributes: accountInputFor(person, managedAttributes, role), reason: `${why}, so a new account replaces ${account.remoteId}; its groups follow once it exists` }, [replace, ...personApproval, ...roleApproval]);
        continue;
      }
      // A pending account (an invitation not yet accepted) is not a disabled one; an app that cannot switch accounts off cannot switch them on.
      if (!account.active && account.pending === undefined && (can.deactivate || can.reactivate)) add('activate', who, { personId: person.id, remoteId: account.remoteId, reason: `${who} is active in the IdP but the ${app.name} account is disabled` }, personApproval);
      if (drifts.length > 0 && can.updateAccount) {
        add('update', who, { personId: person.id, remoteId: account.remoteId, attributes, reason: drifts.join('; ') }, [...personApproval, ...(attributes.role !== undefined ? roleApproval : [])]);
      }
      const managed = managedGroups(policy);
      for (const group of groups) {
        if (!account.groups.includes(group)) add('add-member', who, { personId: person.id, remoteId: account.remoteId, group, reason: `${who} is in an IdP group mapped to ${app.name} group ${group}` }, personApproval);
      }
      for (const group of account.groups) {
        if (managed.has(group) && !groups.includes(group)) add('remove-member', who, { personId: person.id, remoteId: account.remoteId, group, reason: `${who} is no longer in an IdP group mapped to ${app.name} group ${group}` }, personApproval);
      }
      continue;
    }
    if (!account) continue;
    const why = person.active ? `${who} is no longer assigned to ${app.name}` : `${who} left (inactive in the IdP)`;
    const wantDelete = !person.active && policy.leaver === 'delete' && can.deleteAccount;
    if (wantDelete) {
      add('delete', who, { personId: person.id, remoteId: account.remoteId, reason: `${why}; policy deletes leavers' accounts` }, [...(policy.approval.deletes ? ['deletes need approval'] : []), ...undeletable(account), ...personApproval]);
    } else if (account.active || account.pending !== undefined) {
      // A pending account is switched off (or deleted) too: its invitation could still be accepted.
      const instead = !person.active && policy.leaver === 'delete' ? `; policy deletes leavers' accounts but ${app.name} cannot delete, so it is deactivated` : '';
      if (can.deactivate) add('deactivate', who, { personId: person.id, remoteId: account.remoteId, reason: `${why} and the account is still active${instead}` }, personApproval);
      else if (can.deleteAccount) add('delete', who, { personId: person.id, remoteId: account.remoteId, reason: `${why}; ${app.type} cannot deactivate, so the account is deleted` }, [...(policy.approval.deletes ? ['deletes need approval'] : []), ...undeletable(account), ...personApproval]);
    }
  }

  if (policy.orphans === 'deactivate' && can.deactivate) {
    for (const account of [...app.accounts].sort((a, b) => compare(a.remoteId, b.remoteId))) {
      if (linkedAccounts.has(account.remoteId) || !account.active) continue;
      const label = account.userName ?? account.email ?? account.remoteId;
      add('deactivate', label, { remoteId: account.remoteId, reason: `${label} belongs to no person; policy deactivates orphans` }, ['orphan accounts are switched off only with approval']);
    }
  }
  return changes.sort((a, b) => kindOrder[a.kind] - kindOrder[b.kind] || compare(a.subject.toLowerCase(), b.subject.toLowerCase()) || compare(a.id, b.id));
}

/**
 * Groups the policy maps to that the app does not hold (roster creates no group): their
 * memberships are not planned, and the plan says which group is missing, instead of every one of
 * them failing at apply.
 */
function missingGroups(app: AppPlanInput, changes: Change[]): { kept: Change[]; refused: HeldApp[] } {
  if (!app.appGroups) return { kept: changes, refused: [] };
  const held = new Set(app.appGroups.map((g) => g.toLowerCase()));
  const missing = new Map<string, Change[]>();
  const kept = changes.filter((change) => {
    if (change.kind !== 'add-member' || !change.group || held.has(change.group.toLowerCase())) return true;
    missing.set(change.group, [...(missing.get(change.group) ?? []), change]);
    return false;
  });
  const refused = [...missing].map(([group, list]) => ({
    app: app.name,
    reason: `no group named ${group} in ${app.name}: ${list.length} membership${list.length === 1 ? '' : 's'} not planned; add the group in ${app.name} or change policy.groups`,
    changes: list.map((c) => c.id),
  }));
  return { kept, refused };
}

/**
 * The app's group limits (capabilities maxGroups, maxGroupsPerUser): a membership that would go past
 * one is not planned, so it never fails in an apply; the plan's held list says which and why. Counted
 * from what the app holds now: a removal in the same plan frees room only for the next plan.
 */
function groupLimits(app: AppPlanInput, changes: Change[]): { kept: Change[]; refused: HeldApp[] } {
  const { maxGroups, maxGroupsPerUser } = app.capabilities;
  if (maxGroups === undefined && maxGroupsPerUser === undefined) return { kept: changes, refused: [] };
  const groups = new Set(app.accounts.flatMap((a) => a.groups));
  const accountById = new Map(app.accounts.map((a) => [a.remoteId, a]));
  const memberships = new Map<string, number>();
  const overApp: Change[] = [];
  const overUser: Change[] = [];
  const kept = changes.filter((change) => {
    if (change.kind !== 'add-member' || change.group === undefined) return true;
    if (maxGroups !== undefined && !groups.has(change.group)) {
      if (groups.size >= maxGroups) {
        overApp.push(change);
        return false;
      }
    }
    if (maxGroupsPerUser !== undefined) {
      const key = change.personId ?? `remote:${change.remoteId}`;
      const count = memberships.get(key) ?? (change.remoteId ? (accountById.get(change.remoteId)?.groups.length ?? 0) : 0);
      if (count >= maxGroupsPerUser) {
        overUser.push(change);
        return false;
      }
      memberships.set(key, count + 1);
    }
    groups.add(change.group);
    return true;
  });
  const refused: HeldApp[] = [];
  const list = (cs: readonly Change[]) => cs.map((c) => `${c.subject} → ${c.group}`).join(', ');
  if (overApp.length > 0) {
    refused.push({ app: app.name, reason: `no more than ${maxGroups} groups in ${app.name}: ${overApp.length} membership${overApp.length === 1 ? '' : 's'} of a group it does not hold yet not planned (${list(overApp)})`, changes: overApp.map((c) => c.id) });
  }
  if (overUser.length > 0) {
    refused.push({ app: app.name, reason: `no more than ${maxGroupsPerUser} groups per user in ${app.name}: ${overUser.length} membership${overUser.length === 1 ? '' : 's'} not planned (${list(overUser)})`, changes: overUser.map((c) => c.id) });
  }
  return { kept, refused };
}

/** A delete the app will refuse is held with the app's reason, for a person to act on, not retried. */
function undeletable(account: RemoteAccount): string[] {
  return account.undeletable ? [account.undeletable] : [];
}

/** The mass-change circuit breaker: too large a share of an app's accounts switched off at once. */
function circuitBreaker(app: AppPlanInput, changes: readonly Change[]): string | undefined {
  const inPlan = changes.filter((c) => c.kind === 'deactivate' || c.kind === 'delete').length;
  const lately = app.wholeApp?.switchedOffLately ?? 0;
  const destructive = inPlan + lately;
  const { share, minimum } = app.policy.approval.massChange;
  const total = app.wholeApp?.accounts ?? app.accounts.length;
  if (inPlan === 0 || destructive < minimum || destructive <= share * total) return undefined;
  const percent = total === 0 ? 100 : Math.round((destructive / total) * 100);
  const counted = lately > 0 ? ` (${inPlan} in this plan, ${lately} by other plans in the last ${app.wholeApp?.withinMinutes} minutes)` : '';
  return `circuit breaker: ${destructive} of ${total} ${app.name} accounts (${percent}%) would be deactivated or deleted${counted}, more than the ${Math.round(share * 100)}% allowed; the whole app is held`;
}

function accountInputFor(person: Person, attributes: readonly ManagedAttribute[], role: string | undefined): ChangeAttributes {
  const input: ChangeAttributes = { userName: person.userName, email: person.email, externalId: person.externalId ?? person.id, active: true };
  for (const attribute of attributes) if (person[attribute] !== undefined) input[attribute] = person[attribute];
  if (input.email === undefined && person.userName.includes('@')) input.email = person.userName;
  if (role) input.role = role;
  return input;
}

function attributeChanges(appName: string, person: Person, account: RemoteAccount, attributes: readonly ManagedAttribute[], role: string | undefined): { attributes: ChangeAttributes; drifts: string[] } {
  const changed: ChangeAttributes = {};
  const drifts: string[] = [];
  for (const attribute of attributes) {
    const wanted = person[attribute];
    const actual = account[attribute];
    if (wanted === undefined) continue;
    const same = attribute === 'email' ? wanted.toLowerCase() === (actual ?? '').toLowerCase() : wanted === actual;
    if (same) continue;
    changed[attribute] = wanted;
    drifts.push(actual === undefined ? `${attribute} missing in ${appName} ('${wanted}' in the IdP)` : `${attribute} drifted in ${appName}: '${actual}' ≠ '${wanted}' in the IdP`);
  }
  if (role !== undefined && role !== account.role) {
    changed.role = role;
    drifts.push(account.role === undefined ? `role missing in ${appName} ('${role}' by policy)` : `role drifted in ${appName}: '${account.role}' ≠ '${role}' by policy`);
  }
  return { attributes: changed, drifts };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
