// A pull: read one IdP source (in full, or what changed since its stored cursors), bring its people
// and groups into roster — matched to people who came another road, never duplicated — record every
// request in the audit trail, then plan for the people who changed and queue what policy allows.
import { recordAudit, type AuditInput } from '../audit/trail.ts';
import type { ResolvedApp } from '../config/load.ts';
import type { Connector } from '../connectors/connector.ts';
import { createConnector } from '../connectors/modules.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import { RosterError } from '../errors.ts';
import { log } from '../log.ts';
import { recordPull as observePull } from '../metrics.ts';
import { createReader } from '../sources/index.ts';
import { isPullSource, type ResolvedPullSource, type ResolvedSource } from '../sources/config.ts';
import type { ReaderDeps, ReadProgress, SourceExchange, SourcePersonRecord, SourceRead, SourceReader } from '../sources/types.ts';
import { appSyncState } from '../store/accounts.ts';
import type { Database } from '../store/database.ts';
import { userNameClashes } from '../store/people.ts';
import {
  lastPulls,
  matchCandidates,
  peopleOfSource,
  peopleOfSourceIds,
  recordPull,
  replaceAssignments,
  saveSourceCursors,
  saveSourceGroups,
  sourceCursors,
  sourceGroups,
  takenPersonIds,
  writeSourcedPeople,
  type SourcedPerson,
  type StoredGroup,
} from '../store/sources.ts';
import { applyPlan } from './apply.ts';
import { makePlan } from './planning.ts';

export interface PullOptions {
  /** Who asked: an operator, or `system:schedule`. Default `idp:<source>`. */
  actor?: string | undefined;
  /** Read everything, not only what changed since the stored cursors. */
  full?: boolean | undefined;
  /** The configured apps: a pull plans for them. */
  apps: readonly ResolvedApp[];
  /** Plan and queue for the people who changed (default true). */
  plan?: boolean | undefined;
  connectorFor?: ((app: ResolvedApp) => Connector) | undefined;
  onProgress?: ((progress: ReadProgress & { source: string }) => void) | undefined;
  deps?: ReaderDeps | undefined;
  /** A reader to use instead of the one the source's config makes (tests). */
  reader?: SourceReader | undefined;
}

export interface PullReport {
  source: string;
  mode: 'full' | 'incremental';
  fellBack: string | undefined;
  requests: number;
  minimumRequests: number;
  read: { people: number; groups: number; assignments: number };
  created: number;
  updated: number;
  /** userNames of people this pull made leavers, with why. */
  leavers: { userName: string; reason: string }[];
  /** Ids of the people whose state changed. */
  changed: string[];
  /** People two sources claim, left as they were. */
  conflicts: string[];
  /** Records roster could not take (no userName, a userName someone else holds). */
  problems: string[];
  plan: { id: string; changes: number; queued: number; waitingApproval: number; held: string[] } | undefined;
  /** Why no plan was made although people changed. */
  notPlanned: string | undefined;
  /** Planning or queueing failed (the people read are stored all the same). */
  planError?: string | undefined;
}

const dedupe = (items: Iterable<string>) => [...new Set(items)];

function comparable(p: SourcedPerson): string {
  return JSON.stringify([p.userName, p.externalId, p.displayName, p.givenName, p.familyName, p.email, p.emails, p.active, p.department, p.title, p.managerId, [...p.groups].sort(), p.sourceStatus, p.sourceReason, p.sourceId, p.source, p.sourceMatch]);
}

/** Each group's people, nested groups resolved (a cycle of groups is read once round). */
export function transitiveMembers(groups: ReadonlyMap<string, StoredGroup>): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const id of groups.keys()) {
    const people = new Set<string>();
    const seen = new Set([id]);
    const queue = [id];
    while (queue.length > 0) {
      const group = groups.get(queue.pop() as string);
      for (const u of group?.users ?? []) people.add(u);
      for (const inner of group?.groups ?? []) {
        if (seen.has(inner)) continue;
        seen.add(inner);
        queue.push(inner);
      }
    }
    out.set(id, people);
  }
  return out;
}

export async function pullSource(db: Database, source: ResolvedPullSource, options: PullOptions): Promise<PullReport> {
  const started = new Date();
  const actor = options.actor ?? `idp:${source.name}`;
  let phaseAt = performance.now();
  const phase = (name: string) => {
    const now = performance.now();
    log.debug({ source: source.name, phase: name, ms: Math.round(now - phaseAt) }, 'pull phase');
    phaseAt = now;
  };
  const cursors = options.full ? {} : await sourceCursors(db, source.name);
  const exchanges: SourceExchange[] = [];
  const reader = options.reader ?? createReader(source, options.deps);
  const requestEvents = (): AuditInput[] =>
    exchanges.map((e) => ({ actor, action: 'source.read', target: source.name, outcome: e.status !== undefined && e.status < 400 ? 'ok' : 'failed', detail: { method: e.method, path: e.path, status: e.status ?? null, ms: e.ms, ...(e.waitMs !== undefined ? { waitMs: e.waitMs } : {}), ...(e.error ? { error: e.error } : {}) } }));
  let read: SourceRead;
  try {
    read = await reader.read({ cursors, full: !!options.full, onExchange: (e) => exchanges.push(e), onProgress: (p) => options.onProgress?.({ ...p, source: source.name }) });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    observePull(source.name, Object.keys(cursors).length > 0 ? 'incremental' : 'full', false, Date.now() - started.getTime());
    await db.transaction(async (tx) => {
      await recordAudit(tx, [...requestEvents(), { actor, action: 'source.pull_failed', target: source.name, outcome: 'failed', detail: { error: message, requests: exchanges.length } }]);
      await recordPull(tx, { source: source.name, mode: Object.keys(cursors).length > 0 ? 'incremental' : 'full', status: 'failed', startedAt: started, requests: exchanges.length, minimumRequests: 0, peopleChanged: 0, error: message });
    });
    throw error;
  } finally {
    await reader.close();
  }

  phase('read');
  // Groups: stored membership, changed by what was read. Who a change touches: people added or
  // removed (directly, or through a nested group), and everyone in a group renamed, new or gone.
  const groups = await sourceGroups(db, source.name);
  const before = transitiveMembers(groups);
  phase('load groups');
  const deletedGroups: string[] = [];
  const touched = new Map<string, StoredGroup>();
  const affected = new Set<string>();
  const touchAll = (ids: Iterable<string>) => {
    for (const id of ids) affected.add(id);
  };
  const diff = (a: readonly string[], b: readonly string[]) => {
    const set = new Set(b);
    return a.filter((x) => !set.has(x));
  };
  for (const g of read.groups) {
    const was = groups.get(g.sourceId);
    if (g.removed) {
      if (was) touchAll(before.get(g.sourceId) ?? []);
      deletedGroups.push(g.sourceId);
      groups.delete(g.sourceId);
      continue;
    }
    const now: StoredGroup =
      g.mode === 'replace' || !was
        ? { id: g.sourceId, name: g.name ?? was?.name, users: dedupe(g.addUsers), groups: dedupe(g.addGroups) }
        : {
            id: g.sourceId,
            name: g.name ?? was.name,
            users: dedupe([...was.users.filter((u) => !g.removeUsers.includes(u)), ...g.addUsers]),
            groups: dedupe([...was.groups.filter((u) => !g.removeGroups.includes(u)), ...g.addGroups]),
          };
    if (!was || was.name !== now.name) {
      touchAll(before.get(g.sourceId) ?? []);
      touchAll(now.users);
      for (const inner of now.groups) touchAll(before.get(inner) ?? []);
    } else {
      touchAll(diff(now.users, was.users));
      touchAll(diff(was.users, now.users));
      for (const inner of [...diff(now.groups, was.groups), ...diff(was.groups, now.groups)]) touchAll(before.get(inner) ?? []);
    }
    groups.set(g.sourceId, now);
    touched.set(g.sourceId, now);
  }
  if (read.complete.groups) {
    const seen = new Set(read.groups.map((g) => g.sourceId));
    for (const id of [...groups.keys()]) {
      if (seen.has(id)) continue;
      touchAll(before.get(id) ?? []);
      deletedGroups.push(id);
      groups.delete(id);
    }
  }
  phase('groups');

  // The people to look at: everyone of this source after a full read; after an incremental one,
  // those read, those a group change touched, and the managers named.
  const incremental = !read.complete.people && !read.complete.groups;
  const existing = incremental
    ? await peopleOfSourceIds(db, source.name, [...new Set([...read.people.map((r) => r.sourceId), ...affected, ...read.people.flatMap((r) => (r.managerSourceId ? [r.managerSourceId] : []))])])
    : await peopleOfSource(db, source.name);
  phase('load people');
  const bySourceId = new Map(existing.map((p) => [p.sourceId as string, p]));
  const conflicts: string[] = [];
  const problems: string[] = [];

  // People this source has not brought before: are they someone roster knows by another road?
  const unknown = read.people.filter((r) => !r.removed && !bySourceId.has(r.sourceId));
  const candidates = await matchCandidates(db, {
    ids: unknown.map((r) => r.sourceId),
    userNames: unknown.flatMap((r) => (r.fields.userName ? [r.fields.userName] : [])),
    emails: unknown.flatMap((r) => (r.fields.email ? [r.fields.email] : [])),
  });
  const index = (key: (p: SourcedPerson) => string | undefined) => {
    const map = new Map<string, SourcedPerson>();
    for (const p of candidates) {
      const k = key(p)?.toLowerCase();
      if (k && !map.has(k)) map.set(k, p);
    }
    return map;
  };
  const byId = index((p) => p.id);
  const byExternalId = index((p) => p.externalId);
  const byUserName = index((p) => p.userName);
  const byEmail = index((p) => p.email);
  const claimed = new Set<string>();
  const matched = new Map<string, { person: SourcedPerson; reason: string }>();
  for (const r of unknown) {
    const id = r.sourceId.toLowerCase();
    const userName = r.fields.userName?.toLowerCase();
    const email = r.fields.email?.toLowerCase();
    const found: [SourcedPerson | undefined, string][] = [
      [byId.get(id), `id = the ${source.type} id ${r.sourceId}`],
      [byExternalId.get(id), `externalId = the ${source.type} id ${r.sourceId} (as an IdP's SCIM push sends it)`],
      [userName ? byUserName.get(userName) : undefined, `userName ${r.fields.userName}`],
      [email ? byEmail.get(email) : undefined, `email ${r.fields.email}`],
      [userName ? byEmail.get(userName) : undefined, `email ${r.fields.userName}`],
    ];
    const hit = found.find(([p]) => p !== undefined);
    if (!hit?.[0]) continue;
    const [person, why] = hit;
    if (person.sourceId !== undefined || claimed.has(person.id)) {
      conflicts.push(`${r.fields.userName ?? r.sourceId} (${source.name} ${r.sourceId}) matches person ${person.id} by ${why}, but that person is ${person.sourceId !== undefined ? `read from ${person.source} as ${person.sourceId}` : 'claimed by another record of this read'}; two sources claim one person, so roster leaves them as they are — keep one source for them`);
      matched.set(r.sourceId, { person, reason: 'conflict' });
      continue;
    }
    claimed.add(person.id);
    matched.set(r.sourceId, { person, reason: `matched by ${why} to person ${person.id}, who came from ${person.source}` });
  }

  phase('match');
  // New ids: the IdP's id, unless someone in roster has it as theirs already.
  const fresh = unknown.filter((r) => !matched.has(r.sourceId));
  const taken = await takenPersonIds(db, fresh.map((r) => r.sourceId));

  const next = new Map<string, SourcedPerson>();
  const managers = new Map<string, string | null | undefined>();
  const leavers: PullReport['leavers'] = [];
  for (const r of read.people) {
    const match = matched.get(r.sourceId);
    if (match?.reason === 'conflict') continue;
    const before = bySourceId.get(r.sourceId) ?? match?.person;
    if (r.removed) {
      if (!before) continue;
      next.set(r.sourceId, { ...before, active: false, sourceStatus: 'removed', sourceReason: r.removed.reason });
      continue;
    }
    const person = personFrom(r, before, source, match?.reason, taken);
    if (!person) {
      problems.push(`${source.name} ${r.sourceId}: no userName (userPrincipalName or login), so roster cannot take this person`);
      continue;
    }
    next.set(r.sourceId, person);
    managers.set(r.sourceId, r.managerSourceId);
  }
  if (read.complete.people) {
    const seen = new Set(read.people.map((r) => r.sourceId));
    for (const p of existing) {
      if (seen.has(p.sourceId as string) || !p.active) continue;
      next.set(p.sourceId as string, { ...p, active: false, sourceStatus: 'missing', sourceReason: `not in a full read of ${source.name}: deleted from the IdP` });
    }
  }

  // Managers: the IdP names them by its own id.
  const rosterIdOf = new Map<string, string>();
  for (const p of existing) rosterIdOf.set(p.sourceId as string, p.id);
  for (const [sid, p] of next) rosterIdOf.set(sid, p.id);
  const byLogin = new Map([...existing, ...next.values()].map((p) => [p.userName.toLowerCase(), p.id]));
  for (const [sid, manager] of managers) {
    const p = next.get(sid);
    if (!p || manager === undefined) continue;
    p.managerId = manager === null ? undefined : (rosterIdOf.get(manager) ?? byLogin.get(manager.toLowerCase()) ?? p.managerId);
  }

  phase('people');
  const groupNames = new Map<string, Set<string>>();
  for (const [groupId, people] of transitiveMembers(groups)) {
    const name = groups.get(groupId)?.name;
    if (!name) continue;
    for (const sid of people) {
      let set = groupNames.get(sid);
      if (!set) groupNames.set(sid, (set = new Set()));
      set.add(name);
    }
  }

  phase('group names');
  // Who changed: everyone looked at, old and new, against what is stored.
  const storedState = new Map(existing.map((p) => [p.sourceId as string, comparable(p)]));
  const matchedBefore = new Map([...matched.values()].filter((m) => m.reason !== 'conflict').map((m) => [m.person.id, comparable(m.person)]));
  const changed: SourcedPerson[] = [];
  const everyone = new Map<string, SourcedPerson>(existing.map((p) => [p.sourceId as string, p]));
  for (const [sid, p] of next) everyone.set(sid, p);
  for (const [sid, p] of everyone) {
    const groupsNow = [...(groupNames.get(sid) ?? [])].sort();
    const person = groupsNow.join('\n') === [...p.groups].sort().join('\n') ? p : { ...p, groups: groupsNow };
    const was = storedState.get(sid) ?? matchedBefore.get(person.id);
    if (was !== comparable(person)) changed.push(person);
  }

  phase('compare');
  // A userName held by someone outside this write would break uniqueness: that person waits, with the reason.
  const clashes = await userNameClashes(db, changed);
  const clashing = new Set(clashes.map((c) => c.personId));
  for (const c of clashes) problems.push(`${c.userName} (${source.name}) has a userName that person ${c.heldBy} holds in roster already; not taken until one of them changes`);
  const toWrite = changed.filter((p) => !clashing.has(p.id));
  const wasActive = new Map([...existing, ...[...matched.values()].map((m) => m.person)].map((p) => [p.id, p.active]));
  for (const p of toWrite) if (!p.active && wasActive.get(p.id) === true) leavers.push({ userName: p.userName, reason: p.sourceReason ?? 'inactive in the IdP' });

  phase('clashes');
  let counts = { created: 0, updated: 0 };
  await db.transaction(async (tx) => {
    counts = await writeSourcedPeople(tx, toWrite);
    phase('write people');
    await saveSourceGroups(tx, source.name, [...touched.values()], deletedGroups);
    phase('write groups');
    await replaceAssignments(tx, source.name, read.assignments);
    await saveSourceCursors(tx, source.name, read.cursors);
    await recordAudit(tx, [
      ...requestEvents(),
      {
        actor,
        action: 'source.pulled',
        target: source.name,
        detail: {
          mode: read.mode,
          ...(read.fellBack ? { fellBack: read.fellBack } : {}),
          read: { people: read.people.length, groups: read.groups.length, assignments: read.assignments.reduce((n, a) => n + a.principals.length, 0) },
          created: counts.created,
          updated: counts.updated,
          leavers: leavers.slice(0, 100).map((l) => l.userName),
          requests: read.requests,
          minimumRequests: read.minimumRequests,
          conflicts: conflicts.length,
          problems: problems.slice(0, 20),
        },
      },
      ...conflicts.slice(0, 100).map((c): AuditInput => ({ actor, action: 'source.conflict', target: source.name, outcome: 'failed', detail: { conflict: c } })),
    ]);
  });

  phase('write');
  const report: PullReport = {
    source: source.name,
    mode: read.mode,
    fellBack: read.fellBack,
    requests: read.requests,
    minimumRequests: read.minimumRequests,
    read: { people: read.people.length, groups: read.groups.length, assignments: read.assignments.reduce((n, a) => n + a.principals.length, 0) },
    created: counts.created,
    updated: counts.updated,
    leavers,
    changed: toWrite.map((p) => p.id),
    conflicts,
    problems,
    plan: undefined,
    notPlanned: undefined,
  };
  if (options.plan !== false && report.changed.length > 0) {
    // What was read is stored already: a plan that cannot be made is reported, not a lost pull.
    await planChanged(db, report, options, actor).catch(async (error: unknown) => {
      report.planError = error instanceof Error ? error.message : String(error);
      await recordAudit(db, { actor, action: 'source.plan_failed', target: source.name, outcome: 'failed', detail: { error: report.planError, people: report.changed.length } });
    });
  }
  observePull(source.name, read.mode, true, Date.now() - started.getTime());
  await recordPull(db, { source: source.name, mode: read.mode, status: 'succeeded', startedAt: started, requests: read.requests, minimumRequests: read.minimumRequests, peopleChanged: report.changed.length, planId: report.plan?.id });
  return report;
}

function personFrom(r: SourcePersonRecord, before: SourcedPerson | undefined, source: ResolvedPullSource, matchReason: string | undefined, taken: ReadonlySet<string>): SourcedPerson | undefined {
  const f = r.fields;
  const pick = <K extends keyof typeof f>(key: K, old: string | undefined): string | undefined => (r.partial && !(key in f) ? old : f[key]);
  const userName = pick('userName', before?.userName);
  if (!userName) return undefined;
  const email = pick('email', before?.email);
  const id = before?.id ?? (taken.has(r.sourceId) ? `${source.name}-${r.sourceId}` : r.sourceId);
  return {
    id,
    externalId: pick('externalId', before?.externalId),
    userName,
    displayName: pick('displayName', before?.displayName),
    givenName: pick('givenName', before?.givenName),
    familyName: pick('familyName', before?.familyName),
    email,
    emails: email ? dedupe([email, ...(before?.emails ?? []).filter((e) => e.toLowerCase() !== email.toLowerCase() && r.partial)]) : [],
    active: r.status?.active ?? before?.active ?? true,
    department: pick('department', before?.department),
    title: pick('title', before?.title),
    managerId: before?.managerId,
    groups: before?.groups ?? [],
    source: source.name,
    sourceId: r.sourceId,
    sourceStatus: r.status?.raw ?? before?.sourceStatus,
    sourceReason: r.status?.reason ?? before?.sourceReason,
    sourceMatch: matchReason ?? before?.sourceMatch,
  };
}

/** Plans for the people a pull changed, on every app roster has read, and queues what policy allows. */
async function planChanged(db: Database, report: PullReport, options: PullOptions, actor: string): Promise<void> {
  if (options.apps.length === 0) {
    report.notPlanned = 'no apps configured';
    return;
  }
  const synced = new Set((await appSyncState(db)).filter((s) => s.current).map((s) => s.app.name));
  const apps = options.apps.filter((a) => synced.has(a.name));
  if (apps.length === 0) {
    report.notPlanned = 'no app has been synced yet: roster plans only from what it has read (roster sync)';
    return;
  }
  const plan = await makePlan(db, apps, { actor, people: report.changed });
  report.plan = { id: plan.id, changes: plan.changes.length, queued: 0, waitingApproval: 0, held: plan.held.map((h) => h.reason) };
  if (plan.changes.length === 0) return;
  const applied = await applyPlan(db, apps, plan.id, { actor, connectorFor: options.connectorFor ?? createConnector, wait: false });
  report.plan.queued = applied.operations.filter((o) => o.state === 'queued').length;
  report.plan.waitingApproval = applied.gate.waiting.length;
}

export interface ScheduledPullOptions {
  apps: readonly ResolvedApp[];
  clock?: Clock | undefined;
  connectorFor?: ((app: ResolvedApp) => Connector) | undefined;
  onReport?: ((report: PullReport) => void) | undefined;
  onError?: ((source: string, error: unknown) => void) | undefined;
}

/**
 * One tick of the pull schedule, for a long-running service to call every minute or so: each pull
 * source whose incremental interval has passed is pulled (in full when its full interval has), one
 * after another. A failing source is reported and does not stop the others.
 */
export async function runScheduledPulls(db: Database, sources: readonly ResolvedSource[], options: ScheduledPullOptions): Promise<PullReport[]> {
  const now = (options.clock ?? systemClock).now();
  const last = await lastPulls(db);
  const reports: PullReport[] = [];
  for (const source of sources.filter(isPullSource)) {
    const when = last.get(source.name);
    const fullDue = !when?.full || now - when.full.getTime() >= source.schedule.fullDays * 86_400_000;
    const due = fullDue || !when?.any || now - when.any.getTime() >= source.schedule.incrementalMinutes * 60_000;
    if (!due) continue;
    try {
      const report = await pullSource(db, source, { actor: 'system:schedule', full: fullDue, apps: options.apps, connectorFor: options.connectorFor });
      reports.push(report);
      options.onReport?.(report);
    } catch (error) {
      options.onError?.(source.name, error);
    }
  }
  return reports;
}

/** The pull sources to pull now: all of them, or the one named. */
export function pullSourcesNamed(sources: readonly ResolvedSource[], name: string | undefined): ResolvedPullSource[] {
  const pullable = sources.filter(isPullSource);
  if (name === undefined) {
    if (pullable.length === 0) throw new RosterError('config_invalid', 'no entra or okta source in roster.yaml (sources:); see README, "Read people from Entra ID / Okta"');
    return pullable;
  }
  const named = sources.find((s) => s.name === name);
  if (!named) throw new RosterError('input_invalid', `no source named ${name}; configured: ${sources.map((s) => s.name).join(', ') || 'none'}`);
  if (!isPullSource(named)) throw new RosterError('input_invalid', `source ${name} is a ${named.type} source: roster pulls only from entra and okta sources`);
  return [named];
}
