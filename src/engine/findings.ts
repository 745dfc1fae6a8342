import { findIssues, type AppFindings } from '../core/findings.ts';
import { linkAccounts } from '../core/links.ts';
import { activeQuarantines, appSyncState, currentAccounts, type SyncRunSummary } from '../store/accounts.ts';
import type { Queryable } from '../store/database.ts';
import { listLinks } from '../store/links.ts';
import { listPeople } from '../store/people.ts';

export interface AppStatus {
  appName: string;
  type: string;
  /** The run whose accounts are current (the last good one). */
  current: SyncRunSummary | undefined;
  /** The newest run, when it is not the current one: it failed or is still running. */
  latestProblem: SyncRunSummary | undefined;
  findings: AppFindings | undefined;
  /** Set while the app is quarantined: its calls mostly failed, so it is checked less often. */
  quarantine: { until: Date; reason: string } | undefined;
}

/** Per app: its last good read of accounts measured against the people, and any newer failure. */
export async function appStatuses(db: Queryable): Promise<AppStatus[]> {
  const people = await listPeople(db);
  const states = await appSyncState(db);
  const quarantines = await activeQuarantines(db);
  const statuses: AppStatus[] = [];
  for (const { app, current, latest } of states) {
    let findings: AppFindings | undefined;
    if (current) {
      const accounts = await currentAccounts(db, app.name, { raw: false });
      const links = await listLinks(db, app.name);
      const reasons = new Map(linkAccounts(app.name, people, accounts, links).unlinked.map((u) => [u.account.remoteId, u.reason]));
      findings = findIssues(app.name, people, accounts, links, reasons);
    }
    statuses.push({ appName: app.name, type: app.type, current, latestProblem: latest && latest.id !== current?.id ? latest : undefined, findings, quarantine: quarantines.get(app.name) });
  }
  return statuses;
}
