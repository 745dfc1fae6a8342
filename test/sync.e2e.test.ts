import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateUsers, startScimSimulator, type RunningScimSimulator } from '../simulators/scim/index.ts';
import type { RetryAfterForm } from '../simulators/shared/faults.ts';
import { queryAudit } from '../src/audit/trail.ts';
import { Secret } from '../src/config/secret.ts';
import { bearerAuth } from '../src/connectors/http/auth.ts';
import { ScimConnector } from '../src/connectors/scim/connector.ts';
import { generateOrganisation } from '../src/core/sample-org.ts';
import { appStatuses } from '../src/engine/findings.ts';
import { syncApp } from '../src/engine/sync.ts';
import { currentAccounts } from '../src/store/accounts.ts';
import type { Database } from '../src/store/database.ts';
import { upsertPeople } from '../src/store/people.ts';
import { databaseKinds, openTestDatabase } from '../src/store/testing.ts';

const app = (sim: RunningScimSimulator) => ({ name: 'hr-scim', type: 'scim', baseUrl: sim.baseUrl });
const connectorFor = (sim: RunningScimSimulator, extra: { pageSize?: number } = {}) =>
  new ScimConnector({ appName: 'hr-scim', baseUrl: sim.baseUrl, auth: bearerAuth(new Secret(sim.settings.token, 'test')), backoffBaseMs: 20, ...extra });

async function sync(db: Database, sim: RunningScimSimulator, extra: { pageSize?: number } = {}) {
  const connector = connectorFor(sim, extra);
  try {
    return await syncApp(db, app(sim), connector, { actor: 'operator:test' });
  } finally {
    await connector.close();
  }
}

for (const kind of databaseKinds) {
  describe(`sync of a SCIM app into ${kind}`, () => {
    let sim: RunningScimSimulator;
    let db: Database;
    before(async () => {
      sim = await startScimSimulator({ maxPageSize: 100 });
      db = await openTestDatabase(kind);
    });
    after(async () => {
      await sim.close();
      await db.close();
    });

    it('reads 10,000 accounts in exactly ceil(10,000 / max page size) list requests', async () => {
      sim.store.reset();
      sim.store.seedUsers(generateUsers(10_000, { domain: 'big.example' }));
      for (const maxPageSize of [100, 1000]) {
        sim.settings.maxPageSize = maxPageSize;
        const before = sim.requests.count({ method: 'GET', pathIncludes: '/Users' });
        const result = await sync(db, sim);
        assert.ok(result.ok, result.error);
        assert.equal(result.accountsRead, 10_000);
        assert.equal(sim.requests.count({ method: 'GET', pathIncludes: '/Users' }) - before, Math.ceil(10_000 / maxPageSize));
        assert.equal(result.listRequests, Math.ceil(10_000 / maxPageSize));
        assert.equal((await currentAccounts(db, 'hr-scim')).length, 10_000);
      }
    });

    it('still pages correctly when the app serves fewer than it advertises', async () => {
      sim.store.reset();
      sim.store.seedUsers(generateUsers(250, { domain: 'small.example' }));
      sim.settings.maxPageSize = 40;
      const result = await sync(db, sim, { pageSize: 100 });
      assert.ok(result.ok, result.error);
      assert.equal(result.accountsRead, 250);
      assert.equal(new Set((await currentAccounts(db, 'hr-scim')).map((a) => a.remoteId)).size, 250);
    });

    const forms: RetryAfterForm[] = [
      { kind: 'seconds', seconds: 1 },
      { kind: 'http-date', seconds: 2 },
      { kind: 'text', seconds: 1 },
      { kind: 'body', seconds: 1 },
      { kind: 'none' },
    ];
    for (const form of forms) {
      it(`waits out a 429 mid-sync (Retry-After: ${form.kind}) and misses no account`, async () => {
        sim.store.reset();
        sim.store.seedUsers(generateUsers(450, { domain: 'rl.example' }));
        sim.settings.maxPageSize = 100;
        sim.faults.set({ rateLimit: { count: 2, retryAfter: form }, pathIncludes: '/Users', after: 2 });
        const result = await sync(db, sim);
        sim.faults.clear();
        assert.ok(result.ok, result.error);
        assert.equal(sim.faults.injected.rateLimit > 0, true);
        assert.equal(result.accountsRead, 450);
        assert.equal(result.listRequests, 5);
        assert.equal(new Set((await currentAccounts(db, 'hr-scim')).map((a) => a.remoteId)).size, 450);
        const waits = (await queryAudit(db, { action: 'app.read', limit: 1000 })).filter((e) => e.detail.status === 429 && e.detail.syncId === result.syncId);
        assert.equal(waits.length, 2, 'each 429 is in the audit trail');
      });
    }

    it('keeps the previous good state when the app goes down mid-sync, and says so', async () => {
      sim.store.reset();
      const people = generateOrganisation({ size: 120, seed: 5 });
      await upsertPeople(db, people, 'test');
      sim.store.seedUsers(people.map((p) => ({ userName: p.userName, emails: [{ value: p.email, type: 'work', primary: true }], active: true })));
      sim.settings.maxPageSize = 50;
      const good = await sync(db, sim);
      assert.ok(good.ok);
      sim.store.seedUsers(generateUsers(100, { domain: 'later.example' }));
      for (const fault of [{ serverError: { count: 50, status: 503 } }, { drop: { count: 50 } }]) {
        sim.faults.set({ ...fault, pathIncludes: '/Users', after: 2 });
        const failed = await sync(db, sim);
        sim.faults.clear();
        assert.equal(failed.ok, false);
        assert.match(failed.error ?? '', /answered 503|connection dropped/);
        assert.equal((await currentAccounts(db, 'hr-scim')).length, 120, 'last good state kept');
        const [status] = await appStatuses(db);
        assert.equal(status?.current?.id, good.syncId);
        assert.equal(status?.latestProblem?.status, 'failed');
        assert.equal(status?.findings?.linked, 120);
        const failures = await queryAudit(db, { action: 'sync.failed', limit: 1 });
        assert.equal(failures[0]?.detail.syncId, failed.syncId);
      }
    });
  });
}
