import { createHash } from 'node:crypto';
import { recordAudit } from '../audit/trail.ts';
import type { ResolvedApp } from '../config/load.ts';
import { capabilitiesOf, previewOf } from '../connectors/modules.ts';
import { narrowedTo, peopleInPlanOrder, planAppChanges, type AppPlanInput } from '../core/planner.ts';
import type { PlanBody } from '../core/plan.ts';
import { RosterError } from '../errors.ts';
import { isAgentActor } from './approvals.ts';
import { appSyncState, currentAccounts, currentAppGroups, lastSyncSummary, linkedAccountsOf } from '../store/accounts.ts';
import { listLinks } from '../store/links.ts';
import type { Database, Queryable } from '../store/database.ts';
import { switchedOffLately } from '../store/operations.ts';
import { listPeople, peopleNamed } from '../store/people.ts';
import type { Person } from '../core/person.ts';
import { getPlan, peopleDigest, savePlan, type PlanBasis, type StoredPlan } from '../store/plans.ts';

export interface PlanOptions {
  actor: string;
  apps?: readonly string[] | undefined;
  people?: readonly string[] | undefined;
  /** Called as each app is planned (apps are planned one at a time). */
  onApp?: ((progress: { app: string; planned: number; of: number; changes: number }) => void) | undefined;
}

const digest = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex');

/**
 * What a plan for these apps rests on now: the people (those it is narrowed to, when it is), each
 * app's last good sync, each app's policy.
 */
export async function currentBasis(db: Queryable, apps: readonly ResolvedApp[], peopleScope?: readonly string[]): Promise<PlanBasis> {
  const states = new Map((await appSyncState(db)).map((s) => [s.app.name, s.current?.id ?? null]));
  return {
    people: await peopleDigest(db, peopleScope),
    ...(peopleScope ? { peopleScope: [...peopleScope].sort() } : {}),
    apps: Object.fromEntries(apps.map((app) => [app.name, { syncId: states.get(app.name) ?? null, policy: digest(app.policy).slice(0, 16) }])),
  };
}

/** Why a plan no longer fits the state it would be applied to, or undefined when it still does. */
export function staleness(plan: Pick<StoredPlan, 'basis'>, now: PlanBasis): string | undefined {
  const reasons: string[] = [];
  if (plan.basis.people !== now.people) reasons.push('people changed');
  for (const [app, was] of Object.entries(plan.basis.apps ?? {})) {
    const is = now.apps[app];
    if (!is) reasons.push(`${app} is no longer configured`);
    else if (is.syncId !== was.syncId) reasons.push(`${app} was synced again`);
    else if (is.policy !== was.policy) reasons.push(`${app}'s policy changed`);
  }
  return reasons.length > 0 ? reasons.join(', ') : undefined;
}

function inputFor(app: ResolvedApp): Omit<AppPlanInput, 'accounts' | 'links' | 'appGroups'> {
  return { name: app.name, type: app.type, policy: app.policy, capabilities: capabilitiesOf(app), preview: previewOf(app) };
}

async function wholeInput(db: Queryable, app: ResolvedApp): Promise<AppPlanInput> {
  return { ...inputFor(app), accounts: await currentAccounts(db, app.name, { raw: false }), links: await listLinks(db, app.name), appGroups: await currentAppGroups(db, app.name) };
}

/**
 * What a plan narrowed to some people reads of an app: their accounts alone, found through their
 * links, so a push for one person costs about the same at 10,000 people as at 100,000. The
 * circuit breaker takes the app's accounts from its last sync, and counts what other plans switched
 * off there lately: an IdP that switches off half the company arrives one person at a time, each
 * push a plan of its own.
 */
async function narrowedInput(db: Queryable, app: ResolvedApp, people: readonly Person[]): Promise<AppPlanInput> {
  const ids = people.map((p) => p.id);
  const input = inputFor(app);
  const { withinMinutes } = app.policy.approval.massChange;
  const { appGroups, accounts } = await lastSyncSummary(db, app.name);
  return {
    ...input,
    ...(await linkedAccountsOf(db, app.name, ids)),
    appGroups,
    wholeApp: { accounts, switchedOffLately: await switchedOffLately(db, app.name, withinMinutes, ids), withinMinutes },
  };
}

/** Computes the plan from the stored state and saves it; the same state always gives the same plan id. */
export async function makePlan(db: Database, allApps: readonly ResolvedApp[], options: PlanOptions): Promise<StoredPlan> {
  const unknown = (options.apps ?? []).filter((name) => !allApps.some((a) => a.name === name));
  if (unknown.length > 0) throw new RosterError('input_invalid', `no app named ${unknown.join(', ')}; configured: ${allApps.map((a) => a.name).join(', ') || 'none'}`);
  if (allApps.length === 0) throw new RosterError('config_invalid', 'no apps configured; add apps to roster.yaml first');
  // A plan for some apps rests on those apps alone: another app's sync does not make it stale.
  const configured = options.apps ? allApps.filter((a) => options.apps?.includes(a.name)) : allApps;
  // A plan narrowed to some people goes stale when they change, not when anyone else does.
  const basis = await currentBasis(db, configured, options.people);
  if (isAgentActor(options.actor)) basis.agent = options.actor;
  const neverSynced = configured.filter((a) => basis.apps[a.name]?.syncId === null).map((a) => a.name);
  if (neverSynced.length > 0) throw new RosterError('input_invalid', `${neverSynced.join(', ')} ${neverSynced.length > 1 ? 'have' : 'has'} never been synced: roster plans only from what it has read; run roster sync first`);
  const people = peopleInPlanOrder(options.people ? await peopleNamed(db, options.people) : await listPeople(db));
  if (options.people) {
    const known = new Set(people.flatMap((p) => [p.userName.toLowerCase(), p.id.toLowerCase()]));
    const nobody = options.people.filter((p) => !known.has(p.toLowerCase()));
    if (nobody.length > 0) throw new RosterError('input_invalid', `no person ${nobody.join(', ')} (by userName or id); roster status lists who is known`);
  }
  // One app's accounts in memory at a time (apps are planned independently, in name order).
  const body: PlanBody = { changes: [], held: [] };
  const inOrder = [...configured].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const [index, app] of inOrder.entries()) {
    const input = options.people ? await narrowedInput(db, app, people) : await wholeInput(db, app);
    const planned = planAppChanges(input, people);
    for (const change of narrowedTo(planned.changes, people, options.people)) body.changes.push(change);
    body.held.push(...planned.held);
    options.onApp?.({ app: app.name, planned: index + 1, of: inOrder.length, changes: planned.changes.length });
  }
  const policy = Object.fromEntries(configured.map((app) => [app.name, app.policy]));
  let id = digest({ basis, body }).slice(0, 12);
  // The same state gives the same plan, unless that plan was rejected: then a new one replaces it.
  for (let existing = await getPlan(db, id); existing?.status === 'rejected'; existing = await getPlan(db, id)) {
    basis.replaces = id;
    id = digest({ basis, body }).slice(0, 12);
  }
  const known = await getPlan(db, id);
  const plan = await savePlan(db, { id, requestedBy: options.actor, basis, policy, ...body });
  if (!known) {
    const held = body.changes.filter((c) => c.approval.length > 0).length;
    await recordAudit(db, {
      actor: options.actor,
      action: 'plan.created',
      target: id,
      detail: { digest: plan.digest, changes: body.changes.length, needApproval: held, heldApps: body.held.filter((h) => !h.changes).map((h) => h.app), notPlanned: body.held.flatMap((h) => h.changes ?? []), ...(basis.replaces ? { replaces: basis.replaces } : {}) },
    });
  }
  return plan;
}
