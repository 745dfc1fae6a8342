import type { AppStatus } from '../engine/findings.ts';
import type { SyncResult } from '../engine/sync.ts';
import { personLabel } from '../core/person.ts';

const n = (value: number) => value.toLocaleString('en-US');
const when = (date: Date | null | undefined) => (date ? date.toISOString().replace('T', ' ').slice(0, 19) + ' UTC' : 'never');

export function formatSyncResult(result: SyncResult): string {
  const seconds = (result.ms / 1000).toFixed(1);
  if (result.ok) return `${result.appName}: read ${n(result.accountsRead)} accounts in ${n(result.listRequests)} list requests (${n(result.requests)} requests in all) in ${seconds} s; ${n(result.linked ?? 0)} linked to people`;
  return `${result.appName}: sync FAILED after ${n(result.accountsRead)} accounts: ${result.error}`;
}

/** The human report of `roster status`: per app, counts then the first few of each finding. */
export function formatStatus(statuses: readonly AppStatus[], options: { limit?: number } = {}): string {
  const limit = options.limit ?? 5;
  if (statuses.length === 0) return 'No app has been synced yet: run `roster sync` (or `npm start` for the demo).';
  const lines: string[] = [];
  for (const status of statuses) {
    const f = status.findings;
    lines.push(`${status.appName} (${status.type})`);
    if (status.quarantine) lines.push(`  ! quarantined until ${when(status.quarantine.until)}: ${status.quarantine.reason}; its work waits and is retried then`);
    if (status.current) lines.push(`  last good sync ${when(status.current.finishedAt)}: ${n(status.current.accountsRead)} accounts`);
    if (status.latestProblem) {
      const p = status.latestProblem;
      lines.push(`  ! latest sync ${p.status} at ${when(p.finishedAt ?? p.startedAt)}${p.error ? `: ${p.error}` : ''}`);
      if (status.current) lines.push('    the last good state is kept and shown below');
    }
    if (!f) {
      lines.push('  no successful sync yet');
      lines.push('');
      continue;
    }
    lines.push(`  linked ${n(f.linked)}   orphaned ${n(f.orphans.length)}   missing ${n(f.missing.length)}   leavers still active ${n(f.leaversActive.length)}   drifted ${n(f.drift.length)}${f.pending.length > 0 ? `   pending ${n(f.pending.length)}` : ''}`);
    const section = <T>(title: string, items: readonly T[], line: (item: T) => string) => {
      if (items.length === 0) return;
      lines.push(`  ${title}:`);
      for (const item of items.slice(0, limit)) lines.push(`    - ${line(item)}`);
      if (items.length > limit) lines.push(`    … and ${n(items.length - limit)} more (roster status --json for all)`);
    };
    section('leavers still active', f.leaversActive, ({ person, account }) => `${personLabel(person)} left, but their account ${account.userName ?? account.remoteId} is still active`);
    section('orphaned accounts (no person)', f.orphans, ({ account, reason }) => `${account.userName ?? account.email ?? account.remoteId} (${reason})`);
    section('drift (app differs from the IdP)', f.drift, ({ person, fields }) => `${personLabel(person)}: ${fields.map((d) => `${d.field} '${d.actual}' in app, '${d.expected}' in IdP`).join('; ')}`);
    section('missing (active person, no account)', f.missing, (person) => personLabel(person));
    section('pending (the account waits for its person)', f.pending, ({ person, account }) => `${personLabel(person)}: ${account.pending ?? 'pending'}`);
    lines.push('');
  }
  return lines.join('\n').trimEnd();
}

/** A JSON-friendly view: the findings without the apps' raw records. */
export function statusAsJson(statuses: readonly AppStatus[]): unknown {
  return statuses.map((s) => ({
    app: s.appName,
    type: s.type,
    lastGoodSync: s.current ?? null,
    latestProblem: s.latestProblem ?? null,
    quarantine: s.quarantine ?? null,
    findings: s.findings
      ? {
          accounts: s.findings.accounts,
          linked: s.findings.linked,
          orphans: s.findings.orphans.map(({ account, reason }) => ({ remoteId: account.remoteId, userName: account.userName, email: account.email, reason })),
          missing: s.findings.missing.map((p) => ({ personId: p.id, userName: p.userName })),
          leaversActive: s.findings.leaversActive.map(({ person, account }) => ({ personId: person.id, userName: person.userName, remoteId: account.remoteId })),
          drift: s.findings.drift.map(({ person, account, fields }) => ({ personId: person.id, userName: person.userName, remoteId: account.remoteId, fields })),
          pending: s.findings.pending.map(({ person, account }) => ({ personId: person.id, userName: person.userName, remoteId: account.remoteId, pending: account.pending })),
        }
      : null,
  }));
}
