// Each app's health: its syncs, recent failures, quarantine, and how much of its documented rate
// limits roster's requests (the trail's request records) used lately.
import type { ResolvedApp } from '../../config/load.ts';
import { moduleFor } from '../../connectors/modules.ts';
import type { Queryable } from '../../store/database.ts';
import { activeQuarantines, appSyncState, type SyncRunSummary } from '../../store/accounts.ts';
import { safeText } from './safe-text.ts';

export interface SyncSummary {
  id: number;
  status: string;
  startedAt: string;
  finishedAt: string | null;
  accountsRead: number;
  error: string | null;
}

export interface BudgetUse {
  limit: number;
  windowSeconds: number;
  used: number;
  /** used / limit, 0..1 and more when the vendor's limit was exceeded. */
  share: number;
}

export interface AppHealth {
  name: string;
  type: string;
  configured: boolean;
  /** The sync whose accounts roster works from. */
  currentSync: SyncSummary | null;
  /** The newest sync, when it is not the current one (it failed, or is running). */
  latestProblem: SyncSummary | null;
  quarantine: { until: string; reason: string } | null;
  /** Failed events of the last 24 hours, the newest few with their reason. */
  errors: { last24h: number; recent: { at: string; action: string; reason: string }[] };
  /** Paced to the vendor's documented limits; unpaced apps (rateBudget: false) show what was used against them anyway. */
  budget: { paced: boolean; rules: BudgetUse[] };
}

const summary = (run: SyncRunSummary | undefined): SyncSummary | null =>
  run ? { id: run.id, status: run.status, startedAt: run.startedAt.toISOString(), finishedAt: run.finishedAt?.toISOString() ?? null, accountsRead: run.accountsRead, error: run.error === null ? null : safeText(run.error) } : null;

export async function appHealth(db: Queryable, configured: readonly ResolvedApp[]): Promise<AppHealth[]> {
  const states = await appSyncState(db);
  const quarantines = await activeQuarantines(db);
  const failures = await db.query<{ app_name: string; n: number }>("select app_name, count(*)::int as n from audit_events where outcome = 'failed' and app_name is not null and at > now() - interval '24 hours' group by 1");
  const recent = await db.query<{ app_name: string; at: Date; action: string; detail: Record<string, unknown> }>(
    `select app_name, at, action, detail from (
       select app_name, at, action, detail, row_number() over (partition by app_name order by id desc) as n
         from audit_events where outcome = 'failed' and app_name is not null and at > now() - interval '24 hours') x where n <= 5 order by at desc`,
  );
  const names = [...new Set([...states.map((s) => s.app.name), ...configured.map((a) => a.name)])].sort();
  const result: AppHealth[] = [];
  for (const name of names) {
    const state = states.find((s) => s.app.name === name);
    const app = configured.find((a) => a.name === name);
    const quarantine = quarantines.get(name);
    const latest = state?.latest && state.latest.id !== state.current?.id ? state.latest : undefined;
    result.push({
      name,
      type: app?.type ?? state?.app.type ?? 'unknown',
      configured: app !== undefined,
      currentSync: summary(state?.current),
      latestProblem: summary(latest),
      quarantine: quarantine ? { until: quarantine.until.toISOString(), reason: safeText(quarantine.reason) } : null,
      errors: {
        last24h: failures.find((f) => f.app_name === name)?.n ?? 0,
        recent: recent.filter((r) => r.app_name === name).map((r) => ({ at: r.at.toISOString(), action: r.action, reason: safeText(String(r.detail.reason ?? r.detail.error ?? r.detail.status ?? '')) })),
      },
      budget: app ? await budgetUse(db, app) : { paced: false, rules: [] },
    });
  }
  return result;
}

/** Requests to the app in each of its documented windows, against the window's limit. */
async function budgetUse(db: Queryable, app: ResolvedApp): Promise<AppHealth['budget']> {
  const module = moduleFor(app.type);
  const { rules } = module.rateFor?.(app) ?? module.rate;
  const uses: BudgetUse[] = [];
  for (const rule of rules) {
    const [row] = await db.query<{ n: number }>(
      "select count(*)::int as n from audit_events where app_name = $1 and action in ('app.read', 'app.request') and at > now() - make_interval(secs => $2::double precision / 1000)",
      [app.name, rule.windowMs],
    );
    const used = row?.n ?? 0;
    uses.push({ limit: rule.limit, windowSeconds: rule.windowMs / 1000, used, share: rule.limit > 0 ? used / rule.limit : 0 });
  }
  return { paced: app.rateBudget !== false, rules: uses };
}
