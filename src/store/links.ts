import type { Link, LinkDiff, LinkRule } from '../core/links.ts';
import type { Queryable } from './database.ts';
import { inSlices, readByKey } from './keyset.ts';

export async function listLinks(db: Queryable, appName: string): Promise<Link[]> {
  const rows = await readByKey<{ app_name: string; remote_id: string; person_id: string; rule: LinkRule; reason: string }>(
    db,
    'select app_name, remote_id, person_id, rule, reason from links where app_name = $3 and ($1::text is null or remote_id > $1) order by remote_id limit $2',
    [appName],
    'remote_id',
  );
  return rows.map((r) => ({ appName: r.app_name, remoteId: r.remote_id, personId: r.person_id, rule: r.rule, reason: r.reason }));
}

/** Replaces an app's links with a freshly computed set (manual ones included in it). */
export async function replaceLinks(db: Queryable, appName: string, links: readonly Link[]): Promise<void> {
  await db.query('delete from links where app_name = $1', [appName]);
  await insertLinks(db, appName, links);
}

async function insertLinks(db: Queryable, appName: string, links: readonly Link[]): Promise<void> {
  await inSlices(links, async (slice) => {
    await db.query(
      `insert into links (app_name, remote_id, person_id, rule, reason)
       select $2, x.remote_id, x.person_id, x.rule, x.reason from jsonb_to_recordset($1::jsonb) as x(remote_id text, person_id text, rule text, reason text)`,
      [JSON.stringify(slice.map((l) => ({ remote_id: l.remoteId, person_id: l.personId, rule: l.rule, reason: l.reason }))), appName],
    );
  });
}

/**
 * Writes only what differs between an app's stored links and a fresh set: a repeat sync of an app
 * whose people and accounts did not move writes nothing. Drops first, so a person moving to another
 * account never holds two links at once.
 */
export async function writeLinkDiff(db: Queryable, appName: string, diff: LinkDiff): Promise<void> {
  await inSlices(diff.removed, async (slice) => {
    await db.query('delete from links where app_name = $1 and remote_id = any($2::text[])', [appName, slice]);
  });
  await insertLinks(db, appName, diff.added);
}

/** Links an account roster created to the person it was created for. */
export async function linkCreatedAccount(db: Queryable, appName: string, remoteId: string, personId: string, reason: string): Promise<void> {
  await db.query('delete from links where app_name = $1 and (person_id = $2 or remote_id = $3)', [appName, personId, remoteId]);
  await db.query("insert into links (app_name, remote_id, person_id, rule, reason) values ($1, $2, $3, 'created', $4)", [appName, remoteId, personId, reason]);
}

export async function linkedRemoteId(db: Queryable, appName: string, personId: string): Promise<string | undefined> {
  const [row] = await db.query<{ remote_id: string }>('select remote_id from links where app_name = $1 and person_id = $2', [appName, personId]);
  return row?.remote_id;
}

/** The links of one app that touch these people or these accounts. */
export async function linksTouching(db: Queryable, appName: string, personIds: readonly string[], remoteIds: readonly string[]): Promise<Link[]> {
  const rows = await db.query<{ app_name: string; remote_id: string; person_id: string; rule: LinkRule; reason: string }>(
    'select app_name, remote_id, person_id, rule, reason from links where app_name = $1 and (person_id = any($2::text[]) or remote_id = any($3::text[])) order by remote_id',
    [appName, personIds, remoteIds],
  );
  return rows.map((r) => ({ appName: r.app_name, remoteId: r.remote_id, personId: r.person_id, rule: r.rule, reason: r.reason }));
}
