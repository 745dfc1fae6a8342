// The org behind the Okta simulator: users with Okta's lifecycle statuses, groups (flat: Okta has
// no nested groups), app assignments; every write moves lastUpdated, as Okta's does.
import { randomBytes } from 'node:crypto';
import type { SeedTenant } from '../shared/idp-tenant.ts';

export const OKTA_STATUSES = ['STAGED', 'PROVISIONED', 'ACTIVE', 'RECOVERY', 'PASSWORD_EXPIRED', 'LOCKED_OUT', 'SUSPENDED', 'DEPROVISIONED'] as const;
export type OktaStatus = (typeof OKTA_STATUSES)[number];

export interface OktaProfile {
  firstName: string;
  lastName: string;
  login: string;
  email: string;
  displayName?: string | null;
  department?: string | null;
  title?: string | null;
  /** Okta's base profile has managerId (free text); this tenant keeps the manager's user id in it. */
  managerId?: string | null;
  employeeNumber?: string | null;
  [key: string]: unknown;
}

export interface OktaUser {
  id: string;
  status: OktaStatus;
  created: string;
  activated: string | null;
  statusChanged: string | null;
  lastLogin: string | null;
  lastUpdated: string;
  passwordChanged: string | null;
  type: { id: string };
  profile: OktaProfile;
  credentials: { provider: { type: 'OKTA'; name: 'OKTA' } };
}

export interface OktaGroup {
  id: string;
  created: string;
  lastUpdated: string;
  lastMembershipUpdated: string;
  objectClass: string[];
  type: 'OKTA_GROUP';
  profile: { name: string; description: string | null };
}

export interface OktaApp {
  id: string;
  label: string;
  /** user id → how they are assigned (directly, or through a group). */
  users: Map<string, { scope: 'USER' | 'GROUP'; created: string; lastUpdated: string }>;
  groups: Set<string>;
}

const base62 = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
/** An Okta-style id: a 3-character prefix and 17 more (00u…, 00g…, 0oa…). */
export function oktaId(prefix: string): string {
  const bytes = randomBytes(17);
  return prefix + [...bytes].map((b) => base62[b % 62]).join('');
}

export class OktaTenant {
  readonly users = new Map<string, OktaUser>();
  readonly groups = new Map<string, OktaGroup>();
  /** group id → member user ids. */
  readonly members = new Map<string, Set<string>>();
  readonly apps = new Map<string, OktaApp>();
  #last = 0;
  /** Bumped by every write, so readers can cache what they computed from the org. */
  version = 0;

  /** Now, as Okta writes it (milliseconds, UTC); never the same instant twice. */
  #stamp(): string {
    this.version += 1;
    this.#last = Math.max(Date.now(), this.#last + 1);
    return new Date(this.#last).toISOString();
  }

  addUser(profile: OktaProfile, status: OktaStatus = 'ACTIVE', id = oktaId('00u')): OktaUser {
    const now = this.#stamp();
    const user: OktaUser = {
      id,
      status,
      created: now,
      activated: status === 'STAGED' ? null : now,
      statusChanged: now,
      lastLogin: null,
      lastUpdated: now,
      passwordChanged: null,
      type: { id: 'oty1default' },
      profile: { displayName: null, department: null, title: null, managerId: null, employeeNumber: null, ...profile },
      credentials: { provider: { type: 'OKTA', name: 'OKTA' } },
    };
    this.users.set(id, user);
    return user;
  }

  updateProfile(id: string, patch: Partial<OktaProfile>): OktaUser {
    const user = this.#user(id);
    user.profile = { ...user.profile, ...patch };
    user.lastUpdated = this.#stamp();
    return user;
  }

  /** A lifecycle change (activate, suspend, deactivate, unlock, expire password, ...). */
  setStatus(id: string, status: OktaStatus): OktaUser {
    const user = this.#user(id);
    const now = this.#stamp();
    user.status = status;
    user.statusChanged = now;
    user.lastUpdated = now;
    if (status === 'ACTIVE' && !user.activated) user.activated = now;
    return user;
  }

  /** Okta's delete: a user not yet deactivated is deactivated (DEPROVISIONED); a deactivated one is gone. */
  deleteUser(id: string): void {
    const user = this.#user(id);
    if (user.status !== 'DEPROVISIONED') {
      this.setStatus(id, 'DEPROVISIONED');
      return;
    }
    this.users.delete(id);
    for (const [groupId, set] of this.members) if (set.delete(id)) this.#touchMembership(groupId);
  }

  addGroup(name: string, description: string | null = null, id = oktaId('00g')): OktaGroup {
    const now = this.#stamp();
    const group: OktaGroup = { id, created: now, lastUpdated: now, lastMembershipUpdated: now, objectClass: ['okta:user_group'], type: 'OKTA_GROUP', profile: { name, description } };
    this.groups.set(id, group);
    this.members.set(id, new Set());
    return group;
  }

  addMember(groupId: string, userId: string): void {
    this.#user(userId);
    const set = this.members.get(groupId);
    if (!set) throw new Error(`no group ${groupId}`);
    set.add(userId);
    this.#touchMembership(groupId);
    for (const app of this.apps.values()) if (app.groups.has(groupId) && !app.users.has(userId)) app.users.set(userId, { scope: 'GROUP', created: this.#stamp(), lastUpdated: this.#stamp() });
  }

  removeMember(groupId: string, userId: string): void {
    if (!this.members.get(groupId)?.delete(userId)) throw new Error(`${userId} is not in group ${groupId}`);
    this.#touchMembership(groupId);
    // A group-based app assignment goes with the group, unless another assigned group still holds them.
    for (const app of this.apps.values()) {
      if (!app.groups.has(groupId) || app.users.get(userId)?.scope !== 'GROUP') continue;
      if (![...app.groups].some((g) => this.members.get(g)?.has(userId))) app.users.delete(userId);
    }
  }

  addApp(label: string, id = oktaId('0oa')): OktaApp {
    const app: OktaApp = { id, label, users: new Map(), groups: new Set() };
    this.apps.set(id, app);
    return app;
  }

  assignUser(appId: string, userId: string): void {
    this.#user(userId);
    const now = this.#stamp();
    this.#app(appId).users.set(userId, { scope: 'USER', created: now, lastUpdated: now });
  }

  assignGroup(appId: string, groupId: string): void {
    const app = this.#app(appId);
    app.groups.add(groupId);
    for (const userId of this.members.get(groupId) ?? []) if (!app.users.has(userId)) app.users.set(userId, { scope: 'GROUP', created: this.#stamp(), lastUpdated: this.#stamp() });
  }

  unassignUser(appId: string, userId: string): void {
    this.#app(appId).users.delete(userId);
  }

  findUser(login: string): OktaUser | undefined {
    const lower = login.toLowerCase();
    for (const user of this.users.values()) if (user.profile.login.toLowerCase() === lower) return user;
    return undefined;
  }

  findGroup(name: string): OktaGroup | undefined {
    for (const group of this.groups.values()) if (group.profile.name === name) return group;
    return undefined;
  }

  #touchMembership(groupId: string): void {
    const group = this.groups.get(groupId);
    if (group) group.lastMembershipUpdated = this.#stamp();
  }

  #user(id: string): OktaUser {
    const user = this.users.get(id);
    if (!user) throw new Error(`no user ${id}`);
    return user;
  }

  #app(id: string): OktaApp {
    const app = this.apps.get(id);
    if (!app) throw new Error(`no app ${id}`);
    return app;
  }

  /**
   * Loads a seeded tenant; returns Okta ids by seed key. Nested seed groups are flattened (Okta
   * groups hold people only): a nested group's people are added to its parent as well.
   */
  seed(tenant: SeedTenant): Map<string, string> {
    const ids = new Map<string, string>();
    for (const p of tenant.people) {
      const user = this.addUser(
        { firstName: p.givenName, lastName: p.familyName, login: p.email, email: p.email, displayName: p.displayName, department: p.department, title: p.title, employeeNumber: p.employeeId },
        p.active ? 'ACTIVE' : 'DEPROVISIONED',
      );
      ids.set(p.key, user.id);
    }
    for (const p of tenant.people) {
      const user = this.users.get(ids.get(p.key) ?? '');
      if (user && p.managerKey) user.profile.managerId = ids.get(p.managerKey) ?? null;
    }
    const byKey = new Map(tenant.groups.map((g) => [g.key, g]));
    for (const g of tenant.groups) {
      const group = this.addGroup(g.name);
      ids.set(g.key, group.id);
      const set = this.members.get(group.id) ?? new Set<string>();
      const add = (seedGroup: (typeof tenant.groups)[number], depth: number): void => {
        for (const key of seedGroup.memberKeys) set.add(ids.get(key) ?? '');
        if (depth < 10) for (const inner of seedGroup.groupKeys) { const child = byKey.get(inner); if (child) add(child, depth + 1); }
      };
      add(g, 0);
    }
    return ids;
  }
}
