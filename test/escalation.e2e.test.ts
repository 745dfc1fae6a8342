import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startScimSimulator, type RunningScimSimulator } from '../simulators/scim/index.ts';
import { queryAudit } from '../src/audit/trail.ts';
import { parseConfig, type ResolvedApp } from '../src/config/load.ts';
import { createConnector } from '../src/connectors/registry.ts';
import { generateOrganisation } from '../src/core/sample-org.ts';
import { applyPlan } from '../src/engine/apply.ts';
import { appStatuses } from '../src/engine/findings.ts';
import { makePlan } from '../src/engine/planning.ts';
import { syncApp } from '../src/engine/sync.ts';
import type { Database } from '../src/store/database.ts';
import { upsertPeople } from '../src/store/people.ts';
import { openTestDatabase } from '../src/store/testing.ts';

describe('changes that keep failing', () => {
  let db: Database;
  let sim: RunningScimSimulator;
  let apps: ResolvedApp[];
  before(async () => {
    db = await openTestDatabase('pglite');
    sim = await startScimSimulator({});
    apps = parseConfig({ apps: { hr: { type: 'scim', baseUrl: sim.baseUrl, auth: { type: 'bearer', token: 'env:T' }, rateBudget: false } } }, undefined, { env: { T: sim.settings.token } }).apps;
    await upsertPeople(db, generateOrganisation({ size: 8, seed: 2, domain: 'example.com', leaverShare: 0 }), 'test');
    const connector = createConnector(apps[0]!);
    await syncApp(db, apps[0]!, connector, { actor: 'operator:alice' });
    await connector.close();
  });
  after(async () => {
    await db.close();
    await sim.close();
  });

  it('are retried, then escalated with their reason', async () => {
    const plan = await makePlan(db, apps, { actor: 'operator:alice' });
    assert.equal(plan.changes.length, 8);
    sim.faults.set({ serverError: { count: 10_000, status: 503 }, pathIncludes: '/Users' });
    const report = await applyPlan(db, apps, plan.id, { actor: 'operator:alice', connectorFor: createConnector, retry: { limit: 1, delaySeconds: 1 }, quarantine: { minFailures: 1000, share: 1, forMs: 1 } });
    sim.faults.clear();
    assert.equal(report.operations.length, 8);
    for (const op of report.operations) {
      assert.equal(op.state, 'failed');
      assert.equal(op.attempts, 2, 'tried, then retried once');
      assert.match(op.lastError ?? '', /hr: GET \/scim\/v2\/Users\?.* answered 503/);
    }
    const escalated = await queryAudit(db, { action: 'change.escalated', limit: 100 });
    assert.equal(escalated.length, 8);
    assert.equal((await queryAudit(db, { action: 'change.retried', limit: 100 })).length, 8);
    assert.equal(sim.store.userCount, 0, 'nothing half-done');
  });

  it('quarantines an app whose calls mostly fail: its work waits instead of hammering it, and apply says so', async () => {
    await upsertPeople(db, generateOrganisation({ size: 8, seed: 3, domain: 'other.example', leaverShare: 0 }).map((p) => ({ ...p, id: `q-${p.id}` })), 'test');
    const plan = await makePlan(db, apps, { actor: 'operator:alice', people: undefined });
    sim.faults.set({ serverError: { count: 10_000, status: 503 }, pathIncludes: '/Users' });
    const started = Date.now();
    const report = await applyPlan(db, apps, plan.id, { actor: 'operator:alice', connectorFor: createConnector, retry: { limit: 5, delaySeconds: 1 } });
    sim.faults.clear();
    assert.ok(Date.now() - started < 200_000, 'apply does not sit out the five-minute quarantine');
    assert.ok(report.deferred.length > 0, 'work left for later');
    assert.match(report.deferred[0]?.why ?? '', /hr is quarantined: \d+ of its last \d+ operations failed/);
    const quarantined = await queryAudit(db, { action: 'app.quarantined', limit: 10 });
    assert.ok(quarantined.length >= 1);
    const [status] = await appStatuses(db);
    assert.match(status?.quarantine?.reason ?? '', /of its last \d+ operations failed/);
    assert.equal(sim.store.userCount, 0);
  });
});
