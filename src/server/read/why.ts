import type { AppPolicy } from '../../core/policy.ts';

/** Why the policy gives (or does not give) this person an account in the app, in words. */
export function assignmentReason(person: { active: boolean; groups: readonly string[]; department: string | null }, policy: AppPolicy | undefined): { assigned: boolean; rule: string } {
  if (!policy) return { assigned: false, rule: 'the app is not configured any more: no policy assigns it' };
  if (!person.active) return { assigned: false, rule: 'inactive in the IdP (a leaver): policy gives leavers no account' };
  const { everyone, groups, departments } = policy.assign;
  if (everyone) return { assigned: true, rule: 'policy assigns the app to everyone active' };
  const group = groups.find((g) => person.groups.includes(g));
  if (group) return { assigned: true, rule: `policy assigns the app to IdP group ${group}, which the person is in` };
  if (person.department !== null && departments.includes(person.department)) return { assigned: true, rule: `policy assigns the app to department ${person.department}` };
  const by = [...groups.map((g) => `group ${g}`), ...departments.map((d) => `department ${d}`)];
  return { assigned: false, rule: `policy assigns the app only to ${by.join(', ') || 'nobody'}; the person matches none` };
}
