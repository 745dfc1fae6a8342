import { randomUUID } from 'node:crypto';
import { ScimError } from './protocol.ts';
import { generateUsers, type GenerateUsersOptions } from './generate.ts';
import { normalizeGroup, normalizeUser, type Attributes } from './normalize.ts';

/** One stored resource. Updated in place, so list order (creation order) never changes. */
export interface StoredResource {
  readonly id: string;
  /** The resource's own attributes in canonical case: no id, schemas, meta or derived groups. */
  attrs: Attributes;
  readonly created: string;
  lastModified: string;
  /** Bumped on every change to what the resource's representation shows; the weak ETag is W/"<version>". */
  version: number;
}

export type MemberType = 'User' | 'Group';

export interface Member {
  value: string;
  type?: string;
}

/**
 * In-memory users and groups. Lookups by id and by userName (case-insensitive) are O(1); group
 * membership is indexed both ways, so seeding 100,000 users takes no per-insert scans.
 */
export class ScimStore {
  readonly #users = new Map<string, StoredResource>();
  readonly #groups = new Map<string, StoredResource>();
  /** lowercase userName → user id */
  readonly #userNames = new Map<string, string>();
  /** member id (user or group) → ids of the groups it is a direct member of */
  readonly #memberOf = new Map<string, Set<string>>();
  #userOrder: StoredResource[] | null = [];
  #groupOrder: StoredResource[] | null = [];
  #version = 0;

  #nextVersion(): number {
    this.#version += 1;
    return this.#version;
  }

  /** Empties the store. */
  reset(): void {
    this.#users.clear();
    this.#groups.clear();
    this.#userNames.clear();
    this.#memberOf.clear();
    this.#userOrder = [];
    this.#groupOrder = [];
  }

  get userCount(): number {
    return this.#users.size;
  }

  get groupCount(): number {
    return this.#groups.size;
  }

  getUser(id: string): StoredResource | undefined {
    return this.#users.get(id);
  }

  getGroup(id: string): StoredResource | undefined {
    return this.#groups.get(id);
  }

  /** The user whose userName matches, case-insensitively. */
  findUserByUserName(userName: string): StoredResource | undefined {
    const id = this.#userNames.get(userName.toLowerCase());
    return id === undefined ? undefined : this.#users.get(id);
  }

  /** Users in creation order. Do not mutate the array. */
  listUsers(): readonly StoredResource[] {
    this.#userOrder ??= [...this.#users.values()];
    return this.#userOrder;
  }

  /** Groups in creation order. Do not mutate the array. */
  listGroups(): readonly StoredResource[] {
    this.#groupOrder ??= [...this.#groups.values()];
    return this.#groupOrder;
  }

  /** Ids of the groups `memberId` is a direct member of. */
  groupIdsOf(memberId: string): ReadonlySet<string> {
    return this.#memberOf.get(memberId) ?? new Set();
  }

  memberType(id: string): MemberType | undefined {
    if (this.#users.has(id)) return 'User';
    if (this.#groups.has(id)) return 'Group';
    return undefined;
  }

  // ---- users ----

  /** Adds a user from canonical attributes. Throws 409 uniqueness on a taken userName. */
  createUser(attrs: Attributes, id: string = randomUUID(), now = new Date().toISOString()): StoredResource {
    const key = String(attrs['userName']).toLowerCase();
    if (this.#userNames.has(key)) throw uniqueness(`userName '${String(attrs['userName'])}' is already taken`);
    if (this.#users.has(id) || this.#groups.has(id)) throw uniqueness(`id '${id}' is already taken`);
    const user: StoredResource = { id, attrs, created: now, lastModified: now, version: this.#nextVersion() };
    this.#users.set(id, user);
    this.#userNames.set(key, id);
    this.#userOrder?.push(user);
    return user;
  }

  /** Replaces a user's attributes (PUT, and the result of PATCH). Throws 404 or 409. */
  replaceUser(id: string, attrs: Attributes): StoredResource {
    const user = this.#users.get(id);
    if (!user) throw notFound('User', id);
    const oldKey = String(user.attrs['userName']).toLowerCase();
    const newKey = String(attrs['userName']).toLowerCase();
    if (newKey !== oldKey) {
      if (this.#userNames.has(newKey)) throw uniqueness(`userName '${String(attrs['userName'])}' is already taken`);
      this.#userNames.delete(oldKey);
      this.#userNames.set(newKey, id);
    }
    user.attrs = attrs;
    this.#touch(user);
    // Groups show their members' names: they change when a member is renamed.
    for (const groupId of this.groupIdsOf(id)) {
      const group = this.#groups.get(groupId);
      if (group) group.version = this.#nextVersion();
    }
    return user;
  }

  deleteUser(id: string): boolean {
    const user = this.#users.get(id);
    if (!user) return false;
    this.#users.delete(id);
    this.#userNames.delete(String(user.attrs['userName']).toLowerCase());
    this.#removeFromAllGroups(id);
    this.#userOrder = null;
    return true;
  }

  // ---- groups ----

  /** Adds a group; every member must be an existing user or group (else 400 invalidValue). */
  createGroup(attrs: Attributes, id: string = randomUUID(), now = new Date().toISOString()): StoredResource {
    if (this.#users.has(id) || this.#groups.has(id)) throw uniqueness(`id '${id}' is already taken`);
    const checked = this.#checkMembers(attrs, id);
    const group: StoredResource = { id, attrs: checked, created: now, lastModified: now, version: this.#nextVersion() };
    this.#groups.set(id, group);
    this.#groupOrder?.push(group);
    this.#indexMembers(id, [], membersOf(checked));
    return group;
  }

  replaceGroup(id: string, attrs: Attributes): StoredResource {
    const group = this.#groups.get(id);
    if (!group) throw notFound('Group', id);
    const checked = this.#checkMembers(attrs, id);
    const before = membersOf(group.attrs);
    const renamed = group.attrs['displayName'] !== checked['displayName'];
    group.attrs = checked;
    this.#touch(group);
    this.#indexMembers(id, before, membersOf(checked));
    // Members show their groups' names.
    if (renamed) for (const member of membersOf(checked)) this.#bumpMember(member.value);
    return group;
  }

  deleteGroup(id: string): boolean {
    const group = this.#groups.get(id);
    if (!group) return false;
    this.#indexMembers(id, membersOf(group.attrs), []);
    this.#groups.delete(id);
    this.#removeFromAllGroups(id);
    this.#groupOrder = null;
    return true;
  }

  // ---- seeding ----

  /**
   * Adds users from SCIM bodies (`schemas` optional here; an `id` is kept if given). All or
   * nothing is not promised: a bad user throws, leaving the earlier ones in.
   */
  seedUsers(users: readonly unknown[]): StoredResource[] {
    const now = new Date().toISOString();
    return users.map((body) => {
      const { id, attrs } = normalizeUser(body, { requireSchemas: false });
      return this.createUser(attrs, typeof id === 'string' ? id : randomUUID(), now);
    });
  }

  /** Adds groups from SCIM bodies; members must already exist. */
  seedGroups(groups: readonly unknown[]): StoredResource[] {
    const now = new Date().toISOString();
    return groups.map((body) => {
      const { id, attrs } = normalizeGroup(body, { requireSchemas: false });
      return this.createGroup(attrs, typeof id === 'string' ? id : randomUUID(), now);
    });
  }

  /** Realistic, deterministic user bodies (not yet stored): `store.seedUsers(store.generateUsers(n))`. */
  generateUsers(count: number, options?: GenerateUsersOptions): Attributes[] {
    return generateUsers(count, options);
  }

  // ---- internals ----

  #touch(resource: StoredResource): void {
    resource.lastModified = new Date().toISOString();
    resource.version = this.#nextVersion();
  }

  #bumpMember(id: string): void {
    const resource = this.#users.get(id) ?? this.#groups.get(id);
    if (resource) resource.version = this.#nextVersion();
  }

  #checkMembers(attrs: Attributes, groupId: string): Attributes {
    const members = membersOf(attrs);
    if (members.length === 0) return attrs;
    const checked = members.map((member) => {
      const actual = this.memberType(member.value);
      if (!actual) throw new ScimError(400, `Member '${member.value}' is not an existing User or Group`, 'invalidValue');
      if (member.value === groupId) throw new ScimError(400, 'A group cannot be a member of itself', 'invalidValue');
      if (member.type !== undefined && member.type !== actual) {
        throw new ScimError(400, `Member '${member.value}' is a ${actual}, not a ${member.type}`, 'invalidValue');
      }
      return { value: member.value, type: actual };
    });
    return { ...attrs, members: checked };
  }

  #indexMembers(groupId: string, before: readonly Member[], after: readonly Member[]): void {
    const old = new Set(before.map((m) => m.value));
    const now = new Set(after.map((m) => m.value));
    for (const value of old) {
      if (now.has(value)) continue;
      this.#memberOf.get(value)?.delete(groupId);
      this.#bumpMember(value);
    }
    for (const value of now) {
      if (old.has(value)) continue;
      let set = this.#memberOf.get(value);
      if (!set) this.#memberOf.set(value, (set = new Set()));
      set.add(groupId);
      this.#bumpMember(value);
    }
  }

  #removeFromAllGroups(memberId: string): void {
    const groupIds = this.#memberOf.get(memberId);
    this.#memberOf.delete(memberId);
    for (const groupId of groupIds ?? []) {
      const group = this.#groups.get(groupId);
      if (!group) continue;
      const members = membersOf(group.attrs).filter((m) => m.value !== memberId);
      const attrs = { ...group.attrs };
      if (members.length > 0) attrs['members'] = members;
      else delete attrs['members'];
      group.attrs = attrs;
      this.#touch(group);
    }
  }
}

export function membersOf(attrs: Attributes): Member[] {
  const members = attrs['members'];
  return Array.isArray(members) ? (members as Member[]) : [];
}

function uniqueness(detail: string): ScimError {
  return new ScimError(409, detail, 'uniqueness');
}

export function notFound(resourceType: string, id: string): ScimError {
  return new ScimError(404, `${resourceType} ${id} not found`);
}
