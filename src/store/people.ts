import type { LinkablePerson } from '../core/links.ts';
import type { Person } from '../core/person.ts';
import type { ImportedPerson } from '../sources/person-input.ts';
import type { Queryable } from './database.ts';
import { inSlices, readByKey } from './keyset.ts';

const personColumns = 'id, external_id, user_name, display_name, given_name, family_name, email, emails, active, department, title, manager_id, groups';

interface PersonRow {
  id: string;
  external_id: string | null;
  user_name: string;
  display_name: string | null;
  given_name: string | null;
  family_name: string | null;
  email: string | null;
  emails: string[];
  active: boolean;
  department: string | null;
  title: string | null;
  manager_id: string | null;
  groups: string[];
}

/**
 * Inserts or updates people by id; returns how many were new. A person whose `active` is
 * undefined keeps their state when they exist already and is active when new. Two statements:
 * run it in a transaction, so a refused write leaves nobody half renamed.
 */
export async function upsertPeople(db: Queryable, people: readonly (Person | ImportedPerson)[], source: string): Promise<{ created: number; updated: number }> {
  if (people.length === 0) return { created: 0, updated: 0 };
  const activeUnsaid = people.filter((p) => p.active === undefined).map((p) => p.id);
  const rows = people.map((p) => ({
    id: p.id,
    external_id: p.externalId ?? null,
    user_name: p.userName,
    display_name: p.displayName ?? null,
    given_name: p.givenName ?? null,
    family_name: p.familyName ?? null,
    email: p.email ?? null,
    emails: p.emails,
    active: p.active ?? true,
    department: p.department ?? null,
    title: p.title ?? null,
    manager_id: p.managerId ?? null,
    groups: p.groups,
  }));
  // A userName passed from one person to another within this write (a swap, or a leaver's address
  // given to a joiner) would clash row by row although the end state is unique: free them first.
  await db.query(
    `update people p set user_name = $2 || p.id
       from jsonb_to_recordset($1::jsonb) as x(id text, user_name text)
      where p.id = x.id and lower(p.user_name) <> lower(x.user_name)`,
    [JSON.stringify(rows.map((r) => ({ id: r.id, user_name: r.user_name }))), '\u0001renaming:'],
  );
  const result = await db.query<{ created: boolean }>(
    `insert into people (id, external_id, user_name, display_name, given_name, family_name, email, emails, active, department, title, manager_id, groups, source)
     select x.id, x.external_id, x.user_name, x.display_name, x.given_name, x.family_name, x.email, x.emails, x.active, x.department, x.title, x.manager_id, x.groups, $2
       from jsonb_to_recordset($1::jsonb) as x(id text, external_id text, user_name text, display_name text, given_name text, family_name text,
            email text, emails jsonb, active boolean, department text, title text, manager_id text, groups jsonb)
     on conflict (id) do update set
       external_id = excluded.external_id, user_name = excluded.user_name, display_name = excluded.display_name,
       given_name = excluded.given_name, family_name = excluded.family_name, email = excluded.email, emails = excluded.emails,
       active = case when excluded.id = any($3::text[]) then people.active else excluded.active end, department = excluded.department, title = excluded.title, manager_id = excluded.manager_id,
       groups = excluded.groups, source = excluded.source, updated_at = now()
     returning (xmax = 0) as created`,
    [JSON.stringify(rows), source, activeUnsaid],
  );
  const created = result.filter((r) => r.created).length;
  return { created, updated: result.length - created };
}

export interface UserNameClash {
  personId: string;
  userName: string;
  /** The person in the store who holds that userName already. */
  heldBy: string;
}

/**
 * userNames these people would take from someone else in the store: a person not among them who
 * holds the same userName (whatever the case) keeps it, so the write would break uniqueness.
 */
export async function userNameClashes(db: Queryable, people: readonly Pick<Person, 'id' | 'userName'>[]): Promise<UserNameClash[]> {
  if (people.length === 0) return [];
  const held = await db.query<{ id: string; user_name: string }>(
    'select id, user_name from people where lower(user_name) = any($1::text[]) and not (id = any($2::text[]))',
    [people.map((p) => p.userName.toLowerCase()), people.map((p) => p.id)],
  );
  const holders = new Map(held.map((row) => [row.user_name.toLowerCase(), row.id]));
  return people.flatMap((p) => {
    const heldBy = holders.get(p.userName.toLowerCase());
    return heldBy === undefined ? [] : [{ personId: p.id, userName: p.userName, heldBy }];
  });
}

export async function listPeople(db: Queryable): Promise<Person[]> {
  const rows = await readByKey<PersonRow>(
    db,
    `select ${personColumns} from people where ($1::text is null or id > $1) order by id limit $2`,
    [],
    'id',
  );
  return rows.map(toPerson);
}

/** Every person, with just what linking matches accounts by (a third of a whole person to read). */
export async function listPeopleForLinking(db: Queryable): Promise<LinkablePerson[]> {
  const rows = await readByKey<Pick<PersonRow, 'id' | 'external_id' | 'user_name' | 'email' | 'emails'>>(
    db,
    'select id, external_id, user_name, email, emails from people where ($1::text is null or id > $1) order by id limit $2',
    [],
    'id',
  );
  return rows.map((row) => ({ id: row.id, externalId: row.external_id ?? undefined, userName: row.user_name, email: row.email ?? undefined, emails: row.emails }));
}

/** Just these people (by id), for re-checking a change against its person's current state. */
export async function peopleByIds(db: Queryable, ids: readonly string[]): Promise<Person[]> {
  if (ids.length === 0) return [];
  const rows = await db.query<PersonRow>(`select ${personColumns} from people where id = any($1::text[]) order by id`, [ids]);
  return rows.map(toPerson);
}

/** The people named, by id or by userName (any case): whom a plan narrowed to them plans for. */
export async function peopleNamed(db: Queryable, names: readonly string[]): Promise<Person[]> {
  const found: Person[] = [];
  // A group push can name a whole tenant: a slice at a time (see readByKey for why).
  await inSlices(names, async (slice) => {
    const rows = await db.query<PersonRow>(
      `select ${personColumns} from people where id = any($1::text[]) or lower(user_name) = any($2::text[])`,
      [slice, slice.map((n) => n.toLowerCase())],
    );
    for (const row of rows) found.push(toPerson(row));
  });
  // A person named twice (by id in one slice, by userName in another) is one person.
  return [...new Map(found.map((p) => [p.id, p])).values()];
}

export async function countPeople(db: Queryable): Promise<{ total: number; active: number }> {
  const [row] = await db.query<{ total: number; active: number }>('select count(*)::int as total, count(*) filter (where active)::int as active from people');
  return row ?? { total: 0, active: 0 };
}

function toPerson(row: PersonRow): Person {
  return {
    id: row.id,
    externalId: row.external_id ?? undefined,
    userName: row.user_name,
    displayName: row.display_name ?? undefined,
    givenName: row.given_name ?? undefined,
    familyName: row.family_name ?? undefined,
    email: row.email ?? undefined,
    emails: row.emails,
    active: row.active,
    department: row.department ?? undefined,
    title: row.title ?? undefined,
    managerId: row.manager_id ?? undefined,
    groups: row.groups,
  };
}
