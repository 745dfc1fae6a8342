import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fixture } from '../../test/support/netskope.ts';
import { queryAudit } from '../audit/trail.ts';
import { NETSKOPE_AUDIT_ACTION } from '../connectors/netskope/events.ts';
import { databaseKinds, openTestDatabase } from '../store/testing.ts';
import { ingestAppEvents } from './app-events.ts';

const now = Math.floor(Date.now() / 1000);

// Netskope's admin audit events, the app events roster reads today.
for (const kind of databaseKinds) {
  describe(`Netskope audit events into the trail on ${kind}`, () => {
    it('records events incrementally: two reads, no duplicates, late arrivals caught', async (t) => {
      const f = await fixture(t, { auditScimWrites: false });
      const db = await openTestDatabase(kind);
      t.after(() => db.close());
      const client = f.events({ pageSize: 7 });
      f.sim.events.add(Array.from({ length: 20 }, (_, i) => ({ timestamp: now - 600 + i * 10, _insertion_epoch_timestamp: now, user: `admin${i % 3}@acme.example`, audit_log_event: `first ${i}` })));

      const first = await ingestAppEvents(db, client, { now: new Date(now * 1000) });
      assert.equal(first.read, 20);
      assert.equal(first.recorded, 20);
      assert.equal(first.requests, 3);

      // New events, stored after the first read: one at the very second of the newest recorded,
      // one that happened an hour before it and was filed late (beyond any overlap on event time).
      const newest = now - 600 + 19 * 10;
      const storedAt = now + 20;
      f.sim.events.add([
        { timestamp: newest, _insertion_epoch_timestamp: storedAt, audit_log_event: 'same second' },
        { timestamp: newest - 3600, _insertion_epoch_timestamp: storedAt, audit_log_event: 'filed late' },
        { timestamp: storedAt, _insertion_epoch_timestamp: storedAt, audit_log_event: 'just now' },
      ]);
      const second = await ingestAppEvents(db, client, { now: new Date((storedAt + 1) * 1000) });
      assert.equal(second.recorded, 3);
      assert.equal(second.since, now - 300, 'the window starts where the last one ended, less the overlap');
      const asked = f.sim.scim.requests.filter({ pathIncludes: '/events/data/audit' }).at(-1)?.query;
      assert.equal(asked?.['insertionstarttime'], String(now - 300));
      const third = await ingestAppEvents(db, client, { now: new Date((storedAt + 2) * 1000) });
      assert.equal(third.recorded, 0);

      const trail = await queryAudit(db, { action: NETSKOPE_AUDIT_ACTION, limit: 1000 });
      assert.equal(trail.length, 23);
      assert.equal(new Set(trail.map((e) => e.detail['_id'])).size, 23);
      assert.ok(trail.every((e) => e.actor === 'app:netskope' && e.appName === 'netskope'));
      const late = trail.filter((e) => e.detail['audit_log_event'] === 'filed late');
      assert.equal(late.length, 1, 'the late event is recorded, once');
      assert.equal(late[0]?.detail['timestamp'], newest - 3600);
      assert.equal(late[0]?.detail['at'], new Date((newest - 3600) * 1000).toISOString());
      const first0 = trail.find((e) => e.detail['audit_log_event'] === 'first 0');
      assert.equal(first0?.target, 'admin0@acme.example');
      const reads = await queryAudit(db, { action: 'netskope.audit_read' });
      assert.deepEqual(reads.map((r) => r.detail['recorded']), [0, 3, 20]);
    });

    it('two ingests at once record each event once', async (t) => {
      const f = await fixture(t, { auditScimWrites: false });
      const db = await openTestDatabase(kind);
      t.after(() => db.close());
      f.sim.events.add(Array.from({ length: 12 }, (_, i) => ({ timestamp: now - 50 + i })));
      const [a, b] = await Promise.all([ingestAppEvents(db, f.events()), ingestAppEvents(db, f.events())]);
      assert.equal(a.recorded + b.recorded, 12);
      assert.equal((await queryAudit(db, { action: NETSKOPE_AUDIT_ACTION, limit: 100 })).length, 12);
    });
  });
}
