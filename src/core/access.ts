import type { Person } from './person.ts';
import { desiredGroups, desiredRole, type AppPolicy } from './policy.ts';

export interface PolicyVerdict {
  /** Whether the policy gives the person an account in the app. */
  assigned: boolean;
  /** The rule that decided it, in words. */
  rule: string;
  /** What the person's account gets when they leave. */
  leaver: AppPolicy['leaver'];
  role?: string | undefined;
  groups: string[];
}

/** Which policy rule gives (or does not give) a person an account in an app, in words. */
export function policyVerdict(person: Person, policy: AppPolicy): PolicyVerdict {
  const base = { leaver: policy.leaver, role: desiredRole(person, policy), groups: desiredGroups(person, policy) };
  if (!person.active) return { assigned: false, rule: `the person is inactive in the IdP (a leaver): their account gets ${policy.leaver === 'delete' ? 'deleted' : 'deactivated'}`, ...base, role: undefined, groups: [] };
  const { everyone, groups, departments } = policy.assign;
  if (everyone) return { assigned: true, rule: 'assign.everyone: every active person gets an account', ...base };
  const group = groups.find((g) => person.groups.includes(g));
  if (group !== undefined) return { assigned: true, rule: `assign.groups: the person is in IdP group ${group}`, ...base };
  if (person.department !== undefined && departments.includes(person.department)) return { assigned: true, rule: `assign.departments: the person is in department ${person.department}`, ...base };
  const listed = [...groups.map((g) => `group ${g}`), ...departments.map((d) => `department ${d}`)];
  return { assigned: false, rule: `not assigned: the policy gives accounts to ${listed.length > 0 ? listed.join(', ') : 'nobody'}, and the person is in none of them`, ...base, role: undefined, groups: [] };
}
