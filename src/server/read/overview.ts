import type { Queryable } from '../../store/database.ts';
import { countPeople } from '../../store/people.ts';
import { activityByDay } from './activity.ts';
import { cachedStateCounts } from './freshness.ts';
import type { AssignRules } from './matrix.ts';

export async function overview(db: Queryable, assign: AssignRules) {
  const [plans] = await db.query<{ open: number; waiting: number }>(
    `select count(*)::int as open,
            count(*) filter (where exists (select 1 from plan_changes c where c.plan_id = plans.id and c.needs_approval)
                               and not exists (select 1 from approvals d where d.plan_id = plans.id))::int as waiting
       from plans where status in ('planned', 'applying')`,
  );
  const [ops] = await db.query<{ in_flight: number; failed: number }>(
    "select count(*) filter (where state in ('queued', 'running', 'staged'))::int as in_flight, count(*) filter (where state = 'failed')::int as failed from operations",
  );
  const { counts, asOf } = await cachedStateCounts(db, assign);
  return {
    people: await countPeople(db),
    apps: counts,
    countsAsOf: asOf.toISOString(),
    plans: { open: plans?.open ?? 0, waitingApproval: plans?.waiting ?? 0 },
    operations: { inFlight: ops?.in_flight ?? 0, failed: ops?.failed ?? 0 },
    activity: await activityByDay(db),
  };
}
