import { z } from 'zod';
import type { Person } from '../core/person.ts';

const optionalText = z
  .union([z.string(), z.null()])
  .optional()
  .transform((v) => (v === null || v === undefined || v.trim() === '' ? undefined : v.trim()));

const list = z
  .union([z.array(z.string()), z.string(), z.null()])
  .optional()
  .transform((v) => (Array.isArray(v) ? v : (v ?? '').split(/[;|]/)).map((s) => s.trim()).filter(Boolean));

const flag = z
  .union([z.boolean(), z.string(), z.null()])
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v === null || v === '') return true;
    if (typeof v === 'boolean') return v;
    const text = v.trim().toLowerCase();
    if (['true', 'yes', '1', 'active'].includes(text)) return true;
    if (['false', 'no', '0', 'inactive', 'disabled'].includes(text)) return false;
    ctx.addIssue({ code: 'custom', message: `active must be true or false, not "${v}"` });
    return z.NEVER;
  });

const email = z.email({ message: 'not an email address' });

/** One person as a CSV row or JSON object gives it; names as in SCIM (userName, givenName, ...). */
const personRecord = z.object({
  id: optionalText,
  externalId: optionalText,
  userName: z.string({ message: 'userName is required' }).trim().min(1, 'userName is required'),
  displayName: optionalText,
  givenName: optionalText,
  familyName: optionalText,
  email: optionalText.pipe(email.optional()),
  emails: list,
  active: flag,
  department: optionalText,
  title: optionalText,
  managerId: optionalText,
  groups: list,
});

export interface ParsedPeople {
  people: Person[];
  problems: string[];
}

/** Validates imported records; `row` numbers in problems count from 1 as a spreadsheet does (after the header). */
export function parsePeopleRecords(records: readonly unknown[], rowOffset = 1): ParsedPeople {
  const people: Person[] = [];
  const problems: string[] = [];
  const seen = new Map<string, number>();
  records.forEach((record, index) => {
    const row = index + rowOffset;
    const parsed = personRecord.safeParse(record);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) problems.push(`row ${row}${issue.path.length ? ` ${issue.path.join('.')}` : ''}: ${issue.message}`);
      return;
    }
    const r = parsed.data;
    const primary = r.email ?? (r.userName.includes('@') ? r.userName : undefined);
    const emails = [...new Set([primary, ...r.emails].filter((e): e is string => !!e))];
    const id = r.id ?? r.externalId ?? r.userName.toLowerCase();
    const key = r.userName.toLowerCase();
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      problems.push(`row ${row}: userName ${r.userName} already given in row ${earlier}`);
      return;
    }
    seen.set(key, row);
    people.push({
      id,
      externalId: r.externalId,
      userName: r.userName,
      displayName: r.displayName ?? ([r.givenName, r.familyName].filter(Boolean).join(' ') || undefined),
      givenName: r.givenName,
      familyName: r.familyName,
      email: primary,
      emails,
      active: r.active,
      department: r.department,
      title: r.title,
      managerId: r.managerId,
      groups: r.groups,
    });
  });
  return { people, problems };
}
