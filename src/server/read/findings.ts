// What is wrong, by app and kind, each with the change of an open plan that would fix it.
import type { Queryable } from '../../store/database.ts';
import { matrixPage, orphanAccounts, type AssignRules, type PersonRow, type Problem } from './matrix.ts';

export interface Finding {
  app: string;
  kind: Problem;
  person: PersonRow | null;
  account: { remoteId: string; userName: string | null; email: string | null; active: boolean } | null;
  fix: { planId: string; changeId: string; kind: string; reason: string; status: string } | null;
}

export async function listFindings(db: Queryable, assign: AssignRules, query: { app?: string | undefined; kind?: Problem | undefined; limit: number; offset: number }): Promise<Finding[]> {
  const kinds: readonly Problem[] = query.kind ? [query.kind] : ['leaver', 'missing', 'drift', 'pending', 'held', 'orphan'];
  const found: Finding[] = [];
  let skip = query.offset;
  for (const kind of kinds) {
    if (found.length >= query.limit) break;
    const want = query.limit - found.length + skip;
    if (kind === 'orphan') {
      const orphans = await orphanAccounts(db, { app: query.app, limit: want, offset: 0 });
      for (const o of orphans.slice(skip)) found.push({ app: o.app, kind, person: null, account: { remoteId: o.remoteId, userName: o.userName, email: o.email, active: o.active }, fix: null });
      skip = Math.max(0, skip - orphans.length);
      continue;
    }
    const page = await matrixPage(db, assign, { app: query.app, problem: kind, limit: want });
    const rows = page.people.flatMap((p) => p.cells.filter((c) => c.state === kind).map((c) => ({ person: p, cell: c })));
    for (const { person, cell } of rows.slice(skip)) {
      const { cells: _cells, ...row } = person;
      found.push({ app: cell.app, kind, person: row, account: cell.remoteId ? { remoteId: cell.remoteId, userName: null, email: null, active: kind !== 'missing' } : null, fix: null });
    }
    skip = Math.max(0, skip - rows.length);
  }
  const result = found.slice(0, query.limit);
  await attachFixes(db, result);
  return result;
}

/** The newest open plan's change for each finding's person (or orphan account) in its app. */
async function attachFixes(db: Queryable, findings: Finding[]): Promise<void> {
  if (findings.length === 0) return;
  const keys = findings.map((f) => (f.person ? `${f.app}/p/${f.person.id}` : `${f.app}/r/${f.account?.remoteId ?? ''}`));
  const rows = await db.query<{ key: string; plan_id: string; change_id: string; kind: string; reason: string; held: boolean; op_state: string | null }>(
    `select distinct on (k.key) k.key, pl.id as plan_id, c.change_id, c.change->>'kind' as kind, c.change->>'reason' as reason,
            c.needs_approval and not exists (select 1 from approvals d where d.plan_id = pl.id and (d.change_id is null or d.change_id = c.change_id)) as held,
            o.state as op_state
       from plans pl join plan_changes c on c.plan_id = pl.id
       cross join lateral (select case when c.person_id is not null then c.app || '/p/' || c.person_id else c.app || '/r/' || c.remote_id end as key) k
       left join operations o on o.plan_id = pl.id and o.change_id = c.change_id
      where pl.status in ('planned', 'applying') and k.key = any($1::text[]) and (o.state is null or o.state not in ('done', 'skipped'))
      order by k.key, pl.created_at desc`,
    [keys],
  );
  const byKey = new Map(rows.map((r) => [r.key, r]));
  findings.forEach((f, i) => {
    const r = byKey.get(keys[i] ?? '');
    if (r) f.fix = { planId: r.plan_id, changeId: r.change_id, kind: r.kind, reason: r.reason, status: r.held ? 'waiting for approval' : r.op_state ? `operation ${r.op_state}` : 'planned, not applied' };
  });
}
