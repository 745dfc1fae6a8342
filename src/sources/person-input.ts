import { z } from 'zod';
import type { Person } from '../core/person.ts';

/** Longest text roster takes in one field of a people file; real names, ids and emails are far shorter. */
export const maxFieldLength = 1_024;
/** Most entries in one list field (groups, emails). */
export const maxListEntries = 1_000;

const thousands = (value: number) => value.toLocaleString('en-US');
const tooLong = (length: number) => `${thousands(length)} characters, more than the ${thousands(maxFieldLength)} allowed`;

const optionalText = z
  .union([z.string(), z.null()])
  .optional()
  .transform((v, ctx) => {
    if (typeof v === 'string' && v.length > maxFieldLength) {
      ctx.addIssue({ code: 'custom', message: tooLong(v.length) });
      return z.NEVER;
    }
    return v === null || v === undefined || v.trim() === '' ? undefined : v.trim();
  });

const list = z
  .union([z.array(z.string()), z.string(), z.null()])
  .optional()
  .transform((v, ctx) => {
    const entries = (Array.isArray(v) ? v : (v ?? '').split(/[;|]/)).map((s) => s.trim()).filter(Boolean);
    const long = entries.find((entry) => entry.length > maxFieldLength);
    if (long !== undefined) ctx.addIssue({ code: 'custom', message: `an entry of ${tooLong(long.length)}` });
    else if (entries.length > maxListEntries) ctx.addIssue({ code: 'custom', message: `${thousands(entries.length)} entries, more than the ${thousands(maxListEntries)} allowed` });
    else return entries;
    return z.NEVER;
  });

/** undefined: the record does not say, so an existing person keeps their state (a new one is active). */
const flag = z
  .union([z.boolean(), z.string(), z.null()])
  .optional()
  .transform((v, ctx) => {
    if (typeof v === 'boolean') return v;
    const text = (v ?? '').trim().toLowerCase();
    if (text === '') return undefined;
    if (['true', 'yes', '1', 'active'].includes(text)) return true;
    if (['false', 'no', '0', 'inactive', 'disabled'].includes(text)) return false;
    const shown = text.length > 20 ? `${text.slice(0, 20)}…` : text;
    ctx.addIssue({ code: 'custom', message: `active must be true or false, not "${shown}"` });
    return z.NEVER;
  });

const email = z.email({ message: 'not an email address' });

/** One person as a CSV row or JSON object gives it; names as in SCIM (userName, givenName, ...). */
const personRecord = z.object({
  id: optionalText,
  externalId: optionalText,
  userName: z
    .string({ message: 'userName is required' })
    .max(maxFieldLength, { error: (issue) => tooLong(typeof issue.input === 'string' ? issue.input.length : 0) })
    .trim()
    .min(1, 'userName is required'),
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

/** A person as a file gives them: `active` undefined when the file leaves it out or blank. */
export type ImportedPerson = Omit<Person, 'active'> & { active: boolean | undefined };

export interface ParsedPeople {
  people: ImportedPerson[];
  /** The file row of each person, as counted in problems. */
  rows: number[];
  problems: string[];
}

/** Validates imported records; `row` numbers in problems count from 1 as a spreadsheet does (after the header). */
export function parsePeopleRecords(records: readonly unknown[], rowOffset = 1): ParsedPeople {
  const people: ImportedPerson[] = [];
  const rows: number[] = [];
  const problems: string[] = [];
  const seenUserNames = new Map<string, number>();
  const seenIds = new Map<string, number>();
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
    const earlierUserName = seenUserNames.get(r.userName.toLowerCase());
    if (earlierUserName !== undefined) {
      problems.push(`row ${row}: userName ${r.userName} already given in row ${earlierUserName}`);
      return;
    }
    const earlierId = seenIds.get(id);
    if (earlierId !== undefined) {
      problems.push(`row ${row}: id ${id} already given in row ${earlierId}`);
      return;
    }
    seenUserNames.set(r.userName.toLowerCase(), row);
    seenIds.set(id, row);
    rows.push(row);
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
  return { people, rows, problems };
}
