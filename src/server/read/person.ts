// One person across the IdP and every app: each account with its state and why it exists, and a
// timeline of everything the trail says happened to them.
import type { ResolvedApp } from '../../config/load.ts';
import type { Queryable } from '../../store/database.ts';
import { cellsFor, type AssignRules, type CellState } from './matrix.ts';
import type { AuditRow } from './audit.ts';
import { assignmentReason } from './why.ts';

export interface PersonAccount {
  app: string;
  state: CellState;
  account: { remoteId: string; userName: string | null; email: string | null; displayName: string | null; active: boolean; role: string | null; groups: string[]; pending: string | null } | null;
  link: { rule: string; reason: string; since: string } | null;
  policy: { assigned: boolean; rule: string };
  lastChange: { at: string; action: string; outcome: string; change: string } | null;
  /** Changes for this person in this app in plans not finished: what roster means to do next. */
  planned: { planId: string; changeId: string; kind: string; reason: string; status: string }[];
}

export interface PersonDetail {
  person: {
    id: string;
    userName: string;
    displayName: string | null;
    email: string | null;
    emails: string[];
    active: boolean;
    department: string | null;
    title: string | null;
    managerId: string | null;
    source: string;
    sourceStatus: string | null;
    sourceReason: string | null;
    groups: string[];
    updatedAt: string;
  };
  accounts: PersonAccount[];
  timeline: TimelineEvent[];
}

/** An audit event on a person's page: its detail said in a line. */
export interface TimelineEvent extends Omit<AuditRow, 'detail'> {
  summary: string;
}

interface PersonRecord {
  id: string;
  user_name: string;
  display_name: string | null;
  email: string | null;
  emails: string[];
  active: boolean;
  department: string | null;
  title: string | null;
  manager_id: string | null;
  source: string;
  source_status: string | null;
  source_reason: string | null;
  groups: string[];
  updated_at: Date;
}

/** A person by id or userName (any case); undefined when there is none. */
export async function personDetail(db: Queryable, apps: readonly ResolvedApp[], assign: AssignRules, idOrUserName: string): Promise<PersonDetail | undefined> {
  const [p] = await db.query<PersonRecord>('select * from people where id = $1 or lower(user_name) = lower($1) order by (id = $1) desc limit 1', [idOrUserName]);
  if (!p) return undefined;
  const idpGroups = (await db.query<{ display_name: string }>('select g.display_name from idp_group_members m join idp_groups g on g.id = m.group_id where m.person_id = $1 order by 1', [p.id])).map((r) => r.display_name);
  const groups = [...new Set([...p.groups, ...idpGroups])].sort();
  const appNames = (await db.query<{ name: string }>('select name from apps order by name')).map((r) => r.name);
  const cells = await cellsFor(db, assign, [p.id], appNames);
  const accounts = await db.query<{ app: string; remote_id: string; user_name: string | null; email: string | null; display_name: string | null; active: boolean; role: string | null; groups: string[]; pending: string | null; rule: string; reason: string; created_at: Date }>(
    `select l.app_name as app, a.remote_id, a.user_name, a.email, a.display_name, a.active, a.role, a.groups, a.pending, l.rule, l.reason, l.created_at
       from links l join apps ap on ap.name = l.app_name join accounts a on a.sync_id = ap.current_sync_id and a.remote_id = l.remote_id where l.person_id = $1`,
    [p.id],
  );
  const lastChanges = await db.query<{ app_name: string; at: Date; action: string; outcome: string; target: string }>(
    `select distinct on (app_name) app_name, at, action, outcome, target from audit_events
      where starts_with(action, 'change.') and split_part(target, '/', 3) = $1 order by app_name, id desc`,
    [p.id],
  );
  const planned = await db.query<{ plan_id: string; change_id: string; app: string; kind: string; reason: string; op_state: string | null; held: boolean }>(
    `select pl.id as plan_id, c.change_id, c.app, c.change->>'kind' as kind, c.change->>'reason' as reason, o.state as op_state,
            c.needs_approval and not exists (select 1 from approvals d where d.plan_id = pl.id and (d.change_id is null or d.change_id = c.change_id)) as held
       from plan_changes c join plans pl on pl.id = c.plan_id
       left join operations o on o.plan_id = pl.id and o.change_id = c.change_id
      where pl.status in ('planned', 'applying') and c.person_id = $1 and (o.state is null or o.state not in ('done', 'skipped'))
      order by pl.created_at desc limit 50`,
    [p.id],
  );
  const timeline = await personTimeline(db, p.id);
  const person = { active: p.active, groups, department: p.department };
  return {
    person: {
      id: p.id,
      userName: p.user_name,
      displayName: p.display_name,
      email: p.email,
      emails: p.emails,
      active: p.active,
      department: p.department,
      title: p.title,
      managerId: p.manager_id,
      source: p.source,
      sourceStatus: p.source_status,
      sourceReason: p.source_reason,
      groups,
      updatedAt: p.updated_at.toISOString(),
    },
    accounts: appNames.map((app): PersonAccount => {
      const a = accounts.find((r) => r.app === app);
      const last = lastChanges.find((r) => r.app_name === app);
      return {
        app,
        state: cells.get(`${app}\u0000${p.id}`)?.state ?? 'none',
        account: a ? { remoteId: a.remote_id, userName: a.user_name, email: a.email, displayName: a.display_name, active: a.active, role: a.role, groups: a.groups, pending: a.pending } : null,
        link: a ? { rule: a.rule, reason: a.reason, since: a.created_at.toISOString() } : null,
        policy: assignmentReason(person, apps.find((x) => x.name === app)?.policy),
        lastChange: last ? { at: last.at.toISOString(), action: last.action, outcome: last.outcome, change: last.target } : null,
        planned: planned
          .filter((r) => r.app === app)
          .map((r) => ({ planId: r.plan_id, changeId: r.change_id, kind: r.kind, reason: r.reason, status: r.held ? 'waiting for approval' : r.op_state ? `operation ${r.op_state}` : 'planned, not applied' })),
      };
    }),
    timeline,
  };
}

/** The trail's events about this person, newest first: IdP pushes and every change in any app. */
export async function personTimeline(db: Queryable, personId: string, limit = 100): Promise<TimelineEvent[]> {
  const rows = await db.query<{ id: string; at: Date; actor: string; action: string; app_name: string | null; target: string | null; outcome: string; detail: Record<string, unknown> }>(
    `select id, at, actor, action, app_name, target, outcome, detail from audit_events
      where (starts_with(action, 'scim.user.') and target = $1) or (starts_with(action, 'change.') and split_part(target, '/', 3) = $1)
      order by id desc limit $2`,
    [personId, limit],
  );
  return rows.map((r) => ({ id: Number(r.id), at: r.at.toISOString(), actor: r.actor, action: r.action, app: r.app_name, target: r.target, outcome: r.outcome, summary: summarise(r.action, r.detail) }));
}

/** A line a person reads; only fields roster wrote itself, never a vendor's body. */
function summarise(action: string, detail: Record<string, unknown>): string {
  const text = (key: string) => (typeof detail[key] === 'string' || typeof detail[key] === 'number' || typeof detail[key] === 'boolean' ? String(detail[key]) : undefined);
  const parts: string[] = [];
  if (text('kind')) parts.push(String(text('kind')));
  if (text('plan')) parts.push(`plan ${text('plan')}`);
  if (text('userName')) parts.push(String(text('userName')));
  if (detail.active !== undefined) parts.push(`active=${String(detail.active)}`);
  if (text('reason')) parts.push(String(text('reason')).slice(0, 300));
  if (text('readBack')) parts.push(`read back: ${text('readBack')}`);
  return parts.join(' · ') || action;
}
