import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startScimSimulator } from '../simulators/scim/index.ts';
import { startNetskopeSimulator } from '../simulators/netskope/index.ts';
import { DEFAULT_CREDENTIALS, startZiaSimulator } from '../simulators/zscaler/index.ts';
import type { FaultInjector, FaultPlan } from '../simulators/shared/faults.ts';
import { queryAudit } from '../src/audit/trail.ts';
import { parseConfig, type ResolvedApp } from '../src/config/load.ts';
import { createConnector } from '../src/connectors/registry.ts';
import { generateOrganisation } from '../src/core/sample-org.ts';
import { applyPlan } from '../src/engine/apply.ts';
import { decide } from '../src/engine/approvals.ts';
import { makePlan } from '../src/engine/planning.ts';
import { syncApp } from '../src/engine/sync.ts';
import type { Database } from '../src/store/database.ts';
import { upsertPeople } from '../src/store/people.ts';
import { openTestDatabase } from '../src/store/testing.ts';

interface Target {
  name: string;
  start(): Promise<{
    app: Record<string, unknown>;
    env: Record<string, string>;
    faults: FaultInjector;
    /** Accounts the app holds per email, lowercased. */
    holdings(): Map<string, number>;
    /** Successful creates seen on the wire. */
    creates(): number;
    midRun?(): void;
    close(): Promise<void>;
  }>;
}

const count = (emails: string[]) => {
  const map = new Map<string, number>();
  for (const e of emails) map.set(e.toLowerCase(), (map.get(e.toLowerCase()) ?? 0) + 1);
  return map;
};

const targets: Target[] = [
  {
    name: 'generic SCIM, 429 with Retry-After "N seconds"',
    async start() {
      const sim = await startScimSimulator({ maxPageSize: 100 });
      return {
        app: { type: 'scim', baseUrl: sim.baseUrl, auth: { type: 'bearer', token: 'env:T' }, rateBudget: false },
        env: { T: sim.settings.token },
        faults: sim.faults,
        holdings: () => count(sim.store.listUsers().map((u) => String(u.attrs.userName))),
        creates: () => sim.requests.count({ method: 'POST', pathIncludes: '/Users', status: 201 }),
        close: () => sim.close(),
      };
    },
  },
  {
    name: 'Zscaler ZIA, 429 with the wait only in the JSON body, and every session expired mid-batch',
    async start() {
      const sim = await startZiaSimulator({ rateLimits: false, activationMs: 10, departments: ['Engineering', 'Sales', 'Finance', 'Marketing', 'Customer Support', 'People', 'IT', 'Security', 'Legal', 'Operations', 'Executive'].map((name) => ({ name })) });
      return {
        app: { type: 'zscaler', baseUrl: sim.baseUrl, auth: { type: 'zscaler-session', username: DEFAULT_CREDENTIALS.username, password: 'env:P', apiKey: 'env:K' }, defaults: { groups: ['Employees'] }, rateBudget: false },
        env: { P: DEFAULT_CREDENTIALS.password, K: DEFAULT_CREDENTIALS.apiKey },
        faults: sim.faults,
        holdings: () => count(sim.state.liveUsers().map((u) => u.email)),
        creates: () => sim.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/users') && r.status === 200).length,
        midRun: () => sim.sessions.expireAll(),
        close: () => sim.close(),
      };
    },
  },
  {
    name: 'Netskope, 429 with an HTTP-date Retry-After',
    async start() {
      const sim = await startNetskopeSimulator({ scimToken: 'scim-token', rateLimit: undefined });
      return {
        app: { type: 'netskope', baseUrl: sim.baseUrl, auth: { type: 'header', header: 'Netskope-Api-Token', token: 'env:T' }, rateBudget: false },
        env: { T: 'scim-token' },
        faults: sim.scim.faults,
        holdings: () => count(sim.scim.store.listUsers().map((u) => String(u.attrs.userName))),
        creates: () => sim.scim.requests.count({ method: 'POST', pathIncludes: '/Users', status: 201 }),
        close: () => sim.close(),
      };
    },
  },
];

const retryForms: FaultPlan['rateLimit'][] = [
  { count: 6, retryAfter: { kind: 'text', seconds: 1 } },
  { count: 6, retryAfter: { kind: 'body', seconds: 1 } },
  { count: 6, retryAfter: { kind: 'http-date', seconds: 2 } },
];

describe('faults while applying: every operation done exactly once, or failed with its reason', () => {
  let db: Database;
  before(async () => {
    db = await openTestDatabase('pglite');
  });
  after(() => db.close());

  targets.forEach((target, index) => {
    it(target.name, async () => {
      const t = await target.start();
      try {
        const name = `app${index}`;
        const config = parseConfig({ apps: { [name]: t.app } }, undefined, { env: t.env });
        const apps: ResolvedApp[] = config.apps;
        const people = generateOrganisation({ size: 30, seed: 40 + index, domain: 'example.com', leaverShare: 0 }).map((p) => {
          const email = `${name}.${p.userName}`;
          return { ...p, id: `${name}-${p.id}`, userName: email, email, emails: [email] };
        });
        await upsertPeople(db, people, 'test');
        const connector = createConnector(apps[0]!);
        await syncApp(db, apps[0]!, connector, { actor: 'operator:alice' });
        await connector.close();
        const plan = await makePlan(db, apps, { actor: 'operator:alice', people: people.map((p) => p.userName) });
        await decide(db, plan.id, 'approved', { actor: 'operator:bob' });
        assert.equal(plan.changes.filter((c) => c.kind === 'create').length, 30);

        // A storm of 429s in this app's form, then a 5xx burst and dropped connections, part way in.
        t.faults.set({ rateLimit: retryForms[index], serverError: { count: 3, status: 502 }, drop: { count: 3 }, after: 12 });
        const running = applyPlan(db, apps, plan.id, { actor: 'operator:alice', connectorFor: createConnector });
        if (t.midRun) {
          await sleep(300);
          t.midRun();
        }
        const report = await running;
        t.faults.clear();
        assert.ok(t.faults.injected.rateLimit >= 6 && t.faults.injected.serverError >= 3 && t.faults.injected.drop >= 3, `the faults hit: ${JSON.stringify(t.faults.injected)}`);

        const done = report.operations.filter((o) => o.state === 'done');
        const failed = report.operations.filter((o) => o.state === 'failed');
        for (const op of failed) assert.ok(op.lastError && op.lastError.length > 10, `failed with a reason: ${op.changeId}`);
        assert.equal(done.length + failed.length, plan.changes.length, 'every operation ended');
        assert.equal(failed.length, 0, `nothing lost: ${failed.map((f) => f.lastError).join('; ')}`);
        const holdings = t.holdings();
        for (const person of people) assert.equal(holdings.get((person.email ?? '').toLowerCase()), 1, `${person.email} held exactly once`);
        assert.equal(t.creates(), people.length, 'one successful create per joiner on the wire, never a second');
        const trail = await queryAudit(db, { action: 'change.applied', limit: 5000 });
        const mine = trail.filter((e) => e.detail.plan === plan.id);
        assert.equal(mine.length, plan.changes.length, 'one change.applied per change');
      } finally {
        await t.close();
      }
    });
  });
});
