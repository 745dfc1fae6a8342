import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startScimSimulator } from '../simulators/scim/index.ts';
import { startNetskopeSimulator } from '../simulators/netskope/index.ts';
import { DEFAULT_CREDENTIALS, startZiaSimulator } from '../simulators/zscaler/index.ts';
import { startRsaSimulator } from '../simulators/rsa/index.ts';
import { startUmbrellaSimulator } from '../simulators/umbrella/index.ts';
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
    /** Something that happens part way (sessions or tokens expire, a latency spike). */
    midRun?(): void | Promise<void>;
    close(): Promise<void>;
  }>;
  /** The 429 storm, in this app's Retry-After form. */
  rateLimit: NonNullable<FaultPlan['rateLimit']>;
  /** A request error the trail must show (proof the mid-run fault hit). */
  trailShows?: string;
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
    rateLimit: { count: 6, retryAfter: { kind: 'text', seconds: 1 } },
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
    rateLimit: { count: 6, retryAfter: { kind: 'body', seconds: 1 } },
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
    rateLimit: { count: 6, retryAfter: { kind: 'http-date', seconds: 2 } },
  },
  {
    name: 'Cisco Umbrella API v2, 429 with Retry-After in plain seconds, and every OAuth token expired mid-run',
    async start() {
      const key = { key: 'v2-key', secret: 'v2-secret-value', scopes: ['admin.users:read', 'admin.users:write', 'admin.roles:read'] };
      const sim = await startUmbrellaSimulator({ v2Keys: [key], v2Limits: [], tokenLimit: undefined, invitations: 'accepted' });
      const org = sim.settings.organizations[0]!.id;
      return {
        app: { type: 'umbrella', api: 'v2', baseUrl: sim.v2BaseUrl, auth: { type: 'oauth2-client-credentials', clientId: key.key, clientSecret: 'env:S' }, rateBudget: false },
        env: { S: key.secret },
        faults: sim.faults,
        holdings: () => count(sim.state.usersOf(org).map((u) => u.email)),
        creates: () => sim.requests.entries.filter((r) => r.method === 'POST' && r.path.endsWith('/users') && r.status === 200).length,
        midRun: () => sim.expireTokens(),
        close: () => sim.close(),
      };
    },
    rateLimit: { count: 6, retryAfter: { kind: 'seconds', seconds: 1 } },
  },
  {
    name: 'RSA ID Plus, 429 with its "Retry-After: 2 seconds", and a latency spike past the request timeout',
    async start() {
      const sim = await startRsaSimulator({ clientSecret: 'rsa-secret' });
      return {
        // A spike of 1.5 s against a 600 ms timeout: answers that never come in time, writes the app may have done.
        app: { type: 'rsa', baseUrl: sim.baseUrl, auth: { type: 'bearer', token: 'env:T' }, rateBudget: false, timeoutMs: 600 },
        env: { T: 'rsa-secret' },
        faults: sim.scim.faults,
        holdings: () => count(sim.scim.store.listUsers().map((u) => String(u.attrs.userName))),
        // A create whose answer the timeout cut off was still made (logged with status 0), so count
        // the accounts the app made, plus any second create it refused (409).
        creates: () => sim.scim.store.userCount + sim.scim.requests.count({ method: 'POST', pathIncludes: '/Users', status: 409 }),
        async midRun() {
          sim.scim.settings.latencyMs = 1500;
          await sleep(2500);
          sim.scim.settings.latencyMs = 0;
        },
        close: () => sim.close(),
      };
    },
    rateLimit: { count: 4, retryAfter: { kind: 'text', seconds: 2 } },
    trailShows: 'timed out',
  },
  {
    name: 'generic SCIM, 429 with no Retry-After at all (roster backs off on its own)',
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
    // Unasked, roster's own backoff doubles from half a second: three in a row cost a few seconds.
    rateLimit: { count: 3, retryAfter: { kind: 'none' } },
  },
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
        t.faults.set({ rateLimit: target.rateLimit, serverError: { count: 3, status: 502 }, drop: { count: 3 }, after: 12 });
        const running = applyPlan(db, apps, plan.id, { actor: 'operator:alice', connectorFor: createConnector });
        if (t.midRun) {
          await sleep(300);
          await t.midRun();
        }
        const report = await running;
        t.faults.clear();
        assert.ok(t.faults.injected.rateLimit >= target.rateLimit.count && t.faults.injected.serverError >= 3 && t.faults.injected.drop >= 3, `the faults hit: ${JSON.stringify(t.faults.injected)}`);
        if (target.trailShows) {
          const requests = await queryAudit(db, { action: 'app.request', appName: name, limit: 5000 });
          assert.ok(requests.some((e) => e.detail.error === target.trailShows), `the trail shows requests that ${target.trailShows}`);
        }

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
