import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startScimSimulator, type RunningScimSimulator } from '../simulators/scim/index.ts';
import { parseConfig, type ResolvedApp } from '../src/config/load.ts';
import { createConnector } from '../src/connectors/modules.ts';
import type { Person } from '../src/core/person.ts';
import { applyPlan } from '../src/engine/apply.ts';
import { decide } from '../src/engine/approvals.ts';
import { makePlan } from '../src/engine/planning.ts';
import { syncApp } from '../src/engine/sync.ts';
import type { Database } from '../src/store/database.ts';
import { upsertPeople } from '../src/store/people.ts';
import { openTestDatabase } from '../src/store/testing.ts';

const person = (n: number, over: Partial<Person> = {}): Person => ({ id: `p${n}`, userName: `user${n}@example.com`, email: `user${n}@example.com`, emails: [`user${n}@example.com`], displayName: `User ${n}`, active: true, groups: ['Staff'], department: 'Sales', ...over });

/** A request as a plan shows it and as the wire carried it: method and path, ids and the SCIM prefix left out. */
const shape = (method: string, path: string) => `${method} ${path.replace(/^\/scim\/v2/, '').replace(/\/[0-9a-f-]{8,}|\/\{[^}]+\}/g, '/{id}').split('?')[0]}`;

describe('plan --requests shows what apply sends, in order (generic SCIM app)', () => {
  let sim: RunningScimSimulator;
  let db: Database;
  let app: ResolvedApp;
  before(async () => {
    sim = await startScimSimulator({});
    db = await openTestDatabase('pglite');
    const policy = { leaver: 'delete', groups: { Staff: 'Everyone' }, approval: { deletes: false, massChange: { share: 1, minimum: 1000 } } };
    [app] = parseConfig({ apps: { hr: { type: 'scim', baseUrl: sim.baseUrl, auth: { type: 'bearer', token: 'env:T' }, rateBudget: false, policy } } }, undefined, { env: { T: sim.settings.token } }).apps as [ResolvedApp];
    sim.store.seedGroups?.([{ displayName: 'Everyone' }]);
  });
  after(async () => {
    await db.close();
    await sim.close();
  });

  it('every change’s requests, first attempt, as previewed', async (t) => {
    if (!sim.store.seedGroups) return t.skip('the simulator cannot seed groups');
    const mover = person(2);
    const leaver = person(3, { active: false });
    sim.store.seedUsers([mover, leaver].map((p) => ({ userName: p.userName, displayName: p.displayName, emails: [{ value: p.email, primary: true }], active: true, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'Finance' } })));
    await upsertPeople(db, [person(1), mover, leaver], 'test');
    const connector = createConnector(app);
    await syncApp(db, app, connector, { actor: 'operator:alice' });
    await connector.close();
    const plan = await makePlan(db, [app], { actor: 'operator:alice' });
    await decide(db, plan.id, 'approved', { actor: 'operator:bob' });
    sim.requests.clear();
    const report = await applyPlan(db, [app], plan.id, { actor: 'operator:alice', connectorFor: createConnector });
    assert.ok(report.operations.every((o) => o.state === 'done'), JSON.stringify(report.operations.map((o) => [o.changeId, o.state, o.lastError])));
    // A merged request (a group's members of one batch) goes once for all of them.
    const merged = new Set<string>();
    const previewed = plan.changes.flatMap((c) => c.requests.filter((r) => !r.merged || (!merged.has(`${r.method} ${r.path}`) && merged.add(`${r.method} ${r.path}`))).map((r) => shape(r.method, r.path)));
    const sent = sim.requests.entries.filter((r) => !r.path.endsWith('/ServiceProviderConfig')).map((r) => shape(r.method, r.path));
    assert.deepEqual(sent, previewed);
  });

  it('a group the policy names but the app does not hold is a finding of the plan, not failures at apply', async () => {
    const [ghostly] = parseConfig({ apps: { hr: { type: 'scim', baseUrl: sim.baseUrl, auth: { type: 'bearer', token: 'env:T' }, rateBudget: false, policy: { groups: { Staff: 'Ghosts' } } } } }, undefined, { env: { T: sim.settings.token } }).apps as [ResolvedApp];
    await upsertPeople(db, [person(7)], 'test');
    const connector = createConnector(ghostly);
    await syncApp(db, ghostly, connector, { actor: 'operator:alice' });
    await connector.close();
    const plan = await makePlan(db, [ghostly], { actor: 'operator:alice', people: ['p7'] });
    assert.deepEqual(plan.changes.map((c) => c.kind), ['create']);
    assert.match(plan.held.map((h) => h.reason).join('\n'), /no group named Ghosts in hr: \d+ memberships? not planned; add the group in hr or change policy.groups/);
  });
});
