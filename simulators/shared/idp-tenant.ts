// A seeded, realistic IdP tenant for the Entra and Okta simulators: the sample organisation's
// people (departments, titles, managers, a few leavers) and groups — department groups from the
// sample org plus team groups up to the count asked, every tenth team nested in the one before.
import { generateOrganisation } from '../../src/core/sample-org.ts';

export interface SeedPerson {
  /** Stable index-based key (p-000001). */
  key: string;
  givenName: string;
  familyName: string;
  displayName: string;
  email: string;
  department: string;
  title: string;
  employeeId: string;
  managerKey: string | undefined;
  active: boolean;
}

export interface SeedGroup {
  key: string;
  name: string;
  /** People directly in the group. */
  memberKeys: string[];
  /** Groups nested directly in this group. */
  groupKeys: string[];
}

export interface SeedTenant {
  people: SeedPerson[];
  groups: SeedGroup[];
}

export function seedTenant(options: { people: number; groups: number; seed?: number; domain?: string }): SeedTenant {
  const org = generateOrganisation({ size: options.people, seed: options.seed ?? 7, domain: options.domain ?? 'contoso.example' });
  const people: SeedPerson[] = org.map((p) => ({
    key: p.id,
    givenName: p.givenName ?? '',
    familyName: p.familyName ?? '',
    displayName: p.displayName ?? p.userName,
    email: p.email ?? p.userName,
    department: p.department ?? 'Executive',
    title: p.title ?? '',
    employeeId: p.externalId ?? p.id,
    managerKey: p.managerId,
    active: p.active,
  }));
  const byName = new Map<string, SeedGroup>();
  if (options.groups > 0) {
    org.forEach((p) => {
      for (const name of p.groups) {
        if (!byName.has(name) && byName.size >= options.groups) continue;
        let group = byName.get(name);
        if (!group) byName.set(name, (group = { key: `g-${String(byName.size).padStart(5, '0')}`, name, memberKeys: [], groupKeys: [] }));
        group.memberKeys.push(p.id);
      }
    });
  }
  const groups = [...byName.values()];
  const teams = Math.max(0, options.groups - groups.length);
  const teamGroups: SeedGroup[] = [];
  for (let t = 0; t < teams; t += 1) teamGroups.push({ key: `g-${String(groups.length + t).padStart(5, '0')}`, name: `team-${String(t + 1).padStart(4, '0')}`, memberKeys: [], groupKeys: [] });
  if (teams > 0) people.forEach((p, i) => teamGroups[i % teams]?.memberKeys.push(p.key));
  teamGroups.forEach((g, t) => {
    const previous = teamGroups[t - 1];
    if (t % 10 === 0 && previous) g.groupKeys.push(previous.key);
  });
  return { people, groups: [...groups, ...teamGroups] };
}
