// What the MCP tools read: people, their accounts, why they have access, findings, app health,
// plans and the trail — each bounded, with secrets and vendors' raw words kept out.
import { queryAudit, type AuditEvent } from '../audit/trail.ts';
import type { ResolvedApp } from '../config/load.ts';
import { capabilitiesOf, previewOf } from '../connectors/modules.ts';
import { policyVerdict } from '../core/access.ts';
import type { RemoteAccount } from '../core/account.ts';
import type { Change } from '../core/plan.ts';
import type { Person } from '../core/person.ts';
import { planChanges } from '../core/planner.ts';
import { redact, vendorExcerpt } from '../core/redact.ts';
import { decisionFor, trustedApprovals, waitingReasons } from '../engine/approvals.ts';
import { appStatuses } from '../engine/findings.ts';
import { RosterError } from '../errors.ts';
import { activeQuarantines, appSyncState, currentAccounts } from '../store/accounts.ts';
import type { Queryable } from '../store/database.ts';
import { peopleByIds } from '../store/people.ts';
import { planOperations } from '../store/operations.ts';
import { getPlan, type StoredPlan } from '../store/plans.ts';
import { clip, decodeCursor, encodeCursor, maxPageSize, pageOf, type Page } from './paging.ts';

export interface PersonSummary {
  id: string;
  userName: string;
  displayName?: string | undefined;
  email?: string | undefined;
  active: boolean;
  department?: string | undefined;
  title?: string | undefined;
}

const summary = (p: Person): PersonSummary => ({ id: p.id, userName: p.userName, displayName: clip(p.displayName), email: p.email, active: p.active, department: clip(p.department), title: clip(p.title) });

/** People whose userName, name or email holds the text (case-insensitive), by userName, one page. */
export async function findPeople(db: Queryable, query: { text?: string | undefined; department?: string | undefined; active?: boolean | undefined; limit?: number | undefined; cursor?: string | undefined }): Promise<Page<PersonSummary>> {
  const offset = decodeCursor(query.cursor);
  const limit = Math.min(query.limit ?? 25, maxPageSize);
  const where = `($1::text is null or strpos(lower(user_name), $1) > 0 or strpos(lower(coalesce(display_name, '')), $1) > 0 or strpos(lower(coalesce(email, '')), $1) > 0)
      and ($2::text is null or lower(department) = $2) and ($3::boolean is null or active = $3)`;
  const params = [query.text ? query.text.toLowerCase() : null, query.department ? query.department.toLowerCase() : null, query.active ?? null];
  const [count] = await db.query<{ n: number }>(`select count(*)::int as n from people where ${where}`, params);
  const rows = await db.query<{ id: string }>(`select id from people where ${where} order by lower(user_name), id limit $4 offset $5`, [...params, limit, offset]);
  const people = await peopleByIds(db, rows.map((r) => r.id));
  const order = new Map(rows.map((r, i) => [r.id, i]));
  people.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
  const total = count?.n ?? 0;
  return { items: people.map(summary), total, ...(offset + limit < total ? { nextCursor: encodeCursor(offset + limit) } : {}) };
}

/** One person by id, userName or email (case-insensitive); an email two people share is refused as ambiguous. */
export async function resolvePerson(db: Queryable, key: string): Promise<Person> {
  const rows = await db.query<{ id: string }>(
    `select id from people where id = $1 union select id from people where lower(user_name) = lower($1)
      union select id from people where lower(email) = lower($1) or emails @> $2::jsonb limit 3`,
    [key, JSON.stringify([key])],
  );
  const exact = rows.find((r) => r.id === key);
  const ids = exact ? [exact.id] : rows.map((r) => r.id);
  if (ids.length > 1) throw new RosterError('input_invalid', `${JSON.stringify(clip(key))} names more than one person; give their id or userName (find_people lists them)`);
  const [person] = await peopleByIds(db, ids);
  if (!person) throw new RosterError('not_found', `no person ${JSON.stringify(clip(key))} (by id, userName or email); find_people searches by name`);
  return person;
}

export interface AccountView {
  app: string;
  remoteId: string;
  userName?: string | undefined;
  email?: string | undefined;
  active: boolean;
  pending?: string | undefined;
  role?: string | undefined;
  groups: string[];
  link: { rule: string; reason: string };
}

const accountView = (app: string, a: RemoteAccount, link: { rule: string; reason: string }): AccountView => ({
  app,
  remoteId: a.remoteId,
  userName: a.userName,
  email: a.email,
  active: a.active,
  ...(a.pending ? { pending: clip(a.pending) } : {}),
  ...(a.role ? { role: a.role } : {}),
  groups: a.groups.slice(0, 50).map((g) => clip(g) ?? ''),
  link: { rule: link.rule, reason: clip(link.reason) ?? '' },
});

/** The person's linked accounts, from each app's last good sync. */
export async function accountsOf(db: Queryable, personId: string, appName?: string): Promise<AccountView[]> {
  const links = await db.query<{ app_name: string; remote_id: string; rule: string; reason: string }>('select app_name, remote_id, rule, reason from links where person_id = $1 and ($2::text is null or app_name = $2) order by app_name', [personId, appName ?? null]);
  const views: AccountView[] = [];
  for (const link of links) {
    const [account] = await currentAccounts(db, link.app_name, { raw: false, remoteIds: [link.remote_id] });
    if (account) views.push(accountView(link.app_name, account, link));
  }
  return views;
}

export function configuredApp(apps: readonly ResolvedApp[], name: string): ResolvedApp {
  const app = apps.find((a) => a.name.toLowerCase() === name.toLowerCase());
  if (!app) throw new RosterError('not_found', `no app ${JSON.stringify(clip(name))}; configured: ${apps.map((a) => a.name).join(', ') || 'none'}`);
  return app;
}

export interface PendingChange {
  planId: string;
  changeId: string;
  kind: string;
  requestedBy: string;
  planStatus: string;
  state: string;
  why?: string[] | undefined;
}

/** Changes for this person in this app that plans not yet applied hold, with where each stands. */
export async function pendingWork(db: Queryable, personId: string, appName: string): Promise<PendingChange[]> {
  const rows = await db.query<{ id: string }>(
    `select pl.id from plans pl where pl.status in ('planned', 'applying')
        and exists (select 1 from plan_changes c where c.plan_id = pl.id and c.person_id = $2 and c.app = $1)
      order by pl.created_at desc limit 10`,
    [appName, personId],
  );
  const pending: PendingChange[] = [];
  for (const row of rows) {
    const plan = await getPlan(db, row.id);
    if (!plan) continue;
    const approvals = await trustedApprovals(db, plan);
    const operations = new Map((await planOperations(db, plan.id)).map((o) => [o.changeId, o]));
    for (const change of plan.changes.filter((c) => c.app === appName && c.personId === personId)) {
      const op = operations.get(change.id);
      const decision = decisionFor(plan, approvals, change);
      const state = op ? op.state : decision === 'waiting' ? 'waiting_approval' : decision === 'rejected' ? 'rejected' : 'not_applied';
      if (op && (op.state === 'done' || op.state === 'skipped')) continue;
      pending.push({ planId: plan.id, changeId: change.id, kind: change.kind, requestedBy: plan.requestedBy, planStatus: plan.status, state, ...(decision === 'waiting' ? { why: waitingReasons(plan, change).map((w) => clip(w) ?? '') } : {}) });
    }
  }
  return pending;
}

export interface EventView {
  id: number;
  at: string;
  actor: string;
  action: string;
  app?: string | undefined;
  target?: string | undefined;
  outcome: string;
  detail: Record<string, unknown>;
}

/** A trail event fit for an agent: redacted again, strings cut, lists and depth bounded. */
export function eventView(e: AuditEvent): EventView {
  return { id: e.id, at: e.at.toISOString(), actor: e.actor, action: e.action, ...(e.appName ? { app: e.appName } : {}), ...(e.target ? { target: clip(e.target) } : {}), outcome: e.outcome, detail: bounded(redact(e.detail)) as Record<string, unknown> };
}

/** A copy with strings cut, arrays capped at 20 and nesting at 4; text from a vendor (`error`, `body`) as an excerpt only. */
export function bounded(value: unknown, depth = 0, key = ''): unknown {
  if (typeof value === 'string') value = value.replaceAll('\u0000', '\ufffd').toWellFormed();
  if (typeof value === 'string') return /error|body|message|reason/i.test(key) ? (vendorExcerpt(value) ?? '') : clip(value);
  if (depth >= 4) return Array.isArray(value) || (value && typeof value === 'object') ? '[…]' : value;
  if (Array.isArray(value)) return value.slice(0, 20).map((v) => bounded(v, depth + 1, key));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).slice(0, 40).map(([k, v]) => [k, bounded(v, depth + 1, k)]));
  return value;
}

/** The last change roster made (or tried) to this person's account in this app. */
async function lastChange(db: Queryable, personId: string, appName: string): Promise<EventView | undefined> {
  const [row] = await db.query<{ id: number }>(
    `select id from audit_events where app_name = $1 and starts_with(action, 'change.') and split_part(target, '/', 3) = $2 order by id desc limit 1`,
    [appName, personId],
  );
  if (!row) return undefined;
  const [event] = await db.query<{ id: number; at: Date; actor: string; action: string; app_name: string | null; target: string | null; outcome: AuditEvent['outcome']; detail: Record<string, unknown> }>('select * from audit_events where id = $1', [row.id]);
  return event ? eventView({ id: Number(event.id), at: event.at, actor: event.actor, action: event.action, appName: event.app_name, target: event.target, outcome: event.outcome, detail: event.detail }) : undefined;
}

export interface AccessExplanation {
  person: PersonSummary;
  app: string;
  account: AccountView | null;
  policy: { assigned: boolean; rule: string; leaver: string; role?: string | undefined; groups: string[] };
  /** What a plan made now would change for them in this app, and why. */
  wouldChange: { id: string; kind: string; reason: string; needsApproval: string[] }[];
  lastChange: EventView | null;
  pending: PendingChange[];
  lastSync: string | null;
  answer: string;
}

/** Why a person has (or lacks) access to an app: the link, the policy rule, what roster would do, the last change, and work in flight. */
export async function explainAccess(db: Queryable, apps: readonly ResolvedApp[], personKey: string, appName: string): Promise<AccessExplanation> {
  const app = configuredApp(apps, appName);
  const person = await resolvePerson(db, personKey);
  const [account] = await accountsOf(db, person.id, app.name);
  const verdict = policyVerdict(person, app.policy);
  const [sync] = await db.query<{ finished_at: Date | null }>('select r.finished_at from apps a join sync_runs r on r.id = a.current_sync_id where a.name = $1', [app.name]);
  let wouldChange: AccessExplanation['wouldChange'] = [];
  if (sync) {
    const accounts = account ? await currentAccounts(db, app.name, { raw: false, remoteIds: [account.remoteId] }) : [];
    const links = account ? [{ appName: app.name, remoteId: account.remoteId, personId: person.id, rule: account.link.rule as 'email', reason: account.link.reason }] : [];
    const body = planChanges({ people: [person], apps: [{ name: app.name, type: app.type, policy: app.policy, capabilities: capabilitiesOf(app), preview: previewOf(app), accounts, links, appGroups: undefined }] });
    wouldChange = body.changes.map((c: Change) => ({ id: c.id, kind: c.kind, reason: clip(c.reason) ?? '', needsApproval: c.approval.map((a) => clip(a) ?? '') }));
  }
  const pending = await pendingWork(db, person.id, app.name);
  const last = await lastChange(db, person.id, app.name);
  const answer = explainInWords(person, app.name, account, verdict, wouldChange, pending, sync !== undefined);
  return { person: summary(person), app: app.name, account: account ?? null, policy: verdict, wouldChange, lastChange: last ?? null, pending, lastSync: sync?.finished_at ? sync.finished_at.toISOString() : null, answer };
}

function explainInWords(person: Person, app: string, account: AccountView | undefined, verdict: ReturnType<typeof policyVerdict>, would: AccessExplanation['wouldChange'], pending: PendingChange[], synced: boolean): string {
  if (!synced) return `${app} has never been synced, so roster does not know who holds an account there; run roster sync.`;
  const parts: string[] = [];
  const who = person.userName;
  if (account) parts.push(`${who} has a${account.active ? 'n active' : 'n inactive'} account in ${app} (linked by ${account.link.rule}: ${account.link.reason}).`);
  else parts.push(`${who} has no account in ${app} that roster can link to them.`);
  parts.push(`Policy: ${verdict.rule}.`);
  if (would.length === 0) parts.push('Nothing is left to change: the account matches the policy.');
  else parts.push(`A plan now would: ${would.map((w) => `${w.kind} (${w.reason}${w.needsApproval.length > 0 ? `; needs approval: ${w.needsApproval.join('; ')}` : ''})`).join('; ')}.`);
  if (pending.length > 0) parts.push(`In flight: ${pending.map((p) => `${p.kind} in plan ${p.planId} by ${p.requestedBy}, ${p.state.replace('_', ' ')}`).join('; ')}.`);
  else if (would.length > 0) parts.push('No plan holds that change yet: draft_plan drafts one.');
  return parts.join(' ');
}

export const findingKinds = ['leaver_active', 'orphan', 'missing', 'drift', 'pending'] as const;
export type FindingKind = (typeof findingKinds)[number];

export interface FindingView {
  id: string;
  app: string;
  kind: FindingKind;
  person?: { id: string; userName: string; displayName?: string | undefined; active: boolean } | undefined;
  account?: { remoteId: string; userName?: string | undefined; email?: string | undefined; active: boolean } | undefined;
  detail: string;
}

const personRef = (p: Person) => ({ id: p.id, userName: p.userName, displayName: clip(p.displayName), active: p.active });
const accountRef = (a: RemoteAccount) => ({ remoteId: a.remoteId, userName: a.userName, email: a.email, active: a.active });

/**
 * What the findings rest on, read cheaply: each app's current sync, the people's count and last
 * update, and the last change roster made to an account. Equal stamps, equal findings.
 */
async function findingsStamp(db: Queryable): Promise<string> {
  const [row] = await db.query<{ stamp: string }>(
    `select concat_ws('|',
        (select string_agg(name || '=' || coalesce(current_sync_id::text, '-'), ',' order by name) from apps),
        (select count(*)::text || '/' || coalesce(max(updated_at)::text, '') from people),
        (select coalesce(max(id), 0)::text from audit_events where action in ('change.verified', 'change.applied', 'account.restored'))) as stamp`,
  );
  return row?.stamp ?? '';
}

/** The last findings computed per database, kept while their stamp holds: paging through them does not compute them again. */
const findingsMemo = new WeakMap<Queryable, { stamp: string; findings: FindingView[] }>();

/** Every finding of the apps' last good syncs, in a stable order: by app, then kind, then who. */
export async function allFindings(db: Queryable): Promise<FindingView[]> {
  const stamp = await findingsStamp(db);
  const memo = findingsMemo.get(db);
  if (memo?.stamp === stamp) return memo.findings;
  const computed = await computeFindings(db);
  findingsMemo.set(db, { stamp, findings: computed });
  return computed;
}

async function computeFindings(db: Queryable): Promise<FindingView[]> {
  const findings: FindingView[] = [];
  for (const status of await appStatuses(db)) {
    const f = status.findings;
    if (!f) continue;
    const app = status.appName;
    for (const { person, account } of f.leaversActive) findings.push({ id: `${app}:leaver_active:${person.id}`, app, kind: 'leaver_active', person: personRef(person), account: accountRef(account), detail: `${person.userName} left (inactive in the IdP) but the account is still ${account.pending ? 'a pending invitation' : 'active'}` });
    for (const { account, reason } of f.orphans) findings.push({ id: `${app}:orphan:${account.remoteId}`, app, kind: 'orphan', account: accountRef(account), detail: `no person owns this account: ${clip(reason)}` });
    for (const person of f.missing) findings.push({ id: `${app}:missing:${person.id}`, app, kind: 'missing', person: personRef(person), detail: `${person.userName} is active but has no account in ${app}` });
    for (const d of f.drift) findings.push({ id: `${app}:drift:${d.person.id}`, app, kind: 'drift', person: personRef(d.person), account: accountRef(d.account), detail: clip(d.fields.map((x) => `${x.field}: app has ${JSON.stringify(x.actual)}, IdP says ${JSON.stringify(x.expected)}`).join('; ')) ?? '' });
    for (const { person, account } of f.pending) findings.push({ id: `${app}:pending:${person.id}`, app, kind: 'pending', person: personRef(person), account: accountRef(account), detail: clip(account.pending) ?? 'invitation not yet accepted' });
  }
  return findings;
}

function countFindings(all: readonly FindingView[]): Record<string, Record<string, number>> {
  const counts: Record<string, Record<string, number>> = {};
  for (const f of all) (counts[f.app] ??= {})[f.kind] = (counts[f.app]?.[f.kind] ?? 0) + 1;
  return counts;
}

export async function findings(db: Queryable, filter: { app?: string | undefined; kind?: FindingKind | undefined; limit?: number | undefined; cursor?: string | undefined }): Promise<Page<FindingView> & { counts: Record<string, Record<string, number>> }> {
  const all = await allFindings(db);
  const counts = countFindings(all);
  const chosen = all.filter((f) => (!filter.app || f.app.toLowerCase() === filter.app.toLowerCase()) && (!filter.kind || f.kind === filter.kind));
  return { ...pageOf(chosen, filter), counts };
}

export interface AppHealth {
  app: string;
  type: string;
  configured: boolean;
  lastSync: { at: string | null; status: string; accounts: number } | null;
  problem: { status: string; at: string; error: string | null } | null;
  quarantine: { until: string; reason: string } | null;
  operations24h: Record<string, number>;
  findings: Record<string, number>;
}

export async function appHealth(db: Queryable, apps: readonly ResolvedApp[], only?: string): Promise<AppHealth[]> {
  if (only) configuredApp(apps, only);
  const states = await appSyncState(db);
  const quarantines = await activeQuarantines(db);
  const counts = countFindings(await allFindings(db));
  const ops = await db.query<{ app_name: string; state: string; n: number }>(`select app_name, state, count(*)::int as n from operations where updated_at > now() - interval '24 hours' group by app_name, state`);
  const names = [...new Set([...apps.map((a) => a.name), ...states.map((s) => s.app.name)])].filter((n) => !only || n.toLowerCase() === only.toLowerCase()).sort();
  return names.map((name): AppHealth => {
    const s = states.find((x) => x.app.name === name);
    const problem = s?.latest && s.latest.id !== s.current?.id ? s.latest : undefined;
    const quarantine = quarantines.get(name);
    const found = counts[name] ?? {};
    return {
      app: name,
      type: apps.find((a) => a.name === name)?.type ?? s?.app.type ?? 'unknown',
      configured: apps.some((a) => a.name === name),
      lastSync: s?.current ? { at: s.current.finishedAt?.toISOString() ?? null, status: s.current.status, accounts: s.current.accountsRead } : null,
      problem: problem ? { status: problem.status, at: problem.startedAt.toISOString(), error: problem.error ? (vendorExcerpt(problem.error) ?? null) : null } : null,
      quarantine: quarantine ? { until: quarantine.until.toISOString(), reason: vendorExcerpt(quarantine.reason) ?? '' } : null,
      operations24h: Object.fromEntries(ops.filter((o) => o.app_name === name).map((o) => [o.state, o.n])),
      findings: s?.current ? Object.fromEntries(findingKinds.map((k) => [k, found[k] ?? 0])) : {},
    };
  });
}

export interface ChangeView {
  id: string;
  app: string;
  kind: string;
  subject: string;
  reason: string;
  risk: string;
  needsApproval: string[];
  state: string;
  error?: string | undefined;
  requests: { method: string; path: string; body?: string | undefined }[];
}

export interface PlanView {
  planId: string;
  requestedBy: string;
  createdAt: string;
  status: string;
  totalChanges: number;
  counts: Record<string, number>;
  held: string[];
  approvals: { decision: string; by: string; at: string; change: string | null }[];
  requested: boolean;
  changes: ChangeView[];
  nextCursor?: string | undefined;
}

/** A plan with each change's state (waiting for approval, ready, rejected, or its operation's), one page of changes. */
export async function planView(db: Queryable, plan: StoredPlan, page: { limit?: number | undefined; cursor?: string | undefined }): Promise<PlanView> {
  const approvals = await trustedApprovals(db, plan);
  const operations = new Map((await planOperations(db, plan.id)).map((o) => [o.changeId, o]));
  const states = plan.changes.map((change) => {
    const op = operations.get(change.id);
    const decision = decisionFor(plan, approvals, change);
    return { change, op, state: op ? op.state : decision === 'waiting' ? 'waiting_approval' : decision === 'rejected' ? 'rejected' : 'ready' };
  });
  const counts: Record<string, number> = {};
  for (const s of states) counts[s.state] = (counts[s.state] ?? 0) + 1;
  const shown = pageOf(states, page);
  const requested = (await queryAudit(db, { action: 'plan.requested', target: plan.id, limit: 1 })).length > 0;
  return {
    planId: plan.id,
    requestedBy: plan.requestedBy,
    createdAt: plan.createdAt.toISOString(),
    status: plan.status,
    totalChanges: plan.changes.length,
    counts,
    held: plan.held.map((h) => clip(h.reason) ?? ''),
    approvals: approvals.slice(0, 20).map((a) => ({ decision: a.decision, by: a.decidedBy, at: a.decidedAt.toISOString(), change: a.changeId })),
    requested,
    changes: shown.items.map(({ change, op, state }) => ({
      id: change.id,
      app: change.app,
      kind: change.kind,
      subject: clip(change.subject) ?? '',
      reason: clip(change.reason) ?? '',
      risk: change.risk,
      needsApproval: (state === 'waiting_approval' ? waitingReasons(plan, change) : change.approval).map((a) => clip(a) ?? ''),
      state,
      ...(op?.lastError ? { error: vendorExcerpt(op.lastError) } : {}),
      requests: change.requests.slice(0, 10).map((r) => ({ method: r.method, path: clip(r.path) ?? '', ...(r.body === undefined ? {} : { body: clip(JSON.stringify(redact(r.body))) }) })),
    })),
    ...(shown.nextCursor ? { nextCursor: shown.nextCursor } : {}),
  };
}

/** The trail about a person: changes to their accounts, IdP pushes about them, their plans' work; newest first, by id cursor. */
export async function personAudit(db: Queryable, personId: string, page: { limit?: number | undefined; cursor?: string | undefined }): Promise<Page<EventView>> {
  const before = decodeCursor(page.cursor);
  const limit = Math.min(page.limit ?? 25, maxPageSize);
  const rows = await db.query<{ id: number; at: Date; actor: string; action: string; app_name: string | null; target: string | null; outcome: AuditEvent['outcome']; detail: Record<string, unknown> }>(
    `select e.* from audit_events e
      where ($2::bigint = 0 or e.id < $2)
        and (e.target = $1 or split_part(e.target, '/', 3) = $1
             or exists (select 1 from links l where l.person_id = $1 and l.app_name = e.app_name and l.remote_id = e.target))
      order by e.id desc limit $3`,
    [personId, before, limit + 1],
  );
  const items = rows.slice(0, limit).map((r) => eventView({ id: Number(r.id), at: r.at, actor: r.actor, action: r.action, appName: r.app_name, target: r.target, outcome: r.outcome, detail: r.detail }));
  const last = items.at(-1);
  return { items, total: items.length, ...(rows.length > limit && last ? { nextCursor: encodeCursor(last.id) } : {}) };
}
