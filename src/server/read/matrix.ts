// People × apps, computed in SQL so a page of a 100,000-person tenant costs a page of work: each
// cell's state follows the same rules as src/core/findings.ts (findIssues, driftedFields).
import type { AppPolicy } from '../../core/policy.ts';
import type { Queryable } from '../../store/database.ts';

export const cellStates = ['linked', 'missing', 'orphan', 'drift', 'pending', 'deactivated', 'leaver', 'held', 'none'] as const;
export type CellState = (typeof cellStates)[number];
/** The states that are something to fix (or wait for): what "problem" filters by. */
export const problemStates = ['missing', 'orphan', 'drift', 'pending', 'leaver', 'held'] as const;
export type Problem = (typeof problemStates)[number];

export interface PersonRow {
  id: string;
  userName: string;
  displayName: string | null;
  email: string | null;
  department: string | null;
  title: string | null;
  active: boolean;
}

export interface Cell {
  app: string;
  state: CellState;
  remoteId: string | null;
}

export interface MatrixQuery {
  /** Part of a name, userName or email (case-insensitive). */
  search?: string | undefined;
  department?: string | undefined;
  /** Only these apps' cells count for `problem` (and are shown). */
  app?: string | undefined;
  problem?: Problem | undefined;
  limit: number;
  /** The lower-cased userName of the last row of the previous page. */
  after?: string | undefined;
  offset?: number | undefined;
}

export interface MatrixPage {
  apps: string[];
  people: (PersonRow & { cells: Cell[] })[];
  /** Give as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/** The policy of each configured app, as far as the matrix needs it: who is assigned. */
export type AssignRules = Record<string, AppPolicy['assign']>;

/** SQL of a person's state in one app; needs p (people), ap (apps), a (their account or null), pol (assign rules jsonb). */
const stateSql = `case
  when a.remote_id is null then
    case when p.active and (pol.everyone or p.groups ?| pol.groups or p.department = any(pol.departments)) then 'missing' else 'none' end
  when not p.active and (a.active or a.pending is not null) then 'leaver'
  when not p.active then 'deactivated'
  when a.pending is not null then 'pending'
  when not a.active
    or (a.display_name is not null and p.display_name is not null and a.display_name <> p.display_name)
    or (a.email is not null and p.email is not null and lower(a.email) <> lower(p.email))
    or (a.department is not null and p.department is not null and a.department <> p.department)
    or (a.title is not null and p.title is not null and a.title <> p.title) then 'drift'
  else 'linked' end`;

/** Each app with this person's account in it; p is the person (an outer query's row, or joined before). */
const appsWithAccount = `apps ap
  join (select x.name, coalesce(x.everyone, true) as everyone, coalesce(array(select jsonb_array_elements_text(x.groups)), '{}') as groups,
               coalesce(array(select jsonb_array_elements_text(x.departments)), '{}') as departments
          from jsonb_each($1::jsonb) as e(name, v) cross join lateral jsonb_to_record(e.v || jsonb_build_object('name', e.name)) as x(name text, everyone boolean, groups jsonb, departments jsonb)
        union all select ap2.name, true, '{}', '{}' from apps ap2 where not ($1::jsonb ? ap2.name)) pol on pol.name = ap.name
  left join links l on l.app_name = ap.name and l.person_id = p.id
  left join accounts a on a.sync_id = ap.current_sync_id and a.remote_id = l.remote_id`;
const cellJoin = `cross join ${appsWithAccount}`;

/**
 * Changes held for approval in plans still open, by app and person: shown as "held" over the
 * account's own state. Bounded by the open plans, which a person must decide on anyway.
 */
export async function heldChanges(db: Queryable, personIds?: readonly string[]): Promise<Set<string>> {
  const rows = await db.query<{ app: string; person: string }>(
    `select distinct c.app, c.person_id as person
       from plans pl join plan_changes c on c.plan_id = pl.id
      where pl.status in ('planned', 'applying') and c.needs_approval and c.person_id is not null
        and ($1::text[] is null or c.person_id = any($1::text[]))
        and not exists (select 1 from approvals d where d.plan_id = pl.id and (d.change_id is null or d.change_id = c.change_id))
        and not exists (select 1 from operations o where o.plan_id = pl.id and o.change_id = c.change_id and o.state in ('done', 'skipped'))`,
    [personIds ? [...personIds] : null],
  );
  return new Set(rows.map((r) => `${r.app}\u0000${r.person}`));
}

interface RawPerson {
  id: string;
  user_name: string;
  display_name: string | null;
  email: string | null;
  department: string | null;
  title: string | null;
  active: boolean;
}

const toPersonRow = (r: RawPerson): PersonRow => ({ id: r.id, userName: r.user_name, displayName: r.display_name, email: r.email, department: r.department, title: r.title, active: r.active });

/** One page of people (ordered by userName) with a cell per app. */
export async function matrixPage(db: Queryable, assign: AssignRules, query: MatrixQuery): Promise<MatrixPage> {
  const apps = (await db.query<{ name: string }>('select name from apps order by name')).map((r) => r.name).filter((name) => !query.app || name === query.app);
  // Orphans belong to nobody, so they have no row here: orphanAccounts lists them.
  if (query.problem === 'orphan') return { apps, people: [], nextCursor: null };
  const held = query.problem === 'held' ? [...(await heldChanges(db))].map((k) => k.split('\u0000')).filter(([app]) => !query.app || app === query.app).map(([, person]) => person ?? '') : null;
  const search = query.search ? `%${query.search.toLowerCase().replace(/[\\%_]/g, (ch) => `\\${ch}`)}%` : null;
  const problemFilter = query.problem && query.problem !== 'held'
    ? `and exists (select 1 from ${appsWithAccount} where ($6::text is null or ap.name = $6) and ${stateSql} = $7)`
    : 'and ($6::text is null or true) and ($7::text is null or true)';
  const rows = await db.query<RawPerson>(
    `select p.id, p.user_name, p.display_name, p.email, p.department, p.title, p.active from people p
      where ($2::text is null or lower(p.user_name) like $2 or lower(coalesce(p.display_name, '')) like $2 or lower(coalesce(p.email, '')) like $2)
        and ($3::text is null or p.department = $3)
        and ($4::text is null or lower(p.user_name) > $4)
        and ($8::text[] is null or p.id = any($8::text[]))
        ${problemFilter}
        and ($1::jsonb is not null)
      order by lower(p.user_name) limit $5 offset $9`,
    [JSON.stringify(assign), search, query.department ?? null, query.after ?? null, query.limit + 1, query.app ?? null, query.problem ?? null, held, query.after ? 0 : (query.offset ?? 0)],
  );
  const page = rows.slice(0, query.limit).map(toPersonRow);
  const cells = await cellsFor(db, assign, page.map((p) => p.id), apps);
  const last = page.at(-1);
  return {
    apps,
    people: page.map((p) => ({ ...p, cells: apps.map((app) => cells.get(`${app}\u0000${p.id}`) ?? { app, state: 'none', remoteId: null }) })),
    nextCursor: rows.length > query.limit && last ? last.userName.toLowerCase() : null,
  };
}

/** The cells of these people in these apps, keyed by app and person id. */
export async function cellsFor(db: Queryable, assign: AssignRules, personIds: readonly string[], apps: readonly string[]): Promise<Map<string, Cell>> {
  if (personIds.length === 0 || apps.length === 0) return new Map();
  const rows = await db.query<{ person_id: string; app: string; state: CellState; remote_id: string | null }>(
    `select p.id as person_id, ap.name as app, ${stateSql} as state, a.remote_id from people p ${cellJoin}
      where p.id = any($2::text[]) and ap.name = any($3::text[])`,
    [JSON.stringify(assign), [...personIds], [...apps]],
  );
  const held = await heldChanges(db, personIds);
  return new Map(rows.map((r) => [`${r.app}\u0000${r.person_id}`, { app: r.app, state: held.has(`${r.app}\u0000${r.person_id}`) ? 'held' : r.state, remoteId: r.remote_id }]));
}

export interface StateCounts {
  app: string;
  counts: Record<CellState, number>;
}

/** How many people are in each state, per app, plus each app's orphans: the overview's numbers. */
export async function stateCounts(db: Queryable, assign: AssignRules): Promise<StateCounts[]> {
  const rows = await db.query<{ app: string; state: CellState; n: number }>(
    `select ap.name as app, ${stateSql} as state, count(*)::int as n from people p ${cellJoin} group by 1, 2`,
    [JSON.stringify(assign)],
  );
  const orphans = await db.query<{ app: string; n: number }>(
    `select ap.name as app, count(*)::int as n from apps ap join accounts a on a.sync_id = ap.current_sync_id
      where not exists (select 1 from links l join people p on p.id = l.person_id where l.app_name = ap.name and l.remote_id = a.remote_id) group by 1`,
  );
  const held = await heldChanges(db);
  const apps = (await db.query<{ name: string }>('select name from apps order by name')).map((r) => r.name);
  return apps.map((app) => {
    const counts = Object.fromEntries(cellStates.map((s) => [s, 0])) as Record<CellState, number>;
    for (const r of rows) if (r.app === app) counts[r.state] += r.n;
    counts.orphan = orphans.find((o) => o.app === app)?.n ?? 0;
    counts.held = [...held].filter((k) => k.startsWith(`${app}\u0000`)).length;
    return { app, counts };
  });
}

export interface OrphanRow {
  app: string;
  remoteId: string;
  userName: string | null;
  email: string | null;
  displayName: string | null;
  active: boolean;
}

/** Accounts nobody owns, by app, paged by remote id. */
export async function orphanAccounts(db: Queryable, options: { app?: string | undefined; limit: number; offset: number }): Promise<OrphanRow[]> {
  const rows = await db.query<{ app: string; remote_id: string; user_name: string | null; email: string | null; display_name: string | null; active: boolean }>(
    `select ap.name as app, a.remote_id, a.user_name, a.email, a.display_name, a.active from apps ap join accounts a on a.sync_id = ap.current_sync_id
      where ($1::text is null or ap.name = $1)
        and not exists (select 1 from links l join people p on p.id = l.person_id where l.app_name = ap.name and l.remote_id = a.remote_id)
      order by ap.name, a.remote_id limit $2 offset $3`,
    [options.app ?? null, options.limit, options.offset],
  );
  return rows.map((r) => ({ app: r.app, remoteId: r.remote_id, userName: r.user_name, email: r.email, displayName: r.display_name, active: r.active }));
}

export async function departments(db: Queryable): Promise<string[]> {
  // A loose index scan: one index probe per department instead of reading every person.
  const rows = await db.query<{ department: string }>(
    `with recursive d(department) as (
       (select department from people where department is not null order by department limit 1)
       union all
       select (select p.department from people p where p.department > d.department order by p.department limit 1) from d where d.department is not null)
     select department from d where department is not null limit 500`,
  );
  return rows.map((r) => r.department);
}
