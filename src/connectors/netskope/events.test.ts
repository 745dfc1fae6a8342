import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { queryAudit } from '../../audit/trail.ts';
import { isRosterError } from '../../errors.ts';
import { databaseKinds, openTestDatabase } from '../../store/testing.ts';
import { ingestNetskopeAuditEvents, NETSKOPE_AUDIT_ACTION, type NetskopeAuditEvent } from './events.ts';
import { fixture, SCIM_TOKEN } from './testing.ts';

const now = Math.floor(Date.now() / 1000);

it('reads audit events by limit/offset (not startIndex/count), the window fixed at the start', async (t) => {
  const f = await fixture(t, { auditScimWrites: false });
  f.sim.events.add(Array.from({ length: 25 }, (_, i) => ({ timestamp: now - 100 + i, audit_log_event: `e${i}` })));
  const client = f.events({ pageSize: 10 });
  const seen: NetskopeAuditEvent[] = [];
  for await (const page of client.readAuditEvents(now - 1000)) seen.push(...page);
  assert.equal(seen.length, 25);
  assert.equal(new Set(seen.map((e) => e._id)).size, 25);
  const asked = f.sim.scim.requests.filter({ pathIncludes: '/events/data/audit' }).map((r) => r.query);
  assert.deepEqual(asked.map((q) => [q['limit'], q['offset']]), [['10', '0'], ['10', '10'], ['10', '20']]);
  assert.ok(asked.every((q) => q['startIndex'] === undefined && q['count'] === undefined && q['starttime'] === String(now - 1000)));
  assert.equal(new Set(asked.map((q) => q['endtime'])).size, 1, 'one endtime for every page');
});

it('the SCIM token on the events API is reported as the wrong kind of token', async (t) => {
  const f = await fixture(t);
  const client = f.events({ token: SCIM_TOKEN });
  await assert.rejects(
    (async () => {
      for await (const _ of client.readAuditEvents(now - 60)) void _;
    })(),
    (error: unknown) => {
      assert.ok(isRosterError(error, 'forbidden'));
      assert.match(error.message, /not a REST API v2 token \(the SCIM token\?\); audit events need a REST API v2 token with the events scope/);
      return true;
    },
  );
});

it('an events page of {"ok":0} is a failure, not an empty page', async (t) => {
  const f = await fixture(t, { errorAnswers: [{ pathIncludes: '/events/', form: 'ok-0' }] });
  await assert.rejects(
    (async () => {
      for await (const _ of f.events().readAuditEvents(now - 60)) void _;
    })(),
    (error: unknown) => isRosterError(error, 'app_error') && /answered 200 but its body reports a failure/.test(error.message),
  );
});

for (const kind of databaseKinds) {
  describe(`Netskope audit events into the trail on ${kind}`, () => {
    it('records events incrementally: two reads, no duplicates, late arrivals caught', async (t) => {
      const f = await fixture(t, { auditScimWrites: false });
      const db = await openTestDatabase(kind);
      t.after(() => db.close());
      const client = f.events({ pageSize: 7 });
      f.sim.events.add(Array.from({ length: 20 }, (_, i) => ({ timestamp: now - 600 + i * 10, user: `admin${i % 3}@acme.example`, audit_log_event: `first ${i}` })));

      const first = await ingestNetskopeAuditEvents(db, client, { appName: 'netskope' });
      assert.equal(first.read, 20);
      assert.equal(first.recorded, 20);
      assert.equal(first.requests, 3);

      // New events, one at the very second of the newest recorded, one filed late (older than it).
      const newest = now - 600 + 19 * 10;
      f.sim.events.add([
        { timestamp: newest, audit_log_event: 'same second' },
        { timestamp: newest - 30, audit_log_event: 'filed late' },
        { timestamp: now, audit_log_event: 'just now' },
      ]);
      const second = await ingestNetskopeAuditEvents(db, client, { appName: 'netskope', now: new Date((now + 1) * 1000) });
      assert.equal(second.recorded, 3);
      assert.ok(second.since <= newest - 30, 'the read overlapped the newest recorded event');
      const third = await ingestNetskopeAuditEvents(db, client, { appName: 'netskope', now: new Date((now + 2) * 1000) });
      assert.equal(third.recorded, 0);

      const trail = await queryAudit(db, { action: NETSKOPE_AUDIT_ACTION, limit: 1000 });
      assert.equal(trail.length, 23);
      assert.equal(new Set(trail.map((e) => e.detail['_id'])).size, 23);
      assert.ok(trail.every((e) => e.actor === 'app:netskope' && e.appName === 'netskope'));
      const late = trail.find((e) => e.detail['audit_log_event'] === 'filed late');
      assert.equal(late?.detail['timestamp'], newest - 30);
      assert.equal(late?.detail['at'], new Date((newest - 30) * 1000).toISOString());
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
      const [a, b] = await Promise.all([ingestNetskopeAuditEvents(db, f.events(), { appName: 'netskope' }), ingestNetskopeAuditEvents(db, f.events(), { appName: 'netskope' })]);
      assert.equal(a.recorded + b.recorded, 12);
      assert.equal((await queryAudit(db, { action: NETSKOPE_AUDIT_ACTION, limit: 100 })).length, 12);
    });
  });
}
