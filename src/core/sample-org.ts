import type { Person } from './person.ts';
import { pick, seededRandom } from './random.ts';

const givenNames = ['Amara', 'Ben', 'Chloé', 'Dev', 'Elena', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jonas', 'Kemi', 'Liam', 'Maya', 'Noah', 'Olga', 'Priya', 'Quentin', 'Rosa', 'Sami', 'Tara', 'Umar', 'Vera', 'Wen', 'Ximena', 'Yusuf', 'Zoe', 'Aiko', 'Bruno', 'Carmen', 'Diego', 'Esther', 'Felix', 'Gita', 'Hugo', 'Ivana', 'Jamal', 'Katja', 'Luca', 'Mei', 'Nils', 'Oscar', 'Paula', 'Rahul', 'Sofia', 'Tomás', 'Ulla', 'Viktor', 'Yara'];
const familyNames = ['Okafor', 'Schmidt', 'Dubois', 'Patel', 'Rossi', 'Haddad', 'Kim', 'Tanaka', 'García', 'Nowak', 'Adeyemi', 'Murphy', 'Cohen', 'Novak', 'Ivanova', 'Sharma', 'Lefèvre', 'Silva', 'Nakamura', 'Andersson', 'Khan', 'Moreau', 'Li', 'Hernández', 'Yilmaz', 'Jensen', 'Sato', 'Costa', 'Fischer', 'Mendes', 'Berg', 'Kowalski', 'Duarte', 'Mwangi', 'Larsen', 'Wagner', 'Chen', 'Romero', 'Bianchi', 'Popescu'];

/** Departments with their share of the company and the titles people in them hold. */
const departments: { name: string; weight: number; titles: string[]; groups: string[] }[] = [
  { name: 'Engineering', weight: 30, titles: ['Software Engineer', 'Senior Software Engineer', 'Staff Engineer', 'Engineering Manager'], groups: ['engineering', 'vpn-users', 'github'] },
  { name: 'Sales', weight: 20, titles: ['Account Executive', 'Sales Development Rep', 'Sales Manager'], groups: ['sales', 'crm-users'] },
  { name: 'Customer Support', weight: 12, titles: ['Support Engineer', 'Support Lead'], groups: ['support', 'crm-users'] },
  { name: 'Marketing', weight: 9, titles: ['Marketing Manager', 'Content Strategist', 'Designer'], groups: ['marketing'] },
  { name: 'Finance', weight: 7, titles: ['Accountant', 'Financial Analyst', 'Controller'], groups: ['finance', 'erp-users'] },
  { name: 'People', weight: 5, titles: ['HR Business Partner', 'Recruiter'], groups: ['people-team'] },
  { name: 'IT', weight: 6, titles: ['IT Administrator', 'Systems Engineer'], groups: ['it', 'vpn-users', 'security-admins'] },
  { name: 'Security', weight: 4, titles: ['Security Engineer', 'Security Analyst'], groups: ['security', 'vpn-users', 'security-admins'] },
  { name: 'Legal', weight: 3, titles: ['Counsel', 'Paralegal'], groups: ['legal'] },
  { name: 'Operations', weight: 4, titles: ['Operations Manager', 'Office Manager'], groups: ['operations'] },
];

export interface SampleOrgOptions {
  size?: number;
  seed?: number;
  domain?: string;
  /** Share of people who have left (inactive). */
  leaverShare?: number;
}

/**
 * A realistic organisation: a CEO, department heads reporting to the CEO, everyone else reporting
 * to their head; titles and groups by department; unique userNames; a few leavers.
 */
export function generateOrganisation(options: SampleOrgOptions = {}): Person[] {
  const size = options.size ?? 250;
  const domain = options.domain ?? 'acme.example';
  const random = seededRandom(options.seed ?? 1);
  const leaverShare = options.leaverShare ?? 0.03;
  const used = new Map<string, number>();
  const people: Person[] = [];
  const totalWeight = departments.reduce((sum, d) => sum + d.weight, 0);
  const heads = new Map<string, string>();

  const makePerson = (index: number, department: (typeof departments)[number] | undefined, title: string): Person => {
    const givenName = pick(random, givenNames);
    const familyName = pick(random, familyNames);
    const base = `${ascii(givenName)}.${ascii(familyName)}`;
    const count = (used.get(base) ?? 0) + 1;
    used.set(base, count);
    const local = count === 1 ? base : `${base}${count}`;
    const email = `${local}@${domain}`;
    const groups = ['all-staff', ...(department?.groups ?? ['leadership'])];
    return {
      id: `p-${String(index).padStart(6, '0')}`,
      externalId: `emp-${String(10000 + index)}`,
      userName: email,
      displayName: `${givenName} ${familyName}`,
      givenName,
      familyName,
      email,
      emails: [email],
      active: true,
      department: department?.name ?? 'Executive',
      title,
      managerId: undefined,
      groups,
    };
  };

  people.push(makePerson(0, undefined, 'Chief Executive Officer'));
  for (let index = 1; index < size; index += 1) {
    let roll = random() * totalWeight;
    const department = departments.find((d) => (roll -= d.weight) < 0) ?? departments[0];
    if (!department) throw new Error('no departments');
    const head = heads.get(department.name);
    const title = head ? pick(random, department.titles) : `Head of ${department.name}`;
    const person = makePerson(index, department, title);
    person.managerId = head ?? people[0]?.id;
    if (!head) heads.set(department.name, person.id);
    else if (random() < leaverShare) person.active = false;
    people.push(person);
  }
  return people;
}

function ascii(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
}
