import { V1_ROLES } from './settings.ts';

/** A dashboard user of one organization, as both the Management API v1 and API v2 see it. */
export interface UmbrellaUser {
  id: number;
  organizationId: number;
  email: string;
  firstname: string;
  lastname: string;
  /** The seed form's single name. */
  name: string;
  roleId: number;
  timezone: string;
  /** `pending` until the emailed invitation is accepted. */
  status: 'pending' | 'active';
  twoFactorEnable: boolean;
}

export interface SeedUser {
  email: string;
  firstname?: string;
  lastname?: string;
  name?: string;
  /** A role label or id. Default Read Only (2). */
  role?: string | number;
  timezone?: string;
  /** Default `active`: seeded people have accepted their invitation. */
  status?: 'pending' | 'active';
}

export function roleLabel(roleId: number): string {
  return V1_ROLES.find((r) => r.roleId === roleId)?.label ?? `Role ${roleId}`;
}

export const FULL_ADMIN = 1;
export const READ_ONLY = 2;

/** Users of every organization, and the emails deleted from each (API v2 re-creates those differently). */
export class UmbrellaState {
  readonly users = new Map<number, UmbrellaUser>();
  /** organizationId → lowercase email → the user as it was when deleted (API v2 restores it on re-create). */
  readonly deleted = new Map<number, Map<string, UmbrellaUser>>();
  #nextId = 800_001;

  usersOf(organizationId: number): UmbrellaUser[] {
    return [...this.users.values()].filter((u) => u.organizationId === organizationId);
  }

  byEmail(organizationId: number, email: string): UmbrellaUser | undefined {
    const key = email.toLowerCase();
    return this.usersOf(organizationId).find((u) => u.email.toLowerCase() === key);
  }

  add(organizationId: number, fields: Omit<UmbrellaUser, 'id' | 'organizationId' | 'twoFactorEnable'> & { twoFactorEnable?: boolean }): UmbrellaUser {
    const user: UmbrellaUser = { id: this.#nextId++, organizationId, twoFactorEnable: false, ...fields };
    this.users.set(user.id, user);
    this.deleted.get(organizationId)?.delete(user.email.toLowerCase());
    return user;
  }

  seed(organizationId: number, users: readonly SeedUser[]): UmbrellaUser[] {
    return users.map((u) => {
      const roleId = typeof u.role === 'number' ? u.role : (V1_ROLES.find((r) => r.label === u.role)?.roleId ?? READ_ONLY);
      const [first = '', ...rest] = (u.name ?? '').split(' ');
      const firstname = u.firstname ?? first;
      const lastname = u.lastname ?? rest.join(' ');
      return this.add(organizationId, { email: u.email, firstname, lastname, name: u.name ?? [firstname, lastname].filter(Boolean).join(' '), roleId, timezone: u.timezone ?? 'UTC', status: u.status ?? 'active' });
    });
  }

  /** Why this user may not be deleted, or undefined: the last Full Admin of an organization stays. */
  undeletable(user: UmbrellaUser): string | undefined {
    if (user.roleId !== FULL_ADMIN) return undefined;
    const admins = this.usersOf(user.organizationId).filter((u) => u.roleId === FULL_ADMIN);
    return admins.length <= 1 ? 'Cannot delete the last Full Admin of the organization' : undefined;
  }

  remove(user: UmbrellaUser): void {
    this.users.delete(user.id);
    let deleted = this.deleted.get(user.organizationId);
    if (!deleted) this.deleted.set(user.organizationId, (deleted = new Map()));
    deleted.set(user.email.toLowerCase(), { ...user });
  }

  /** The person clicks the link in the invitation email. */
  accept(ref: number | string): UmbrellaUser {
    const user = typeof ref === 'number' ? this.users.get(ref) : [...this.users.values()].find((u) => u.email.toLowerCase() === ref.toLowerCase());
    if (!user) throw new Error(`no Umbrella user ${ref}`);
    user.status = 'active';
    return user;
  }
}
