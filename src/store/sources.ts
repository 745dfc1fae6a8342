import type { Person } from '../core/person.ts';
import type { Queryable } from './database.ts';

/** A person as a source keeps them: roster's Person plus where they came from. */
export interface SourcedPerson extends Person {
  source: string;
  sourceId: string | undefined;
  sourceStatus: string | undefined;
  sourceReason: string | undefined;
  sourceMatch: string | undefined;
}

interface Row {
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
  source: string;
  source_id: string | null;
  source_status: string | null;
  source_reason: string | null;
  source_match: string | null;
}

const u = <T>(v: T | null): T | undefined => v ?? undefined;

function toSourced(row: Row): SourcedPerson {
  return {
    id: row.id,
    externalId: u(row.external_id),
    userName: row.user_name,
    displayName: u(row.display_name),
    givenName: u(row.given_name),
    familyName: u(row.family_name),
    email: u(row.email),
    emails: row.emails,
    active: row.active,
    department: u(row.department),
    title: u(row.title),
    managerId: u(row.manager_id),
    groups: row.groups,
    source: row.source,
    sourceId: u(row.source_id),
    sourceStatus: u(row.source_status),
    sourceReason: u(row.source_reason),
    sourceMatch: u(row.source_match),
  };
}

/** Everyone this source brought (with their source id). */
export async function peopleOfSource(db: Queryable, source: string): Promise<SourcedPerson[]> {
  const rows = await db.query<Row>('select * from people where source = $1 and source_id is not null', [source]);
  return rows.map(toSourced);
}

/** These people of this source, by source id. */
export async function peopleOfSourceIds(db: Queryable, source: string, sourceIds: readonly string[]): Promise<SourcedPerson[]> {
  if (sourceIds.length === 0) return [];
  const rows = await db.query<Row>('select * from people where source = $1 and source_id = any($2::text[])', [source, sourceIds]);
  return rows.map(toSourced);
}

/**
 * People a source's new records might be (people who are not this source's yet): by id, by
 * externalId, or by userName or email (any case). The caller picks, in the order of the link rules.
 */
export async function matchCandidates(db: Queryable, keys: { ids: string[]; userNames: string[]; emails: string[] }): Promise<SourcedPerson[]> {
  if (keys.ids.length + keys.userNames.length + keys.emails.length === 0) return [];
  const rows = await db.query<Row>(
    `select * from people
      where id = any($1::text[]) or external_id = any($1::text[]) or lower(user_name) = any($2::text[]) or lower(email) = any($3::text[]) or lower(user_name) = any($3::text[])`,
    [keys.ids, keys.userNames.map((n) => n.toLowerCase()), keys.emails.map((e) => e.toLowerCase())],
  );
  return rows.map(toSourced);
}

/** Ids taken by anyone: a new person's id must not be. */
export async function takenPersonIds(db: Queryable, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.query<{ id: string }>('select id from people where id = any($1::text[])', [ids]);
  return new Set(rows.map((r) => r.id));
}

/**
 * Writes people a source brought or changed (by roster id), with their source columns. A userName
 * passed between two of them within this write is freed first. Run it in a transaction.
 */
export async function writeSourcedPeople(db: Queryable, people: readonly SourcedPerson[]): Promise<{ created: number; updated: number }> {
  if (people.length === 0) return { created: 0, updated: 0 };
  const rows = people.map((p) => ({
    id: p.id,
    external_id: p.externalId ?? null,
    user_name: p.userName,
    display_name: p.displayName ?? null,
    given_name: p.givenName ?? null,
    family_name: p.familyName ?? null,
    email: p.email ?? null,
    emails: p.emails,
    active: p.active,
    department: p.department ?? null,
    title: p.title ?? null,
    manager_id: p.managerId ?? null,
    groups: p.groups,
    source: p.source,
    source_id: p.sourceId ?? null,
    source_status: p.sourceStatus ?? null,
    source_reason: p.sourceReason ?? null,
    source_match: p.sourceMatch ?? null,
  }));
  // A userName passed between two people of this write would clash row by row although the end
  // state is unique: free the userNames of people whose userName changes, before any row is written.
  const wanted = new Map(rows.map((r) => [r.id, r.user_name.toLowerCase()]));
  const stored = await db.query<{ id: string; user_name: string }>('select id, user_name from people where id = any($1::text[])', [rows.map((r) => r.id)]);
  const renamed = stored.filter((r) => wanted.get(r.id) !== r.user_name.toLowerCase()).map((r) => r.id);
  if (renamed.length > 0) await db.query('update people set user_name = $2 || id where id = any($1::text[])', [renamed, '\u0001renaming:']);
  let created = 0;
  // In slices: one statement per 5,000 people keeps each JSON parameter a sensible size.
  for (let i = 0; i < rows.length; i += 5000) {
    const slice = JSON.stringify(rows.slice(i, i + 5000));
    const result = await db.query<{ created: boolean }>(
      `insert into people (id, external_id, user_name, display_name, given_name, family_name, email, emails, active, department, title, manager_id, groups, source, source_id, source_status, source_reason, source_match)
       select x.id, x.external_id, x.user_name, x.display_name, x.given_name, x.family_name, x.email, x.emails, x.active, x.department, x.title, x.manager_id, x.groups, x.source, x.source_id, x.source_status, x.source_reason, x.source_match
         from jsonb_to_recordset($1::jsonb) as x(id text, external_id text, user_name text, display_name text, given_name text, family_name text, email text, emails jsonb,
              active boolean, department text, title text, manager_id text, groups jsonb, source text, source_id text, source_status text, source_reason text, source_match text)
       on conflict (id) do update set
         external_id = excluded.external_id, user_name = excluded.user_name, display_name = excluded.display_name, given_name = excluded.given_name,
         family_name = excluded.family_name, email = excluded.email, emails = excluded.emails, active = excluded.active, department = excluded.department,
         title = excluded.title, manager_id = excluded.manager_id, groups = excluded.groups, source = excluded.source, source_id = excluded.source_id,
         source_status = excluded.source_status, source_reason = excluded.source_reason, source_match = excluded.source_match, updated_at = now()
       returning (xmax = 0) as created`,
      [slice],
    );
    created += result.filter((r) => r.created).length;
  }
  return { created, updated: rows.length - created };
}

export async function sourceCursors(db: Queryable, source: string): Promise<Record<string, string>> {
  const rows = await db.query<{ stream: string; cursor: string }>('select stream, cursor from source_cursors where source = $1', [source]);
  return Object.fromEntries(rows.map((r) => [r.stream, r.cursor]));
}

export async function saveSourceCursors(db: Queryable, source: string, cursors: Record<string, string>): Promise<void> {
  for (const [stream, cursor] of Object.entries(cursors)) {
    await db.query(
      `insert into source_cursors (source, stream, cursor) values ($1, $2, $3)
       on conflict (source, stream) do update set cursor = excluded.cursor, updated_at = now()`,
      [source, stream, cursor],
    );
  }
}

export async function clearSourceCursors(db: Queryable, source: string): Promise<void> {
  await db.query('delete from source_cursors where source = $1', [source]);
}

export interface StoredGroup {
  id: string;
  name: string | undefined;
  users: string[];
  groups: string[];
}

export async function sourceGroups(db: Queryable, source: string): Promise<Map<string, StoredGroup>> {
  const rows = await db.query<{ group_id: string; name: string | null; member_users: string[]; member_groups: string[] }>('select group_id, name, member_users, member_groups from source_groups where source = $1', [source]);
  return new Map(rows.map((r) => [r.group_id, { id: r.group_id, name: r.name ?? undefined, users: r.member_users, groups: r.member_groups }]));
}

/** Writes these groups (whole) and deletes those named. */
export async function saveSourceGroups(db: Queryable, source: string, groups: readonly StoredGroup[], deleted: readonly string[]): Promise<void> {
  if (deleted.length > 0) await db.query('delete from source_groups where source = $1 and group_id = any($2::text[])', [source, deleted]);
  for (let i = 0; i < groups.length; i += 500) {
    const slice = groups.slice(i, i + 500).map((g) => ({ group_id: g.id, name: g.name ?? null, member_users: g.users, member_groups: g.groups }));
    await db.query(
      `insert into source_groups (source, group_id, name, member_users, member_groups)
       select $2, x.group_id, x.name, x.member_users, x.member_groups from jsonb_to_recordset($1::jsonb) as x(group_id text, name text, member_users jsonb, member_groups jsonb)
       on conflict (source, group_id) do update set name = excluded.name, member_users = excluded.member_users, member_groups = excluded.member_groups, updated_at = now()`,
      [JSON.stringify(slice), source],
    );
  }
}

export interface StoredAssignment {
  appId: string;
  appName: string;
  principalId: string;
  principalType: 'user' | 'group';
  via: string | undefined;
}

/** Replaces what is stored of these apps' assignments. */
export async function replaceAssignments(db: Queryable, source: string, apps: readonly { appId: string; appName: string; principals: readonly { id: string; type: 'user' | 'group'; via?: string | undefined }[] }[]): Promise<void> {
  for (const app of apps) {
    await db.query('delete from source_assignments where source = $1 and app_id = $2', [source, app.appId]);
    const rows = app.principals.map((p) => ({ principal_id: p.id, principal_type: p.type, via: p.via ?? null }));
    if (rows.length === 0) continue;
    await db.query(
      `insert into source_assignments (source, app_id, app_name, principal_id, principal_type, via)
       select $2, $3, $4, x.principal_id, x.principal_type, x.via from jsonb_to_recordset($1::jsonb) as x(principal_id text, principal_type text, via text)
       on conflict do nothing`,
      [JSON.stringify(rows), source, app.appId, app.appName],
    );
  }
}

/** The IdP apps assigned to each of this source's people, directly or through a group (nested groups resolved by the caller). */
export async function sourceAssignments(db: Queryable, source: string): Promise<StoredAssignment[]> {
  const rows = await db.query<{ app_id: string; app_name: string; principal_id: string; principal_type: 'user' | 'group'; via: string | null }>('select * from source_assignments where source = $1 order by app_id, principal_id', [source]);
  return rows.map((r) => ({ appId: r.app_id, appName: r.app_name, principalId: r.principal_id, principalType: r.principal_type, via: r.via ?? undefined }));
}

export interface PullRecord {
  source: string;
  mode: 'full' | 'incremental';
  status: 'succeeded' | 'failed';
  startedAt: Date;
  requests: number;
  minimumRequests: number;
  peopleChanged: number;
  planId?: string | undefined;
  error?: string | undefined;
}

export async function recordPull(db: Queryable, pull: PullRecord): Promise<void> {
  await db.query(
    `insert into source_pulls (source, mode, status, started_at, requests, minimum_requests, people_changed, plan_id, error)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [pull.source, pull.mode, pull.status, pull.startedAt.toISOString(), pull.requests, pull.minimumRequests, pull.peopleChanged, pull.planId ?? null, pull.error ?? null],
  );
}

/** When each source last pulled successfully, incrementally or in full. */
export async function lastPulls(db: Queryable): Promise<Map<string, { any: Date | undefined; full: Date | undefined }>> {
  const rows = await db.query<{ source: string; last_any: Date | string | null; last_full: Date | string | null }>(
    `select source, max(finished_at) as last_any, max(finished_at) filter (where mode = 'full') as last_full
       from source_pulls where status = 'succeeded' group by source`,
  );
  const date = (v: Date | string | null) => (v === null ? undefined : new Date(v));
  return new Map(rows.map((r) => [r.source, { any: date(r.last_any), full: date(r.last_full) }]));
}

export interface SourceSummary {
  source: string;
  people: number;
  active: number;
  lastPull: { mode: string; status: string; finishedAt: Date; requests: number; minimumRequests: number; peopleChanged: number; error: string | null } | undefined;
}

/** Per source: its people, and its last pull (for roster status). */
export async function sourceSummaries(db: Queryable): Promise<SourceSummary[]> {
  const counts = await db.query<{ source: string; people: number; active: number }>('select source, count(*)::int as people, count(*) filter (where active)::int as active from people group by source order by source');
  const pulls = await db.query<{ source: string; mode: string; status: string; finished_at: Date | string; requests: number; minimum_requests: number; people_changed: number; error: string | null }>(
    'select distinct on (source) source, mode, status, finished_at, requests, minimum_requests, people_changed, error from source_pulls order by source, id desc',
  );
  const last = new Map(pulls.map((p) => [p.source, { mode: p.mode, status: p.status, finishedAt: new Date(p.finished_at), requests: p.requests, minimumRequests: p.minimum_requests, peopleChanged: p.people_changed, error: p.error }]));
  const names = [...new Set([...counts.map((c) => c.source), ...last.keys()])].sort();
  return names.map((source) => {
    const c = counts.find((x) => x.source === source);
    return { source, people: c?.people ?? 0, active: c?.active ?? 0, lastPull: last.get(source) };
  });
}
