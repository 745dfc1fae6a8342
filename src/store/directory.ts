// People and groups as SCIM resources: what the inbound endpoint reads and writes. Filters run
// here, in SQL (src/scim/filter-sql.ts), never by loading everyone.
import { auditInsertOfWrites, writesAudit, type AuditInsert } from '../audit/trail.ts';
import type { Filter } from '../scim/filter-ast.ts';
import { filterToSql, indexedComparison, sortExpression, type IndexedColumn } from '../scim/filter-sql.ts';
import type { AttributePath } from '../scim/attribute-path.ts';
import { groupResourceType, userResourceType, type ResourceTypeDefinition } from '../scim/resource-schemas.ts';
import { SCIM } from '../scim/schemas.ts';
import type { Queryable } from './database.ts';
import type { Anchor } from './page-anchors.ts';
import type { UserState, UserStateCache } from './user-states.ts';

export type Doc = Record<string, unknown>;
export type { UserState } from './user-states.ts';

export interface ListQuery {
  filter?: Filter | undefined;
  sort?: { by: string; path: AttributePath; descending: boolean } | undefined;
  /** 0-based. */
  offset: number;
  count: number;
  /** Groups: include members (Entra asks for excludedAttributes=members). Default true. */
  members?: boolean;
}

export interface ListResult {
  total: number;
  resources: Doc[];
}

const userIndexed: Record<string, IndexedColumn> = {
  id: { column: 'p.id', lower: false },
  username: { column: 'p.user_name', lower: true },
  externalid: { column: 'p.external_id', lower: false },
};
const groupIndexed: Record<string, IndexedColumn> = {
  id: { column: 'g.id', lower: false },
  displayname: { column: 'g.display_name', lower: true },
  externalid: { column: 'g.external_id', lower: false },
};

interface Shape {
  type: ResourceTypeDefinition;
  from: string;
  /** The document in SQL: what filters and sorting read. */
  doc: string;
  /** What a page reads of each resource, as JSON, for `compose` to make their documents of. */
  parts: string;
  compose: (db: Queryable, parts: never[], remember?: UserStateCache) => Promise<Doc[]>;
  live: string;
  /** The number of live resources, when the database keeps it (else they are counted). */
  liveTotal?: string;
  id: string;
  indexed: Record<string, IndexedColumn>;
}

/**
 * A User document's parts, read as JSON. A pushed person's document is their body with their
 * groups, id and meta put on, in Node: equal to person_doc(p) (src/store/directory.test.ts checks
 * it), at a fraction of the database's work. A person not pushed has the document person_doc
 * builds from the columns, read on its own: person_doc anywhere in a statement makes PostgreSQL
 * form every row whole, which costs more than all the rest of a page.
 */
const userPartsOf = (p: string) => `json_build_object('id', ${p}.id, 'pushed', ${p}.scim, 'version', ${p}.version,
  'created', scim_timestamp(${p}.created_at), 'lastModified', scim_timestamp(${p}.updated_at),
  'groups', (select jsonb_agg(jsonb_build_object('value', g.id, 'display', g.display_name, 'type', 'direct') order by lower(g.display_name), g.id)
               from idp_group_members m join idp_groups g on g.id = m.group_id where m.person_id = ${p}.id))`;
const userParts = userPartsOf('p');

interface UserParts {
  id: string;
  pushed: Doc | null;
  version: number;
  created: string;
  lastModified: string;
  groups: Doc[] | null;
}

/** Documents of these parts; pushed people's states are remembered in `remember`, if given. */
async function userDocsOf(db: Queryable, list: readonly UserParts[], remember?: UserStateCache): Promise<Doc[]> {
  const unpushed = list.filter((parts) => parts.pushed === null).map((parts) => parts.id);
  const built = new Map<string, Doc>();
  if (unpushed.length > 0) {
    for (const row of await db.query<{ id: string; doc: Doc }>('select p.id, person_doc(p) as doc from people p where p.id = any($1::text[])', [unpushed])) built.set(row.id, row.doc);
  }
  return list.map((parts) => {
    if (parts.pushed === null) return built.get(parts.id) ?? {};
    const meta = { resourceType: 'User', created: parts.created, lastModified: parts.lastModified, version: `W/"${parts.version}"` };
    const doc = { ...parts.pushed, ...(parts.groups ? { groups: parts.groups } : {}), id: parts.id, meta };
    remember?.remember(parts.id, { doc, version: Number(parts.version), pushed: parts.pushed });
    return doc;
  });
}

async function userDocOf(db: Queryable, parts: UserParts, remember?: UserStateCache): Promise<Doc> {
  const [doc] = await userDocsOf(db, [parts], remember);
  return doc as Doc;
}

const users: Shape = {
  type: userResourceType,
  from: 'people p',
  doc: 'person_doc(p)',
  parts: userParts,
  compose: userDocsOf as Shape['compose'],
  live: 'p.deleted_at is null',
  liveTotal: '(select sum(n)::int from people_live_count)',
  id: 'p.id',
  indexed: userIndexed,
};
const groupsShape = (members: boolean): Shape => ({
  type: groupResourceType,
  from: 'idp_groups g',
  doc: `idp_group_doc(g, ${members ? 'true' : 'false'})`,
  parts: `idp_group_doc(g, ${members ? 'true' : 'false'})`,
  compose: (async (_db: Queryable, docs: Doc[]) => docs) as Shape['compose'],
  live: 'true',
  id: 'g.id',
  indexed: groupIndexed,
});

async function list(db: Queryable, shape: Shape, query: ListQuery, remember?: UserStateCache): Promise<ListResult> {
  const params: unknown[] = [];
  const where = [shape.live];
  if (query.filter) where.push(filterToSql(query.filter, { type: shape.type, doc: shape.doc, params, indexed: shape.indexed }));
  const condition = where.join(' and ');
  const order = query.sort
    ? `${sortExpression(query.sort.by, shape.type, shape.doc, query.sort.path, shape.indexed)} ${query.sort.descending ? 'desc nulls last' : 'asc nulls last'}, ${shape.id}`
    : shape.id;
  const total = !query.filter && shape.liveTotal ? shape.liveTotal : `(select count(*)::int from ${shape.from} where ${condition})`;
  const counted = async () => Number((await db.query<{ n: number }>(`select ${total} as n`, params))[0]?.n ?? 0);
  if (query.count <= 0) return { total: await counted(), resources: [] };
  // With no filter and no sort, a page starts from the nearest place this process knows in the
  // id order (see PageAnchors), while the live set is the one it knew it in.
  if (shape === users && !query.filter && !query.sort && remember) return anchoredUserPage(db, query, remember, counted);
  // One statement: the page's ids are chosen first, and only their resources' parts are read, as
  // one JSON text. The total: with no filter, the number of live resources; with one, counted in
  // the same pass that finds the page, so an expensive filter is evaluated once per resource.
  // The page size is written into the statement: a prepared statement's generic plan, not
  // knowing it, takes the page for a tenth of the table and hashes every person to join it.
  const limits = `limit ${Math.floor(query.count)} offset $${params.length + 1}`;
  const page = query.filter
    ? `select ${shape.id} as page_id, count(*) over ()::int as total from ${shape.from} where ${condition} order by ${order} ${limits}`
    : `select ${shape.id} as page_id, ${total} as total from ${shape.from} where ${condition} order by ${order} ${limits}`;
  // With no filter, only the page's ids and versions: the documents this process holds at those
  // versions are the documents (any change to a person moves their version), the others are
  // read. Not with a filter: its page is mostly one person, looked up once, and a second read
  // would double it.
  const fromMemory = shape === users && !query.filter ? remember : undefined;
  const [row] = await db.query<{ total: number | null; rows: unknown[] | null }>(
    `with page as (${page})
     select (select max(total) from page) as total,
            (select json_agg(${fromMemory ? 'json_build_array(p.id, p.version)' : shape.parts} order by ${order}) from page ${pageJoin(shape)}) as rows`,
    [...params, query.offset],
  );
  const rows = row?.rows ?? [];
  const resources = fromMemory ? await rememberedDocs(db, rows as [string, number][], fromMemory) : await shape.compose(db, rows as never[], remember);
  if (row?.total !== null && row?.total !== undefined) return { total: Number(row.total), resources };
  if (query.offset === 0) return { total: 0, resources };
  // Past the last page: nothing to show, and the total counted on its own.
  return { total: await counted(), resources };
}

/**
 * A page of live people in id order, started from the nearest known place before it (and walked
 * from there), in one statement that also reads the live set's change count: a place learnt at
 * another count is not used, and the page is made again from the start. Each page teaches where
 * it starts and where the next one does.
 */
async function anchoredUserPage(db: Queryable, query: ListQuery, remember: UserStateCache, counted: () => Promise<number>): Promise<ListResult> {
  const count = Math.floor(query.count);
  const read = async (anchor: Anchor | undefined) => {
    const [row] = await db.query<{ total: number | null; changes: string; rows: [string, number][] | null }>(
      `with live as (select sum(n)::int as total, sum(changes)::text as changes from people_live_count),
       page as (
         select p.id as page_id, (select total from live) as total from people p
          where p.deleted_at is null and p.id >= $1 and ($2::text is null or (select changes from live) = $2::text)
          order by p.id limit ${count + 1} offset $3)
       select (select max(total) from page) as total, (select changes from live) as changes,
              (select json_agg(json_build_array(p.id, p.version) order by p.id) from page ${pageJoin(users)}) as rows`,
      [anchor?.id ?? '', anchor?.changes ?? null, query.offset - (anchor?.offset ?? 0)],
    );
    return { total: row?.total ?? null, changes: String(row?.changes ?? ''), rows: row?.rows ?? [] };
  };
  const anchor = remember.pages.before(query.offset);
  let page = await read(anchor);
  if (anchor && page.changes !== anchor.changes) page = await read(undefined);
  const [first] = page.rows;
  if (first) remember.pages.learn(query.offset, first[0], page.changes);
  const next = page.rows[count];
  if (next) remember.pages.learn(query.offset + count, next[0], page.changes);
  const resources = await rememberedDocs(db, page.rows.slice(0, count), remember);
  if (page.total !== null) return { total: Number(page.total), resources };
  if (query.offset === 0) return { total: 0, resources };
  return { total: await counted(), resources };
}

/**
 * How a page's ids reach their rows: each looked up by its id (a lateral subquery), since a join
 * lets the planner hash the whole table to find a hundred rows.
 */
function pageJoin(shape: Shape): string {
  const [table = '', alias = ''] = shape.from.split(' ');
  return `cross join lateral (select * from ${table} ${alias} where ${shape.id} = page.page_id offset 0) ${alias}`;
}

/** The documents of these people, in this order: remembered ones at the version given, the rest read (and remembered). */
async function rememberedDocs(db: Queryable, entries: readonly [string, number][], remember: UserStateCache): Promise<Doc[]> {
  const known = new Map<string, Doc>();
  const missing: string[] = [];
  for (const [id, version] of entries) {
    const state = remember.get(id);
    if (state && state.version === Number(version)) known.set(id, state.doc);
    else missing.push(id);
  }
  if (missing.length > 0) {
    const rows = await db.query<{ parts: UserParts }>(`select ${userParts} as parts from people p where p.id = any($1::text[])`, [missing]);
    for (const doc of await userDocsOf(db, rows.map((r) => r.parts), remember)) known.set(String(doc.id), doc);
  }
  return entries.map(([id]) => known.get(id)).filter((doc) => doc !== undefined);
}

/**
 * A page of users. With `remember`, the pushed people on it are remembered there, and on a page
 * with no filter those it holds at their current version are answered from it. With `byUserName`,
 * the first page of `userName eq "…"` (an IdP looking a person up) is that person, found by it.
 */
export async function listUsers(db: Queryable, query: ListQuery, remember?: UserStateCache, byUserName?: (userName: string) => Promise<Doc | undefined>): Promise<ListResult> {
  const userName = byUserName ? userNameLookup(query) : undefined;
  if (userName === undefined || !byUserName) return list(db, users, query, remember);
  // userName is unique among all people, so the page is that one person or no one.
  const doc = await byUserName(userName);
  return doc ? { total: 1, resources: [doc] } : { total: 0, resources: [] };
}

/** The userName of a first page filtered by `userName eq "…"`, and nothing else; else undefined. */
function userNameLookup(query: ListQuery): string | undefined {
  if (!query.filter || query.offset !== 0 || query.count < 1) return undefined;
  const found = indexedComparison(query.filter, userIndexed);
  return found && found.column === userIndexed.username && query.filter.kind === 'compare' && query.filter.op === 'eq' ? found.value : undefined;
}

/** The live people with these userNames (compared as the userName index compares them), in their order. */
export async function usersByUserName(db: Queryable, userNames: readonly string[], remember?: UserStateCache): Promise<(Doc | undefined)[]> {
  const held = userNames.map((userName) => remember?.byUserName(userName));
  const keys = '(select array(select lower(u.name) from unnest($1::text[]) with ordinality as u(name, n) order by u.n) as keys) k';
  const states = await knownOrRead(db, keys, 'lower(p.user_name)', userNames, held, remember);
  return states.map((state) => state?.doc);
}

export function listGroups(db: Queryable, query: ListQuery): Promise<ListResult> {
  return list(db, groupsShape(query.members ?? true), query);
}

/** Every live user's document, for checking filters in memory against the SQL (tests). */
export async function allUserDocs(db: Queryable): Promise<Doc[]> {
  const rows = await db.query<{ parts: UserParts }>(`select ${userParts} as parts from people p where p.deleted_at is null order by p.id`);
  return userDocsOf(db, rows.map((r) => r.parts));
}

export async function allGroupDocs(db: Queryable): Promise<Doc[]> {
  return (await db.query<{ doc: Doc }>('select idp_group_doc(g, true) as doc from idp_groups g order by g.id')).map((r) => r.doc);
}

/** A live user's document; with `lock`, the row is locked until the transaction ends. */
export async function getUser(db: Queryable, id: string, lock = false, remember?: UserStateCache): Promise<Doc | undefined> {
  return (await getUserState(db, id, lock, remember))?.doc;
}

export async function getGroup(db: Queryable, id: string, options: { members?: boolean; lock?: boolean } = {}): Promise<Doc | undefined> {
  const [row] = await db.query<{ doc: Doc }>(`select idp_group_doc(g, $2) as doc from idp_groups g where g.id = $1${options.lock ? ' for update' : ''}`, [id, options.members ?? true]);
  return row?.doc;
}

/** The person columns a User body sets: what the planner and policy read. */
export interface PersonColumns {
  externalId: string | null;
  userName: string;
  displayName: string | null;
  givenName: string | null;
  familyName: string | null;
  email: string | null;
  emails: string[];
  active: boolean;
  department: string | null;
  title: string | null;
  managerId: string | null;
}

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
const object = (value: unknown): Record<string, unknown> => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {});

/** Reads a canonical User body (see src/scim/validate.ts) into person columns. */
export function personColumns(body: Doc): PersonColumns {
  const name = object(body.name);
  const enterprise = object(body[SCIM.enterpriseUser]);
  const emailList = (Array.isArray(body.emails) ? body.emails : []).map(object).filter((e) => text(e.value) !== null);
  // Primary first, then work, then the order sent.
  const ranked = [...emailList].sort((a, b) => rank(a) - rank(b));
  const emails = [...new Set(ranked.map((e) => String(e.value)))];
  const formatted = text(name.formatted);
  return {
    externalId: text(body.externalId),
    userName: String(body.userName),
    displayName: text(body.displayName) ?? formatted,
    givenName: text(name.givenName),
    familyName: text(name.familyName),
    email: emails[0] ?? null,
    emails,
    active: body.active !== false,
    department: text(enterprise.department),
    title: text(body.title),
    managerId: text(object(enterprise.manager).value),
  };
}

function rank(email: Record<string, unknown>): number {
  if (email.primary === true) return 0;
  return email.type === 'work' ? 1 : 2;
}


/** With lock, the person stays locked until the transaction ends. */
export async function getUserState(db: Queryable, id: string, lock = false, remember?: UserStateCache): Promise<UserState | undefined> {
  const [row] = await db.query<{ parts: UserParts }>(`select ${userParts} as parts from people p where p.id = $1 and p.deleted_at is null${lock ? ' for update' : ''}`, [id]);
  return row ? { doc: await userDocOf(db, row.parts, remember), version: Number(row.parts.version), pushed: row.parts.pushed } : undefined;
}

/** `getUserState` for several people in one statement, in their order (undefined for those not live). */
export async function userStatesById(db: Queryable, ids: readonly string[], remember?: UserStateCache): Promise<(UserState | undefined)[]> {
  // offset 0 keeps the array out of the plan: see knownOrRead.
  return knownOrRead(db, '(select $1::text[] as keys offset 0) k', 'p.id', ids, ids.map((id) => remember?.get(id)), remember);
}

/**
 * Looks live people up by a key (`key`, an indexed expression of people p, matched against the
 * array `k.keys` that `keys` makes of $1), in one statement, answering one state per lookup. A
 * person the process holds at the version the database has (`held`) is not read again: only
 * their version is, and the held state answers; the rest are read whole, and remembered.
 *
 * The lookups reach the statement through a subquery, so the planner cannot see how many there
 * are: its plan is then the same for every call and made once. Given the array itself, it plans
 * each call afresh (a plan for its exact length always looks cheaper), which cost 4 times the
 * lookup on the embedded database.
 */
async function knownOrRead(db: Queryable, keys: string, key: string, lookups: readonly string[], held: readonly (UserState | undefined)[], remember?: UserStateCache): Promise<(UserState | undefined)[]> {
  const known = new Map<string, UserState>();
  for (const state of held) if (state) known.set(`${String(state.doc.id)}:${state.version}`, state);
  const rows = await db.query<{ ws: number[]; id: string; version: number; parts: UserParts | null }>(
    `select array_positions(k.keys, ${key}) as ws, p.id, p.version,
            case when p.id || ':' || p.version = any($2::text[]) then null else ${userParts} end as parts
       from ${keys} join people p on ${key} = any(k.keys) and p.deleted_at is null`,
    [lookups, [...known.keys()]],
  );
  const read = rows.filter((row): row is typeof row & { parts: UserParts } => row.parts !== null);
  const docs = await userDocsOf(db, read.map((row) => row.parts), remember);
  const found = new Map<string, UserState>(read.map((row, i) => [row.id, { doc: docs[i] as Doc, version: Number(row.version), pushed: row.parts.pushed }]));
  const states: (UserState | undefined)[] = Array.from({ length: lookups.length }, () => undefined);
  for (const row of rows) {
    const state = found.get(row.id) ?? known.get(`${row.id}:${row.version}`);
    for (const w of row.ws) states[w - 1] = state;
  }
  return states;
}

/**
 * Inserts a pushed person and their audit events in one statement, answering their document; a
 * clash on userName is the database's unique violation (23505) and writes nothing.
 */
export async function insertUserLogged(db: Queryable, id: string, body: Doc, source: string, audit: AuditInsert, remember?: UserStateCache): Promise<Doc> {
  const [doc] = await insertUsersLogged(db, [{ id, body, source, audit }], remember);
  return doc as Doc;
}

/**
 * Replaces a pushed person's body (and the columns read from it) and writes their audit events, in
 * one statement, if they are still at version; answers their new document, or undefined when
 * they changed or went since (read them again and start over).
 */
export async function replaceUserAt(db: Queryable, id: string, version: number, body: Doc, source: string, audit: AuditInsert, remember?: UserStateCache): Promise<Doc | undefined> {
  const [doc] = await replaceUsersAt(db, [{ id, version, body, source, audit }], remember);
  return doc;
}

/** One version-guarded replace of a pushed person, as `replaceUserAt` takes it. */
export interface UserReplace {
  id: string;
  version: number;
  body: Doc;
  source: string;
  audit: AuditInsert;
}

/** One new pushed person, as `insertUserLogged` takes them. */
export interface UserInsert {
  id: string;
  body: Doc;
  source: string;
  audit: AuditInsert;
}

/** A person's columns as one record of a statement's jsonb_to_recordset parameter (see `personRecordType`). */
function personRecord(w: number, id: string, body: Doc, source: string, version?: number) {
  const c = personColumns(body);
  return {
    w,
    id,
    version,
    external_id: c.externalId,
    user_name: c.userName,
    display_name: c.displayName,
    given_name: c.givenName,
    family_name: c.familyName,
    email: c.email,
    emails: c.emails,
    active: c.active,
    department: c.department,
    title: c.title,
    manager_id: c.managerId,
    scim: body,
    source,
  };
}
const personRecordType = `(w int, id text, version int, external_id text, user_name text, display_name text, given_name text, family_name text,
   email text, emails jsonb, active boolean, department text, title text, manager_id text, scim jsonb, source text)`;

/**
 * `replaceUserAt` for several people in one statement: each is replaced, with their audit events,
 * if they are still at their version. Answers each one's new document, or undefined for those
 * that changed or went since. One person at most once: a statement updates a row only once.
 */
export async function replaceUsersAt(db: Queryable, writes: readonly UserReplace[], remember?: UserStateCache): Promise<(Doc | undefined)[]> {
  const rows = await db.query<{ w: number; parts: UserParts }>(
    `with done as (
       update people p set external_id = x.external_id, user_name = x.user_name, display_name = x.display_name, given_name = x.given_name,
              family_name = x.family_name, email = x.email, emails = x.emails, active = x.active, department = x.department, title = x.title,
              manager_id = x.manager_id, scim = x.scim, source = x.source, updated_at = now()
         from jsonb_to_recordset($1::jsonb) as x${personRecordType}
        where p.id = x.id and p.deleted_at is null and p.version = x.version
       returning x.w, p
     ), logged as (${auditInsertOfWrites(2, 'done')})
     select done.w, ${userPartsOf('c')} as parts from done, lateral (select (done.p).*) c`,
    [JSON.stringify(writes.map((write, w) => personRecord(w, write.id, write.body, write.source, write.version))), writesAudit(writes.map((write) => write.audit))],
  );
  return byWrite(db, writes.length, rows, remember);
}

/**
 * `insertUserLogged` for several people in one statement, answering their documents. A clash on
 * userName, with a person stored or another in the statement, is the database's unique violation
 * (23505) and writes no one.
 */
export async function insertUsersLogged(db: Queryable, writes: readonly UserInsert[], remember?: UserStateCache): Promise<Doc[]> {
  const rows = await db.query<{ w: number; parts: UserParts }>(
    `with input as (
       select * from jsonb_to_recordset($1::jsonb) as x${personRecordType}
     ), made as (
       insert into people as p (id, external_id, user_name, display_name, given_name, family_name, email, emails, active, department, title, manager_id, scim, groups, source)
       select x.id, x.external_id, x.user_name, x.display_name, x.given_name, x.family_name, x.email, x.emails, x.active, x.department, x.title, x.manager_id, x.scim, '[]'::jsonb, x.source
         from input x order by x.w
       returning p
     ), done as (
       select x.w, made.p from made join input x on x.id = (made.p).id
     ), logged as (${auditInsertOfWrites(2, 'done')})
     select done.w, ${userPartsOf('c')} as parts from done, lateral (select (done.p).*) c`,
    [JSON.stringify(writes.map((write, w) => personRecord(w, write.id, write.body, write.source))), writesAudit(writes.map((write) => write.audit))],
  );
  const docs = await byWrite(db, writes.length, rows, remember);
  if (docs.some((doc) => doc === undefined)) throw new Error('people not inserted');
  return docs as Doc[];
}

/** The documents of a statement's rows, in the order of its writes or lookups (w; undefined for one that wrote or found nothing). */
async function byWrite(db: Queryable, count: number, rows: readonly { w: number; parts: UserParts }[], remember?: UserStateCache): Promise<(Doc | undefined)[]> {
  const docs = await userDocsOf(db, rows.map((row) => row.parts), remember);
  const written = new Map(rows.map((row, i) => [Number(row.w), docs[i]]));
  return Array.from({ length: count }, (_, w) => written.get(w));
}

/**
 * The IdP deleted a person: they become inactive (a leaver in every app) and leave their groups;
 * the row stays, hidden from SCIM, so the apps' accounts stay linked to them.
 */
export async function deleteUser(tx: Queryable, id: string): Promise<string[]> {
  const groups = await tx.query<{ group_id: string }>('delete from idp_group_members where person_id = $1 returning group_id', [id]);
  const rows = await tx.query(`update people set active = false, deleted_at = now(), updated_at = now() where id = $1 and deleted_at is null returning id`, [id]);
  if (rows.length === 0) return [];
  if (groups.length > 0) await tx.query('update idp_groups set updated_at = now(), version = version + 1 where id = any($1::text[])', [groups.map((g) => g.group_id)]);
  return [id];
}

/** Ids among these that are no live person. */
export async function unknownPeople(db: Queryable, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await db.query<{ id: string }>('select id from people where id = any($1::text[]) and deleted_at is null', [ids]);
  const known = new Set(rows.map((r) => r.id));
  return [...new Set(ids)].filter((id) => !known.has(id));
}

export async function groupMembers(db: Queryable, groupId: string): Promise<string[]> {
  return (await db.query<{ person_id: string }>('select person_id from idp_group_members where group_id = $1 order by person_id', [groupId])).map((r) => r.person_id);
}

/** Inserts a pushed group with its members; a clash on displayName is a unique violation (23505). */
export async function insertGroup(tx: Queryable, id: string, body: Doc, members: readonly string[], source: string): Promise<void> {
  await tx.query('insert into idp_groups (id, external_id, display_name, scim, source) values ($1, $2, $3, $4::jsonb, $5)', [id, text(body.externalId), String(body.displayName), JSON.stringify(body), source]);
  if (members.length > 0) await tx.query('insert into idp_group_members (group_id, person_id) select $1, unnest($2::text[]) on conflict do nothing', [id, [...new Set(members)]]);
}

/** Replaces a group's body and members; answers the people whose membership changed and the old name. */
export async function replaceGroup(tx: Queryable, id: string, body: Doc, members: readonly string[]): Promise<{ changed: boolean; affected: string[]; oldName: string }> {
  const [old] = await tx.query<{ display_name: string; scim: Doc }>('select display_name, scim from idp_groups where id = $1', [id]);
  if (!old) return { changed: false, affected: [], oldName: '' };
  const wanted = [...new Set(members)];
  const removed = await tx.query<{ person_id: string }>('delete from idp_group_members where group_id = $1 and not (person_id = any($2::text[])) returning person_id', [id, wanted]);
  const added = await tx.query<{ person_id: string }>('insert into idp_group_members (group_id, person_id) select $1, unnest($2::text[]) on conflict do nothing returning person_id', [id, wanted]);
  const bodyChanged = JSON.stringify(old.scim) !== JSON.stringify(body);
  const changed = bodyChanged || removed.length > 0 || added.length > 0;
  if (changed) {
    await tx.query('update idp_groups set external_id = $2, display_name = $3, scim = $4::jsonb, updated_at = now(), version = version + 1 where id = $1', [id, text(body.externalId), String(body.displayName), JSON.stringify(body)]);
  }
  const renamed = old.display_name !== String(body.displayName);
  const affected = renamed ? await groupMembers(tx, id) : [];
  return { changed, affected: [...new Set([...removed.map((r) => r.person_id), ...added.map((r) => r.person_id), ...affected])], oldName: old.display_name };
}

/** Deletes a group; answers its members and name. */
export async function deleteGroup(tx: Queryable, id: string): Promise<{ members: string[]; name: string } | undefined> {
  const members = await groupMembers(tx, id);
  const [row] = await tx.query<{ display_name: string }>('delete from idp_groups where id = $1 returning display_name', [id]);
  return row ? { members, name: row.display_name } : undefined;
}

/**
 * Recomputes these people's `groups` (what policy reads): the names of the IdP groups they are in,
 * plus any imported group name that is no stored group (nor one of `dropped`, names just renamed
 * or deleted). Answers the people whose groups changed.
 */
export async function refreshPersonGroups(tx: Queryable, personIds: readonly string[], dropped: readonly string[] = []): Promise<string[]> {
  if (personIds.length === 0) return [];
  const rows = await tx.query<{ id: string }>(
    `with wanted as (
       select p.id, coalesce((
         select jsonb_agg(n order by n) from (
           select x as n from jsonb_array_elements_text(p.groups) as x
            where not (lower(x) = any($2::text[])) and not exists (select 1 from idp_groups g where lower(g.display_name) = lower(x))
           union
           select g.display_name from idp_group_members m join idp_groups g on g.id = m.group_id where m.person_id = p.id
         ) as s), '[]'::jsonb) as groups
       from people p where p.id = any($1::text[]))
     update people p set groups = w.groups, updated_at = now()
       from wanted w where p.id = w.id and p.groups is distinct from w.groups
     returning p.id`,
    [[...new Set(personIds)], dropped.map((d) => d.toLowerCase())],
  );
  return rows.map((r) => r.id);
}

/** Whether an error is the database refusing a duplicate (unique violation). */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || (error instanceof Error && /duplicate key|unique constraint/i.test(error.message));
}
