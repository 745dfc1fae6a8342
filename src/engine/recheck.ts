import type { ResolvedApp } from '../config/load.ts';
import { capabilitiesOf } from '../connectors/modules.ts';
import type { Change } from '../core/plan.ts';
import { planChanges } from '../core/planner.ts';
import { recheckChange, type Recheck } from '../core/recheck.ts';
import { currentAccounts } from '../store/accounts.ts';
import type { Queryable } from '../store/database.ts';
import { linksTouching } from '../store/links.ts';
import { peopleByIds } from '../store/people.ts';

/**
 * Re-checks planned changes of one app against the current state of their people and accounts and
 * the policy in force now, just before they run: each is answered by what a fresh plan of just
 * those people would do (the same pure planner, fed only their rows).
 */
export async function recheckChanges(db: Queryable, app: ResolvedApp, changes: readonly Change[]): Promise<Map<string, Recheck>> {
  const personIds = [...new Set(changes.flatMap((c) => (c.personId ? [c.personId] : [])))];
  const plannedRemoteIds = changes.flatMap((c) => (c.remoteId ? [c.remoteId] : []));
  const links = await linksTouching(db, app.name, personIds, plannedRemoteIds);
  const remoteIds = [...new Set([...plannedRemoteIds, ...links.map((l) => l.remoteId)])];
  const [people, accounts] = await Promise.all([peopleByIds(db, personIds), currentAccounts(db, app.name, { raw: false, remoteIds })]);
  const fresh = planChanges({ people, apps: [{ name: app.name, type: app.type, policy: app.policy, capabilities: capabilitiesOf(app), accounts, links }] }).changes;
  return new Map(changes.map((change) => [change.id, recheckChange(change, fresh.filter((c) => sameSubject(c, change)))]));
}

function sameSubject(a: Change, b: Change): boolean {
  return a.personId !== undefined ? a.personId === b.personId : a.remoteId === b.remoteId;
}
