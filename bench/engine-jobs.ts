// Requests per lifecycle job through the whole engine (sync → plan → apply on an embedded
// database), counted from each simulator's own log, beside the least the vendor's API allows.
// Used by connectors.bench.ts (its "through the engine" part).
import { parseConfig, type ResolvedApp } from '../src/config/load.ts';
import { createConnector } from '../src/connectors/modules.ts';
import type { Person } from '../src/core/person.ts';
import { applyPlan } from '../src/engine/apply.ts';
import { decide } from '../src/engine/approvals.ts';
import { makePlan } from '../src/engine/planning.ts';
import { syncApp } from '../src/engine/sync.ts';
import { openPglite } from '../src/store/pglite.ts';
import { migrate } from '../src/store/migrate.ts';
import { upsertPeople } from '../src/store/people.ts';
import { startNetskopeSimulator } from '../simulators/netskope/index.ts';
import { startScimSimulator } from '../simulators/scim/index.ts';
import { DEFAULT_CREDENTIALS, startZiaSimulator } from '../simulators/zscaler/index.ts';

export interface EngineJobFigure {
  vendor: string;
  job: string;
  requests: number;
  minimum: number;
  why: string;
}

interface Target {
  vendor: string;
  /** The app's config (apps.<name>), the simulator started. */
  /** Starts the simulator with these people's accounts in it, in department Sales. */
  start(existing: Person[]): Promise<{ app: Record<string, unknown>; env: Record<string, string>; count: () => number; close: () => Promise<unknown> }>;
  /** Requests the API needs at least, per person, for each job; `groups`: once per group. */
  minimum: Record<Job, { perPerson: number; fixed: number; why: string }>;
}

type Job = 'onboard (create + 1 group)' | 'mover (department)' | 'leaver' | 'delete';

const enterprise = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

const person = (n: number, over: Partial<Person> = {}): Person => ({ id: `e${n}`, userName: `eng${n}@example.com`, email: `eng${n}@example.com`, emails: [`eng${n}@example.com`], displayName: `Eng ${n}`, active: true, groups: ['Staff'], department: 'Sales', ...over });

const targets: Target[] = [
  {
    vendor: 'SCIM',
    async start(existing) {
      const sim = await startScimSimulator({ maxPageSize: 1000 });
      sim.store.seedGroups([{ displayName: 'Everyone' }]);
      sim.store.seedUsers(existing.map((p) => ({ userName: p.userName, displayName: p.displayName, emails: [{ value: p.email, primary: true }], active: true, [enterprise]: { department: 'Sales' } })));
      return {
        app: { type: 'scim', baseUrl: sim.baseUrl, auth: { type: 'bearer', token: 'env:T' } },
        env: { T: sim.settings.token },
        count: () => sim.requests.length,
        close: () => sim.close(),
      };
    },
    minimum: {
      'onboard (create + 1 group)': { perPerson: 1, fixed: 1, why: 'a POST each, and one PATCH adds every member of the group' },
      'mover (department)': { perPerson: 1, fixed: 0, why: 'a PATCH each' },
      leaver: { perPerson: 1, fixed: 0, why: 'a PATCH active=false each' },
      delete: { perPerson: 1, fixed: 0, why: 'a DELETE each' },
    },
  },
  {
    vendor: 'Netskope',
    async start(existing) {
      const sim = await startNetskopeSimulator({ scimToken: 'scim-token', rateLimit: undefined });
      sim.scim.store.seedGroups([{ displayName: 'Everyone' }]);
      sim.scim.store.seedUsers(existing.map((p) => ({ userName: p.userName, displayName: p.displayName, emails: [{ value: p.email, primary: true }], active: true, [enterprise]: { department: 'Sales' } })));
      return {
        app: { type: 'netskope', baseUrl: sim.baseUrl, auth: { type: 'header', header: 'Netskope-Api-Token', token: 'env:T' } },
        env: { T: 'scim-token' },
        count: () => sim.scim.requests.length,
        close: () => sim.close(),
      };
    },
    minimum: {
      'onboard (create + 1 group)': { perPerson: 1, fixed: 3, why: 'a POST each (201 with the user); one group lookup, one PATCH adding every member (204) and one read of the group proving it' },
      'mover (department)': { perPerson: 2, fixed: 0, why: 'a PATCH each, and a read proving it (Netskope answers 204, with no body)' },
      leaver: { perPerson: 2, fixed: 0, why: 'a PATCH active=false each, and a read proving it (204, no body)' },
      delete: { perPerson: 1, fixed: 0, why: 'a DELETE each' },
    },
  },
  {
    vendor: 'ZIA',
    async start(existing) {
      const sim = await startZiaSimulator({
        rateLimits: false,
        activationMs: 5,
        departments: [{ name: 'Sales' }, { name: 'Finance' }],
        groups: [{ name: 'Employees' }, { name: 'Everyone' }],
        users: existing.map((p) => ({ name: p.displayName ?? p.userName, email: p.email ?? '', department: 'Sales', groups: ['Employees'] })),
      });
      return {
        app: { type: 'zscaler', baseUrl: sim.baseUrl, auth: { type: 'zscaler-session', username: DEFAULT_CREDENTIALS.username, password: 'env:P', apiKey: 'env:K' }, defaults: { groups: ['Employees'] } },
        env: { P: DEFAULT_CREDENTIALS.password, K: DEFAULT_CREDENTIALS.apiKey },
        count: () => sim.requests.length,
        close: () => sim.close(),
      };
    },
    minimum: {
      'onboard (create + 1 group)': { perPerson: 1, fixed: 6, why: 'a POST each, made in its groups (ZIA takes them on create); login, department and group lists, activation, status, logout once' },
      'mover (department)': { perPerson: 2, fixed: 5, why: 'a GET and a full-replace PUT each; login, department list, activation, status, logout once' },
      leaver: { perPerson: 0, fixed: 6, why: 'leavers are deleted (no soft delete): one list read for the snapshots, one bulkDelete per 500, a read proving them gone; login, activation, status, logout' },
      delete: { perPerson: 0, fixed: 6, why: 'as leaver' },
    },
  },
];

/** Runs each job for `size` people per vendor and answers the figures. */
export async function engineJobFigures(size: number, only: ReadonlySet<string>): Promise<EngineJobFigure[]> {
  const figures: EngineJobFigure[] = [];
  for (const target of targets) {
    if (!only.has(target.vendor.toLowerCase()) && !(target.vendor === 'ZIA' && only.has('zia'))) continue;
    const joiners = Array.from({ length: size }, (_, i) => person(i));
    const movers = Array.from({ length: size }, (_, i) => person(size + i, { department: 'Finance', groups: [] }));
    const started = await target.start(movers);
    const db = await openPglite();
    await migrate(db);
    try {
      const policy = { leaver: 'deactivate', groups: { Staff: 'Everyone' }, approval: { deletes: false, massChange: { share: 1, minimum: 1_000_000 } } };
      const config = (extra: Record<string, unknown>) => parseConfig({ apps: { app: { ...started.app, rateBudget: false, policy: { ...policy, ...extra } } } }, undefined, { env: started.env }).apps as [ResolvedApp];
      let [app] = config({});
      const run = async (job: Job, people: Person[]) => {
        await upsertPeople(db, people, 'bench');
        const connector = createConnector(app);
        await syncApp(db, app, connector, { actor: 'operator:bench' });
        await connector.close();
        const plan = await makePlan(db, [app], { actor: 'operator:bench' });
        if (plan.changes.some((c) => c.approval.length > 0)) await decide(db, plan.id, 'approved', { actor: 'operator:second' });
        const before = started.count();
        const report = await applyPlan(db, [app], plan.id, { actor: 'operator:bench', connectorFor: createConnector });
        const failed = report.operations.filter((o) => o.state !== 'done');
        if (failed.length > 0) throw new Error(`${target.vendor} ${job}: ${failed.length} not done (${failed[0]?.lastError})`);
        const minimum = target.minimum[job];
        const changed = new Set(plan.changes.map((c) => c.personId)).size;
        if (changed === 0) return;
        figures.push({ vendor: target.vendor, job: `${job} × ${changed}`, requests: started.count() - before, minimum: minimum.perPerson * changed + minimum.fixed, why: minimum.why });
      };
      await run('onboard (create + 1 group)', joiners);
      await run('mover (department)', movers);
      await run('leaver', joiners.map((p) => ({ ...p, active: false })));
      [app] = config({ leaver: 'delete' });
      await run('delete', movers.map((p) => ({ ...p, active: false })));
    } finally {
      await db.close();
      await started.close();
    }
  }
  return figures;
}
