// The directory behind the Entra simulator: users, groups, service principals and their app role
// assignments, with a change sequence so /delta can answer "what changed since this token".
import { randomUUID } from 'node:crypto';
import type { SeedTenant } from '../shared/idp-tenant.ts';

/** User properties the simulator knows (Graph has far more; asking for others is a 400). */
export const USER_PROPERTIES = ['id', 'displayName', 'givenName', 'surname', 'userPrincipalName', 'mail', 'accountEnabled', 'department', 'jobTitle', 'employeeId', 'mailNickname', 'manager'] as const;
/** What /users/delta returns without $select (Graph's default set: no accountEnabled, no department). */
export const DEFAULT_USER_SELECT = ['displayName', 'givenName', 'jobTitle', 'mail', 'surname', 'userPrincipalName'] as const;
export const GROUP_PROPERTIES = ['id', 'displayName', 'description', 'mailNickname', 'securityEnabled', 'members'] as const;

export interface EntraUser {
  id: string;
  displayName: string;
  givenName: string | null;
  surname: string | null;
  userPrincipalName: string;
  mail: string | null;
  accountEnabled: boolean;
  department: string | null;
  jobTitle: string | null;
  employeeId: string | null;
  mailNickname: string;
  /** The manager's object id (the manager relationship). */
  manager: string | null;
}

export interface EntraGroup {
  id: string;
  displayName: string;
  description: string | null;
  mailNickname: string;
  securityEnabled: boolean;
}

export interface AppRoleAssignment {
  id: string;
  appRoleId: string;
  createdDateTime: string;
  principalDisplayName: string;
  principalId: string;
  principalType: 'User' | 'Group';
  resourceDisplayName: string;
  resourceId: string;
}

export interface ServicePrincipal {
  id: string;
  appId: string;
  displayName: string;
  assignments: Map<string, AppRoleAssignment>;
}

interface UserEntry {
  user: EntraUser;
  version: number;
  /** Property → the change sequence it last changed at. */
  changed: Map<string, number>;
  /** The manager removed, and when, so a delta can say so. */
  managerRemoved?: { id: string; version: number };
}

interface Membership {
  type: 'user' | 'group';
  version: number;
  removed: boolean;
}

interface GroupEntry {
  group: EntraGroup;
  version: number;
  changed: Map<string, number>;
  members: Map<string, Membership>;
}

export interface Removed {
  version: number;
  /** Graph's words: `changed` (soft-deleted, restorable 30 days) or `deleted` (gone). */
  reason: 'changed' | 'deleted';
}

/** What a delta round returns: object ids in change order. */
export interface DeltaRound {
  ids: string[];
  since: number;
  upto: number;
}

export class EntraTenant {
  #seq = 0;
  readonly users = new Map<string, UserEntry>();
  readonly removedUsers = new Map<string, Removed>();
  readonly groups = new Map<string, GroupEntry>();
  readonly removedGroups = new Map<string, Removed>();
  readonly servicePrincipals = new Map<string, ServicePrincipal>();

  get version(): number {
    return this.#seq;
  }

  #next(): number {
    this.#seq += 1;
    return this.#seq;
  }

  addUser(input: Partial<EntraUser> & { userPrincipalName: string; displayName: string }): EntraUser {
    const version = this.#next();
    const user: EntraUser = {
      id: input.id ?? randomUUID(),
      displayName: input.displayName,
      givenName: input.givenName ?? null,
      surname: input.surname ?? null,
      userPrincipalName: input.userPrincipalName,
      mail: input.mail ?? input.userPrincipalName,
      accountEnabled: input.accountEnabled ?? true,
      department: input.department ?? null,
      jobTitle: input.jobTitle ?? null,
      employeeId: input.employeeId ?? null,
      mailNickname: input.mailNickname ?? input.userPrincipalName.split('@')[0] ?? input.userPrincipalName,
      manager: input.manager ?? null,
    };
    if (this.users.has(user.id)) throw new Error(`user ${user.id} exists`);
    this.users.set(user.id, { user, version, changed: new Map(USER_PROPERTIES.map((p) => [p, version])) });
    this.removedUsers.delete(user.id);
    return user;
  }

  updateUser(id: string, patch: Partial<Omit<EntraUser, 'id'>>): EntraUser {
    const entry = this.users.get(id);
    if (!entry) throw new Error(`no user ${id}`);
    const version = this.#next();
    for (const [key, value] of Object.entries(patch) as [keyof EntraUser, unknown][]) {
      if (entry.user[key] === value) continue;
      if (key === 'manager' && value === null && entry.user.manager) entry.managerRemoved = { id: entry.user.manager, version };
      (entry.user as unknown as Record<string, unknown>)[key] = value;
      entry.changed.set(key, version);
    }
    entry.version = version;
    return entry.user;
  }

  /** Deletes a user: `changed` is a soft delete (what an admin's delete does first), `deleted` a permanent one. */
  deleteUser(id: string, reason: Removed['reason'] = 'changed'): void {
    if (!this.users.delete(id)) throw new Error(`no user ${id}`);
    const version = this.#next();
    this.removedUsers.set(id, { version, reason });
    for (const group of this.groups.values()) {
      const m = group.members.get(id);
      if (m && !m.removed) {
        group.members.set(id, { type: 'user', version, removed: true });
        group.version = version;
      }
    }
  }

  addGroup(input: Partial<EntraGroup> & { displayName: string }): EntraGroup {
    const version = this.#next();
    const group: EntraGroup = {
      id: input.id ?? randomUUID(),
      displayName: input.displayName,
      description: input.description ?? null,
      mailNickname: input.mailNickname ?? input.displayName.replace(/[^A-Za-z0-9]/g, ''),
      securityEnabled: input.securityEnabled ?? true,
    };
    this.groups.set(group.id, { group, version, changed: new Map(GROUP_PROPERTIES.map((p) => [p, version])), members: new Map() });
    return group;
  }

  addMember(groupId: string, memberId: string): void {
    const entry = this.groups.get(groupId);
    if (!entry) throw new Error(`no group ${groupId}`);
    const type = this.users.has(memberId) ? 'user' : this.groups.has(memberId) ? 'group' : undefined;
    if (!type) throw new Error(`no user or group ${memberId}`);
    const version = this.#next();
    entry.members.set(memberId, { type, version, removed: false });
    entry.version = version;
  }

  removeMember(groupId: string, memberId: string): void {
    const entry = this.groups.get(groupId);
    const m = entry?.members.get(memberId);
    if (!entry || !m || m.removed) throw new Error(`${memberId} is not in group ${groupId}`);
    const version = this.#next();
    entry.members.set(memberId, { type: m.type, version, removed: true });
    entry.version = version;
  }

  deleteGroup(id: string): void {
    if (!this.groups.delete(id)) throw new Error(`no group ${id}`);
    this.removedGroups.set(id, { version: this.#next(), reason: 'deleted' });
  }

  addServicePrincipal(displayName: string, id: string = randomUUID()): ServicePrincipal {
    const sp: ServicePrincipal = { id, appId: randomUUID(), displayName, assignments: new Map() };
    this.servicePrincipals.set(id, sp);
    return sp;
  }

  assign(servicePrincipalId: string, principalId: string, appRoleId = '00000000-0000-0000-0000-000000000000'): AppRoleAssignment {
    const sp = this.servicePrincipals.get(servicePrincipalId);
    if (!sp) throw new Error(`no service principal ${servicePrincipalId}`);
    const user = this.users.get(principalId)?.user;
    const group = this.groups.get(principalId)?.group;
    if (!user && !group) throw new Error(`no user or group ${principalId}`);
    const assignment: AppRoleAssignment = {
      id: randomUUID().replace(/-/g, '').slice(0, 22),
      appRoleId,
      createdDateTime: new Date().toISOString(),
      principalDisplayName: user?.displayName ?? group?.displayName ?? '',
      principalId,
      principalType: user ? 'User' : 'Group',
      resourceDisplayName: sp.displayName,
      resourceId: sp.id,
    };
    sp.assignments.set(assignment.id, assignment);
    return assignment;
  }

  unassign(servicePrincipalId: string, principalId: string): void {
    const sp = this.servicePrincipals.get(servicePrincipalId);
    for (const [id, a] of sp?.assignments ?? []) if (a.principalId === principalId) sp?.assignments.delete(id);
  }

  findUser(userPrincipalName: string): EntraUser | undefined {
    const lower = userPrincipalName.toLowerCase();
    for (const { user } of this.users.values()) if (user.userPrincipalName.toLowerCase() === lower) return user;
    return undefined;
  }

  findGroup(displayName: string): EntraGroup | undefined {
    for (const { group } of this.groups.values()) if (group.displayName === displayName) return group;
    return undefined;
  }

  /** Users changed (or removed) in (since, now], oldest change first. */
  userRound(since: number): DeltaRound {
    const upto = this.#seq;
    const changed: [string, number][] = [];
    for (const [id, e] of this.users) if (e.version > since) changed.push([id, e.version]);
    if (since > 0) for (const [id, r] of this.removedUsers) if (r.version > since) changed.push([id, r.version]);
    changed.sort((a, b) => a[1] - b[1]);
    return { ids: changed.map(([id]) => id), since, upto };
  }

  groupRound(since: number): DeltaRound {
    const upto = this.#seq;
    const changed: [string, number][] = [];
    for (const [id, e] of this.groups) if (e.version > since) changed.push([id, e.version]);
    if (since > 0) for (const [id, r] of this.removedGroups) if (r.version > since) changed.push([id, r.version]);
    changed.sort((a, b) => a[1] - b[1]);
    return { ids: changed.map(([id]) => id), since, upto };
  }

  /** A user as a delta shows it: the selected properties changed since `since` (all of them for a full round). */
  renderUser(id: string, since: number, select: readonly string[]): Record<string, unknown> | undefined {
    const entry = this.users.get(id);
    if (!entry) {
      const removed = this.removedUsers.get(id);
      return removed ? { id, '@removed': { reason: removed.reason } } : undefined;
    }
    const out: Record<string, unknown> = { id };
    for (const prop of select) {
      if (prop === 'id') continue;
      if ((entry.changed.get(prop) ?? 0) <= since) continue;
      if (prop === 'manager') {
        if (entry.user.manager) out['manager@delta'] = [{ '@odata.type': '#microsoft.graph.user', id: entry.user.manager }];
        else if (entry.managerRemoved && entry.managerRemoved.version > since) out['manager@delta'] = [{ '@odata.type': '#microsoft.graph.user', id: entry.managerRemoved.id, '@removed': { reason: 'deleted' } }];
        continue;
      }
      out[prop] = entry.user[prop as keyof EntraUser];
    }
    return out;
  }

  /** A group as a delta shows it, its member changes since `since` cut into chunks (the same group appears once per chunk). */
  renderGroup(id: string, since: number, select: readonly string[], chunk: number): Record<string, unknown>[] {
    const entry = this.groups.get(id);
    if (!entry) {
      const removed = this.removedGroups.get(id);
      return removed ? [{ id, '@removed': { reason: removed.reason } }] : [];
    }
    const base: Record<string, unknown> = { id };
    for (const prop of select) {
      if (prop === 'id' || prop === 'members') continue;
      if ((entry.changed.get(prop) ?? 0) > since) base[prop] = entry.group[prop as keyof EntraGroup];
    }
    if (!select.includes('members')) return [base];
    const members: Record<string, unknown>[] = [];
    for (const [memberId, m] of entry.members) {
      if (m.version <= since) continue;
      if (m.removed && since === 0) continue;
      const item: Record<string, unknown> = { '@odata.type': m.type === 'user' ? '#microsoft.graph.user' : '#microsoft.graph.group', id: memberId };
      if (m.removed) item['@removed'] = { reason: 'deleted' };
      members.push(item);
    }
    if (members.length === 0) return [{ ...base, 'members@delta': [] }];
    const out: Record<string, unknown>[] = [];
    for (let i = 0; i < members.length; i += chunk) out.push({ ...(i === 0 ? base : { id }), 'members@delta': members.slice(i, i + chunk) });
    return out;
  }

  /** Loads a seeded tenant; returns the object ids by seed key. */
  seed(tenant: SeedTenant, options: { domain?: string } = {}): Map<string, string> {
    const ids = new Map<string, string>();
    for (const p of tenant.people) {
      const upn = options.domain ? p.email.replace(/@.*$/, `@${options.domain}`) : p.email;
      const user = this.addUser({ userPrincipalName: upn, mail: upn, displayName: p.displayName, givenName: p.givenName, surname: p.familyName, department: p.department, jobTitle: p.title, employeeId: p.employeeId, accountEnabled: p.active });
      ids.set(p.key, user.id);
    }
    for (const p of tenant.people) {
      const manager = p.managerKey ? ids.get(p.managerKey) : undefined;
      const id = ids.get(p.key);
      if (manager && id) {
        const entry = this.users.get(id);
        if (entry) entry.user.manager = manager;
      }
    }
    for (const g of tenant.groups) ids.set(g.key, this.addGroup({ displayName: g.name }).id);
    for (const g of tenant.groups) {
      const entry = this.groups.get(ids.get(g.key) ?? '');
      if (!entry) continue;
      const version = this.#next();
      for (const key of g.memberKeys) entry.members.set(ids.get(key) ?? '', { type: 'user', version, removed: false });
      for (const key of g.groupKeys) entry.members.set(ids.get(key) ?? '', { type: 'group', version, removed: false });
      entry.version = version;
    }
    return ids;
  }
}
