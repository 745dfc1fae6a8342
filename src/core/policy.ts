import type { Person } from './person.ts';

/** Attributes roster can keep in step in an app; the rest it leaves alone. */
export const manageableAttributes = ['displayName', 'givenName', 'familyName', 'email', 'department', 'title'] as const;
export type ManagedAttribute = (typeof manageableAttributes)[number];

/** The desired state of one app: who gets an account, with what, and what needs a second person. */
export interface AppPolicy {
  /** Active people get an account when they match: everyone, or any listed IdP group or department. */
  assign: { everyone: boolean; groups: string[]; departments: string[] };
  /** Attributes roster keeps equal to the person's. */
  manage: ManagedAttribute[];
  /** App group ← IdP group. Only these app groups are managed; others are never touched. */
  groups: Record<string, string>;
  /** Role by IdP group, first match wins; defaultRole otherwise (no role managed when both absent). */
  roles: { group: string; role: string }[];
  defaultRole?: string | undefined;
  /** What a leaver's account gets. */
  leaver: 'deactivate' | 'delete';
  /** What an account nobody owns gets: reported only, or switched off. */
  orphans: 'report' | 'deactivate';
  approval: {
    /** Deletes need a second person. */
    deletes: boolean;
    /** Granting these roles needs a second person. */
    roles: string[];
    /** Any change to these people (userNames) needs a second person. */
    people: string[];
    /**
     * A plan that would deactivate or delete more than this share of the app's accounts is held
     * whole. A plan narrowed to some people (an IdP push) also counts what other plans switched
     * off in the app within the last `withinMinutes`: a mass offboarding arrives one person at a time.
     */
    massChange: { share: number; minimum: number; withinMinutes: number };
  };
}

export const defaultPolicy: AppPolicy = {
  assign: { everyone: true, groups: [], departments: [] },
  manage: ['displayName', 'email', 'department', 'title'],
  groups: {},
  roles: [],
  defaultRole: undefined,
  leaver: 'deactivate',
  orphans: 'report',
  approval: { deletes: true, roles: [], people: [], massChange: { share: 0.1, minimum: 5, withinMinutes: 60 } },
};

/** Whether a person should have an account in the app. */
export function isAssigned(person: Person, policy: AppPolicy): boolean {
  if (!person.active) return false;
  const { everyone, groups, departments } = policy.assign;
  if (everyone) return true;
  if (groups.some((g) => person.groups.includes(g))) return true;
  return person.department !== undefined && departments.includes(person.department);
}

/** The role the person should hold, or undefined when the policy manages no role. */
export function desiredRole(person: Person, policy: AppPolicy): string | undefined {
  for (const rule of policy.roles) if (person.groups.includes(rule.group)) return rule.role;
  return policy.defaultRole;
}

/** The app groups the person should be in, among the groups the policy manages. */
export function desiredGroups(person: Person, policy: AppPolicy): string[] {
  const wanted = new Set<string>();
  for (const [idpGroup, appGroup] of Object.entries(policy.groups)) if (person.groups.includes(idpGroup)) wanted.add(appGroup);
  return [...wanted].sort();
}

export function managedGroups(policy: AppPolicy): Set<string> {
  return new Set(Object.values(policy.groups));
}
