import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startScimSimulator, type RunningScimSimulator } from '../simulators/scim/index.ts';
import { parseConfig } from '../src/config/load.ts';
import { createConnector } from '../src/connectors/modules.ts';
import { generateOrganisation } from '../src/core/sample-org.ts';
import { applyPlan } from '../src/engine/apply.ts';
import { makePlan } from '../src/engine/planning.ts';
import { syncApps } from '../src/engine/sync.ts';
import { readStateFrom } from '../src/metrics.ts';
import { createServerApp } from '../src/server/app.ts';
import { Readiness } from '../src/server/health.ts';
import type { Database } from '../src/store/database.ts';
import { upsertPeople } from '../src/store/people.ts';
import { createScimToken } from '../src/store/scim-tokens.ts';
import { databaseKinds, openTestDatabase } from '../src/store/testing.ts';

/** The value of one sample in Prometheus text, by name and exact labels; undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`).sort().join(',');
  for (const line of text.split('\n')) {
    const match = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    if ((match[2] ?? '').split(',').filter(Boolean).sort().join(',') === wanted) return Number(match[3]);
  }
  return undefined;
}

for (const kind of databaseKinds) {
  describe(`/metrics and /readyz (${kind})`, () => {
    let db: Database;
    let sim: RunningScimSimulator;
    before(async () => {
      db = await openTestDatabase(kind);
      sim = await startScimSimulator({ maxPageSize: 10 });
    });
    after(async () => {
      readStateFrom(undefined);
      await sim.close();
      await db.close();
    });

    it('a scrape after a sync and an apply shows the operations by state, the requests by outcome, the 429s and the sync', async () => {
      const app = `hr_${kind}`;
      const config = parseConfig({ apps: { [app]: { type: 'scim', baseUrl: sim.baseUrl, auth: { type: 'bearer', token: 'env:T' }, rateBudget: false } } }, undefined, { env: { T: sim.settings.token } });
      const people = generateOrganisation({ size: 12, seed: 5, domain: 'example.com', leaverShare: 0 });
      await upsertPeople(db, people, 'test');
      sim.store.seedUsers(people.slice(0, 5).map((p) => ({ userName: p.userName, emails: [{ value: p.email, primary: true }], active: true })));
      sim.faults.set({ rateLimit: { count: 2, retryAfter: { kind: 'text', seconds: 0 } } });
      const [synced] = await syncApps(db, config.apps, { actor: 'operator:test' });
      assert.ok(synced?.ok, synced?.error);
      const plan = await makePlan(db, config.apps, { actor: 'operator:test' });
      const creates = plan.changes.filter((c) => c.kind === 'create').length;
      assert.equal(creates, 7);
      await applyPlan(db, config.apps, plan.id, { actor: 'operator:test', connectorFor: createConnector });

      readStateFrom(db);
      const server = createServerApp({ db });
      const { value: token } = await createScimToken(db, 'metrics', 'operator:test');
      const byRoute = { method: 'GET', route: '/scim/v2/Users/:id', status: '404' };
      const before = sample(await (await server.request('/metrics')).text(), 'roster_http_request_duration_seconds_count', byRoute) ?? 0;
      assert.equal((await server.request('/scim/v2/Users/nobody', { headers: { authorization: `Bearer ${token}` } })).status, 404);
      const response = await server.request('/metrics');
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
      const text = await response.text();

      assert.equal(sample(text, 'roster_operations', { state: 'done', app }), plan.changes.length);
      assert.equal(sample(text, 'roster_operations', { state: 'failed', app }), undefined);
      assert.equal(sample(text, 'roster_queue_depth', { app }), undefined, 'nothing left queued');
      assert.equal(sample(text, 'roster_vendor_rate_limited_total', { app }), 2);
      const okRequests = sim.requests.count({ status: 200 }) + sim.requests.count({ status: 201 });
      assert.equal(sample(text, 'roster_vendor_request_duration_seconds_count', { app, outcome: 'ok' }), okRequests);
      assert.equal(sample(text, 'roster_vendor_request_duration_seconds_count', { app, outcome: 'rate_limited' }), 2);
      assert.equal(sample(text, 'roster_sync_duration_seconds_count', { app, outcome: 'ok' }), 1);
      assert.equal(sample(text, 'roster_http_request_duration_seconds_count', byRoute), before + 1, 'inbound requests by route template, not by path');
      assert.ok(!text.includes(token) && !text.includes(sim.settings.token), 'no secret in the metrics');
    });

    it('/readyz answers 503 with the reason while starting and while shutting down; /healthz says alive throughout', async () => {
      const readiness = new Readiness(db, { queue: true });
      const server = createServerApp({ db, readiness });
      const ready = async () => {
        const response = await server.request('/readyz');
        return { status: response.status, body: (await response.json()) as { status: string; reason?: string } };
      };
      assert.deepEqual(await ready(), { status: 503, body: { status: 'unavailable', reason: 'starting' } });
      readiness.ready();
      assert.deepEqual(await ready(), { status: 503, body: { status: 'unavailable', reason: 'queue not started' } });
      readiness.queueStarted();
      assert.deepEqual(await ready(), { status: 200, body: { status: 'ready' } });
      await db.query("insert into schema_migrations (name) values ('999_from_a_newer_roster.sql')");
      assert.equal((await ready()).status, 200, 'a migration the database has and this build lacks is not one pending');
      readiness.stopping();
      assert.deepEqual(await ready(), { status: 503, body: { status: 'unavailable', reason: 'shutting down' } });
      assert.equal((await server.request('/healthz')).status, 200);
    });
  });
}
