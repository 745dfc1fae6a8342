// Two things that keep the dashboard fast on a large tenant: planner statistics for the embedded
// database (PGlite runs no autovacuum, and without statistics a filtered page of 10,000 people
// took 33 s instead of 0.5 s), and the per-app state counts, which read every person × app, cached
// while the trail shows nothing new (and for a few seconds at most when it does).
import type { Database, Queryable } from '../../store/database.ts';
import { stateCounts, type AssignRules, type StateCounts } from './matrix.ts';

const analyzed = new WeakMap<object, { mark: string; checkedAt: number }>();
/** How often the state of the tables is looked at (counting people is a scan of its own). */
const checkEveryMs = 30_000;

/** Runs ANALYZE on the tables the surfaces join, on PGlite, when an app was synced or people were added since the last time (looked at twice a minute at most). */
export async function keepStatistics(db: Database): Promise<void> {
  if (db.kind !== 'pglite') return;
  const last = analyzed.get(db);
  if (last && Date.now() - last.checkedAt < checkEveryMs) return;
  const [row] = await db.query<{ mark: string }>("select coalesce(string_agg(name || '=' || coalesce(current_sync_id, 0), ',' order by name), '') || '/' || (select count(*) from people) as mark from apps");
  const mark = row?.mark ?? '';
  if (last?.mark !== mark) await db.exec('analyze people; analyze links; analyze accounts; analyze apps');
  analyzed.set(db, { mark, checkedAt: Date.now() });
}

const cache = new WeakMap<object, { fingerprint: string; at: number; counts: StateCounts[] }>();
/** How stale the counts may be while the trail keeps moving (a sync writing its reads). */
const maxStaleMs = 15_000;

export async function cachedStateCounts(db: Queryable, assign: AssignRules): Promise<{ counts: StateCounts[]; asOf: Date }> {
  // Every change to people, accounts, links and plans is in the trail.
  const [row] = await db.query<{ fingerprint: string }>("select coalesce((select max(id) from audit_events), 0) || '/' || (select count(*) from plans) as fingerprint");
  const fingerprint = `${row?.fingerprint ?? ''}/${JSON.stringify(assign)}`;
  const hit = cache.get(db);
  if (hit && (hit.fingerprint === fingerprint || Date.now() - hit.at < maxStaleMs)) return { counts: hit.counts, asOf: new Date(hit.at) };
  const at = Date.now();
  const counts = await stateCounts(db, assign);
  cache.set(db, { fingerprint, at, counts });
  return { counts, asOf: new Date(at) };
}
