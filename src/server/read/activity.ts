// Day-by-day figures from the trail, for the overview's charts.
import type { Queryable } from '../../store/database.ts';

export interface DayFigures {
  day: string;
  /** Changes the plans made that day asked for (what was found wrong), and how many needed approval. */
  planned: number;
  held: number;
  /** Changes carried out and verified, escalated after failing, skipped. */
  verified: number;
  failed: number;
  skipped: number;
}

export async function activityByDay(db: Queryable, days = 14): Promise<DayFigures[]> {
  const rows = await db.query<{ day: string; planned: number; held: number; verified: number; failed: number; skipped: number }>(
    `select to_char(d.day, 'YYYY-MM-DD') as day,
            coalesce(sum((e.detail->>'changes')::int) filter (where e.action = 'plan.created'), 0)::int as planned,
            coalesce(sum((e.detail->>'needApproval')::int) filter (where e.action = 'plan.created'), 0)::int as held,
            count(e.id) filter (where e.action = 'change.verified')::int as verified,
            count(e.id) filter (where e.action = 'change.escalated')::int as failed,
            count(e.id) filter (where e.action = 'change.skipped')::int as skipped
       from generate_series(date_trunc('day', now()) - make_interval(days => $1 - 1), date_trunc('day', now()), interval '1 day') as d(day)
       left join audit_events e on e.at >= d.day and e.at < d.day + interval '1 day'
            and e.action in ('plan.created', 'change.verified', 'change.escalated', 'change.skipped')
      group by d.day order by d.day`,
    [days],
  );
  return rows;
}
