/**
 * The tenant's data as the ZIA simulator holds it: departments, groups, and users in two
 * copies — the draft every API read and write sees, and the live policy that only
 * `POST /status/activate` changes (once the activation has finished).
 */

/** `{id, name}` as ZIA nests groups and departments in a user. */
export interface ZiaRef {
  id: number;
  name: string;
}

export interface ZiaDepartment {
  id: number;
  name: string;
  idpId?: number;
  comments?: string;
  deleted: boolean;
}

export interface ZiaGroup {
  id: number;
  name: string;
  idpId?: number;
  comments?: string;
}

/** A user as the API returns it. The password is write-only and never appears here. */
export interface ZiaUser {
  id: number;
  name: string;
  email: string;
  groups: ZiaRef[];
  department?: ZiaRef;
  comments?: string;
  tempAuthEmail?: string;
  adminUser: boolean;
  type?: string;
  authMethods?: string[];
  isNonEditable: boolean;
  disabled: boolean;
  deleted: boolean;
}

/** What the simulator stores for a user: references by id, and the write-only password. */
export interface StoredUser {
  id: number;
  name: string;
  email: string;
  groupIds: number[];
  departmentId?: number;
  comments?: string;
  tempAuthEmail?: string;
  adminUser: boolean;
  type?: string;
  authMethods: string[];
  isNonEditable: boolean;
  disabled: boolean;
  password?: string;
}

/** A seed user. Groups and department may be given by id or by name. */
export interface ZiaSeedUser {
  id?: number;
  name: string;
  email: string;
  groups?: Array<number | string>;
  department?: number | string;
  comments?: string;
  tempAuthEmail?: string;
  adminUser?: boolean;
  type?: string;
  authMethods?: string[];
  /** True for users synced from the IdP (SCIM / SAML auto-provisioning): readable, not writable. */
  isNonEditable?: boolean;
  disabled?: boolean;
  password?: string;
}

export interface ZiaSeed {
  /** Registered email domains; a user's email must be in one of them. Default `['example.com']`. */
  domains?: string[];
  /** Default: Engineering, Sales, Finance. */
  departments?: Array<Omit<ZiaDepartment, 'id' | 'deleted'> & { id?: number }>;
  /** Default: Employees, Contractors, Engineering. */
  groups?: Array<Omit<ZiaGroup, 'id'> & { id?: number }>;
  /** Seed users start activated: in both the draft and the live policy. Default none. */
  users?: ZiaSeedUser[];
}

export type ActivationStatus = 'ACTIVE' | 'PENDING' | 'INPROGRESS';

/**
 * The org's edit lock as another admin or a recent activation holds it, in the forms it is met:
 * `edit-lock` 409 `{"code":"EDIT_LOCK_NOT_AVAILABLE"}` (no message); `org-barrier` 412 (or 409)
 * "Failed during enter Org barrier"; `resource-blocked` 409 (or 401) "Resource Access Blocked".
 * Every method is refused, GET included, for the next `requests` calls or for `forMs` from now
 * (both: whichever ends first; neither: until unlockOrg()).
 */
/** An error answer as the routes give it (input.ts's Problem). */
interface LockAnswer {
  status: number;
  code?: string;
  message: string;
}

export interface OrgLock {
  form?: 'edit-lock' | 'org-barrier' | 'resource-blocked';
  status?: number;
  requests?: number;
  forMs?: number;
}

export const DEFAULT_DOMAINS = ['example.com'];
export const DEFAULT_DEPARTMENTS = ['Engineering', 'Sales', 'Finance'];
export const DEFAULT_GROUPS = ['Employees', 'Contractors', 'Engineering'];

/** `count` plain seed users `user00001@<domain>`…, spread over the default departments and groups. */
export function makeSeedUsers(count: number, domain = 'example.com'): ZiaSeedUser[] {
  return Array.from({ length: count }, (_, i) => {
    const n = String(i + 1).padStart(5, '0');
    return {
      name: `User ${n}`,
      email: `user${n}@${domain}`,
      department: DEFAULT_DEPARTMENTS[i % DEFAULT_DEPARTMENTS.length],
      groups: [DEFAULT_GROUPS[i % DEFAULT_GROUPS.length] as string],
    };
  });
}

export class ZiaState {
  readonly domains: Set<string>;
  readonly departments = new Map<number, ZiaDepartment>();
  readonly groups = new Map<number, ZiaGroup>();
  /** Users as the API sees them (staged changes included). */
  readonly draft = new Map<number, StoredUser>();
  /** Users in the live policy: only activation changes this. */
  live = new Map<number, StoredUser>();
  /** Completed `POST /status/activate` calls. */
  activations = 0;
  /** The next N writes answer 409 EDIT_LOCK_NOT_AVAILABLE (tests may set it at any time). */
  editLockConflicts = 0;
  /** How long an activation stays INPROGRESS before the live policy changes. */
  activationMs: number;
  /** Calls refused by the org lock so far. */
  orgLockRefusals = 0;

  readonly #now: () => number;
  #nextId = 71_000_001;
  #dirty = false;
  #activation: { until: number; snapshot: Map<number, StoredUser> } | null = null;
  #orgLock: { problem: LockAnswer; remaining: number | undefined; until: number | undefined } | null = null;

  constructor(seed: ZiaSeed = {}, options: { activationMs?: number; now?: () => number } = {}) {
    this.#now = options.now ?? Date.now;
    this.activationMs = options.activationMs ?? 100;
    this.domains = new Set((seed.domains ?? DEFAULT_DOMAINS).map((d) => d.toLowerCase()));
    for (const d of seed.departments ?? DEFAULT_DEPARTMENTS.map((name) => ({ name }))) this.addDepartment(d);
    for (const g of seed.groups ?? DEFAULT_GROUPS.map((name) => ({ name }))) this.addGroup(g);
    for (const u of seed.users ?? []) this.addUser(u);
  }

  nextId(): number {
    const id = this.#nextId;
    this.#nextId += 1 + (id % 7); // ids are sparse, as in a real tenant
    return id;
  }

  addDepartment(d: Omit<ZiaDepartment, 'id' | 'deleted'> & { id?: number }): ZiaDepartment {
    const dept: ZiaDepartment = { ...d, id: d.id ?? this.nextId(), deleted: false };
    this.departments.set(dept.id, dept);
    return dept;
  }

  addGroup(g: Omit<ZiaGroup, 'id'> & { id?: number }): ZiaGroup {
    const group: ZiaGroup = { ...g, id: g.id ?? this.nextId() };
    this.groups.set(group.id, group);
    return group;
  }

  /** Adds an already-activated user (present in draft and live), bypassing the API's checks. */
  addUser(seed: ZiaSeedUser): ZiaUser {
    const stored: StoredUser = {
      id: seed.id ?? this.nextId(),
      name: seed.name,
      email: seed.email,
      groupIds: (seed.groups ?? []).map((g) => this.#resolve(this.groups, g, 'group')),
      adminUser: seed.adminUser ?? false,
      authMethods: seed.authMethods ?? [],
      isNonEditable: seed.isNonEditable ?? false,
      disabled: seed.disabled ?? false,
    };
    if (seed.department !== undefined) stored.departmentId = this.#resolve(this.departments, seed.department, 'department');
    if (seed.comments !== undefined) stored.comments = seed.comments;
    if (seed.tempAuthEmail !== undefined) stored.tempAuthEmail = seed.tempAuthEmail;
    if (seed.type !== undefined) stored.type = seed.type;
    if (seed.password !== undefined) stored.password = seed.password;
    this.draft.set(stored.id, stored);
    this.live.set(stored.id, structuredClone(stored));
    return this.render(stored);
  }

  #resolve(map: Map<number, { id: number; name: string }>, ref: number | string, kind: string): number {
    if (typeof ref === 'number') {
      if (!map.has(ref)) throw new Error(`seed: no ${kind} with id ${ref}`);
      return ref;
    }
    for (const v of map.values()) if (v.name === ref) return v.id;
    throw new Error(`seed: no ${kind} named ${ref}`);
  }

  /** The API view of a stored user: nested refs with current names, no password. */
  render(u: StoredUser): ZiaUser {
    const dept = u.departmentId === undefined ? undefined : this.departments.get(u.departmentId);
    const out: ZiaUser = {
      id: u.id,
      name: u.name,
      email: u.email,
      groups: u.groupIds.flatMap((id) => {
        const g = this.groups.get(id);
        return g ? [{ id: g.id, name: g.name }] : [];
      }),
      ...(dept ? { department: { id: dept.id, name: dept.name } } : {}),
      ...(u.comments !== undefined ? { comments: u.comments } : {}),
      ...(u.tempAuthEmail !== undefined ? { tempAuthEmail: u.tempAuthEmail } : {}),
      adminUser: u.adminUser,
      ...(u.type !== undefined ? { type: u.type } : {}),
      ...(u.authMethods.length > 0 ? { authMethods: [...u.authMethods] } : {}),
      isNonEditable: u.isNonEditable,
      disabled: u.disabled,
      deleted: false,
    };
    return out;
  }

  /** Users as the API shows them (staged changes included), by id. */
  draftUsers(): ZiaUser[] {
    return [...this.draft.values()].sort((a, b) => a.id - b.id).map((u) => this.render(u));
  }

  /** Users in the live policy, by id: what is actually enforced. */
  liveUsers(): ZiaUser[] {
    this.#settle();
    return [...this.live.values()].sort((a, b) => a.id - b.id).map((u) => this.render(u));
  }

  /** Stages a created or replaced user. */
  stageUser(u: StoredUser): void {
    this.draft.set(u.id, u);
    this.#dirty = true;
  }

  /** Stages deletions; returns how many users existed. */
  stageDelete(ids: Iterable<number>): number {
    let n = 0;
    for (const id of ids) if (this.draft.delete(id)) n += 1;
    if (n > 0) this.#dirty = true;
    return n;
  }

  findByEmail(email: string): StoredUser | undefined {
    const e = email.toLowerCase();
    for (const u of this.draft.values()) if (u.email.toLowerCase() === e) return u;
    return undefined;
  }

  status(): ActivationStatus {
    this.#settle();
    if (this.#activation) return 'INPROGRESS';
    return this.#dirty ? 'PENDING' : 'ACTIVE';
  }

  /** Starts an activation of everything staged; the live policy changes when it finishes. */
  activate(): ActivationStatus {
    this.#settle();
    if (this.#activation) return 'INPROGRESS';
    this.activations += 1;
    this.#activation = { until: this.#now() + this.activationMs, snapshot: structuredClone(this.draft) };
    this.#dirty = false;
    return this.status();
  }

  /** Holds the org lock (see OrgLock) from now. */
  lockOrg(lock: OrgLock = {}): void {
    const form = lock.form ?? 'edit-lock';
    const problem: LockAnswer =
      form === 'edit-lock'
        ? { status: lock.status ?? 409, code: 'EDIT_LOCK_NOT_AVAILABLE', message: '' }
        : form === 'org-barrier'
          ? { status: lock.status ?? 412, message: 'Failed during enter Org barrier' }
          : { status: lock.status ?? 409, message: 'Resource Access Blocked' };
    this.#orgLock = { problem, remaining: lock.requests, until: lock.forMs === undefined ? undefined : this.#now() + lock.forMs };
  }

  unlockOrg(): void {
    this.#orgLock = null;
  }

  /** The refusal for a call while the org lock is held (any method), or null. */
  takeOrgLock(): LockAnswer | null {
    const lock = this.#orgLock;
    if (!lock) return null;
    if ((lock.until !== undefined && this.#now() >= lock.until) || lock.remaining === 0) {
      this.#orgLock = null;
      return null;
    }
    if (lock.remaining !== undefined) lock.remaining -= 1;
    this.orgLockRefusals += 1;
    return lock.problem;
  }

  /** Takes one edit-lock conflict, if any are queued. */
  takeEditLockConflict(): boolean {
    this.#settle();
    if (this.#activation) return true; // nobody edits while an activation runs
    if (this.editLockConflicts <= 0) return false;
    this.editLockConflicts -= 1;
    return true;
  }

  #settle(): void {
    if (this.#activation && this.#now() >= this.#activation.until) {
      this.live = this.#activation.snapshot;
      this.#activation = null;
    }
  }
}
