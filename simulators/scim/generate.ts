import { seededRandom } from '../../src/core/random.ts';
import { SCIM } from './protocol.ts';

export interface GenerateUsersOptions {
  /** Email and userName domain. Default 'example.com'. */
  domain?: string;
  /** Index of the first user, so batches can follow each other without clashing. Default 0. */
  startAt?: number;
  /** Varies everything but the names. Default 1. */
  seed?: number;
  /** Share of users that are active. Default 0.95. */
  activeRatio?: number;
  /** enterprise `organization`. Default 'Example Corp'. */
  organization?: string;
}

const FIRST = [
  'Ada', 'Alan', 'Amara', 'Anika', 'Arjun', 'Beatriz', 'Bruno', 'Chen', 'Chloe', 'Dara', 'David', 'Elena', 'Emeka', 'Fatima',
  'Felix', 'Grace', 'Hana', 'Hugo', 'Ines', 'Isaac', 'Jana', 'Jamal', 'Jane', 'Jorge', 'Kai', 'Kenji', 'Lars', 'Layla', 'Leo',
  'Lucia', 'Maya', 'Mateo', 'Mei', 'Nadia', 'Noah', 'Nora', 'Olu', 'Omar', 'Priya', 'Quinn', 'Rafael', 'Rosa', 'Sam', 'Sara',
  'Sofia', 'Tariq', 'Thea', 'Tomas', 'Uma', 'Victor', 'Wei', 'Yara', 'Yusuf', 'Zoe', 'Aiko', 'Björn', 'Camila', 'Dmitri',
  'Esther', 'Giulia', 'Hamid',
];
const LAST = [
  'Abara', 'Andersen', 'Bauer', 'Bianchi', 'Chen', 'Costa', 'Dubois', 'Eriksson', 'Fernandez', 'Fischer', 'Garcia', 'Gupta',
  'Haddad', 'Hansen', 'Ito', 'Jensen', 'Kaur', 'Khan', 'Kim', 'Kowalski', 'Larsen', 'Lopez', 'Martin', 'Meyer', 'Mensah',
  'Moreau', 'Murphy', 'Nakamura', 'Nguyen', 'Novak', "O'Brien", 'Okafor', 'Olsen', 'Park', 'Patel', 'Petrov', 'Popescu',
  'Quispe', 'Rossi', 'Santos', 'Schmidt', 'Silva', 'Singh', 'Smith', 'Sousa', 'Suzuki', 'Tanaka', 'Torres', 'Varga',
  'Wagner', 'Walsh', 'Wang', 'Weber', 'Williams', 'Wong', 'Yilmaz', 'Young', 'Zhang', 'Zimmermann', 'Ålund',
];
const DEPARTMENTS: { name: string; costCenter: string; division: string; titles: string[] }[] = [
  { name: 'Engineering', costCenter: 'CC-100', division: 'Product', titles: ['Software Engineer', 'Senior Software Engineer', 'Staff Engineer', 'Engineering Manager'] },
  { name: 'Security', costCenter: 'CC-110', division: 'Product', titles: ['Security Engineer', 'Security Analyst', 'CISO'] },
  { name: 'IT', costCenter: 'CC-120', division: 'Operations', titles: ['IT Administrator', 'Helpdesk Technician', 'IT Manager'] },
  { name: 'Sales', costCenter: 'CC-200', division: 'Revenue', titles: ['Account Executive', 'Sales Engineer', 'Sales Director'] },
  { name: 'Marketing', costCenter: 'CC-210', division: 'Revenue', titles: ['Marketing Manager', 'Content Strategist', 'Designer'] },
  { name: 'Finance', costCenter: 'CC-300', division: 'Operations', titles: ['Accountant', 'Financial Analyst', 'Controller'] },
  { name: 'Human Resources', costCenter: 'CC-310', division: 'Operations', titles: ['HR Partner', 'Recruiter', 'HR Director'] },
  { name: 'Legal', costCenter: 'CC-320', division: 'Operations', titles: ['Counsel', 'Paralegal'] },
  { name: 'Support', costCenter: 'CC-400', division: 'Customer', titles: ['Support Engineer', 'Support Lead'] },
];
const LANGUAGES = ['en-US', 'en-GB', 'de-DE', 'fr-FR', 'es-ES', 'ja-JP', 'pt-BR'];

function pick<T>(list: readonly T[], r: number): T {
  return list[Math.floor(r * list.length)] as T;
}

function asciiLower(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[^A-Za-z]/g, '')
    .toLowerCase();
}

const FIRST_ASCII = FIRST.map(asciiLower);
const LAST_ASCII = LAST.map(asciiLower);
const COMBOS = FIRST.length * LAST.length;
// A stride coprime with COMBOS spreads consecutive users over different names.
const STRIDE = 2_147;

/**
 * Realistic SCIM user bodies, deterministic: user i is the same whatever `count` is, and
 * userNames are unique (names repeat after every FIRST×LAST users, with a number added).
 */
export function generateUsers(count: number, options: GenerateUsersOptions = {}): Record<string, unknown>[] {
  const domain = options.domain ?? 'example.com';
  const startAt = options.startAt ?? 0;
  const seed = options.seed ?? 1;
  const activeRatio = options.activeRatio ?? 0.95;
  const organization = options.organization ?? 'Example Corp';
  const users: Record<string, unknown>[] = new Array(count);
  for (let n = 0; n < count; n++) {
    const i = startAt + n;
    const k = (i * STRIDE) % COMBOS;
    const f = k % FIRST.length;
    const l = Math.floor(k / FIRST.length);
    const givenName = FIRST[f] as string;
    const familyName = LAST[l] as string;
    const round = Math.floor(i / COMBOS);
    const local = `${FIRST_ASCII[f]}.${LAST_ASCII[l]}${round > 0 ? round + 1 : ''}`;
    const email = `${local}@${domain}`;
    const r = seededRandom(seed * 0x9e3779b1 + i);
    const department = pick(DEPARTMENTS, r());
    const user: Record<string, unknown> = {
      schemas: [SCIM.user, SCIM.enterpriseUser],
      externalId: externalId(r),
      userName: email,
      name: { givenName, familyName, formatted: `${givenName} ${familyName}` },
      displayName: `${givenName} ${familyName}`,
      emails: [{ value: email, type: 'work', primary: true }],
      title: pick(department.titles, r()),
      preferredLanguage: pick(LANGUAGES, r()),
      active: r() < activeRatio,
      [SCIM.enterpriseUser]: {
        employeeNumber: String(100_000 + i),
        department: department.name,
        costCenter: department.costCenter,
        division: department.division,
        organization,
      },
    };
    if (r() < 0.7) {
      user['phoneNumbers'] = [{ value: `+1 555 01${String(i % 100).padStart(2, '0')} ${String(Math.floor(r() * 10_000)).padStart(4, '0')}`, type: 'work' }];
    }
    users[n] = user;
  }
  return users;
}

/** An Entra-objectId-looking GUID. */
function externalId(r: () => number): string {
  let hex = '';
  for (let j = 0; j < 8; j++) hex += Math.floor(r() * 0x10000).toString(16).padStart(4, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${'89ab'[Math.floor(r() * 4)]}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
