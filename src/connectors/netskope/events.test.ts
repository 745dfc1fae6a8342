import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { queryAudit } from '../../audit/trail.ts';
import { isRosterError } from '../../errors.ts';
import { databaseKinds, openTestDatabase } from '../../store/testing.ts';
import { Secret } from '../../config/secret.ts';
import { headerAuth } from '../http/auth.ts';
import { ingestNetskopeAuditEvents, NETSKOPE_AUDIT_ACTION, NetskopeEventsClient, type NetskopeAuditEvent } from './events.ts';
import { fixture, REST_TOKEN, SCIM_TOKEN } from './testing.ts';

const now = Math.floor(Date.now() / 1000);

it('reads audit events by insertion time and limit/offset (not startIndex/count), the window fixed at the start', async (t) => {
  const f = await fixture(t, { auditScimWrites: false });
  f.sim.events.add(Array.from({ length: 25 }, (_, i) => ({ timestamp: now - 100 + i, audit_log_event: `e${i}` })));
  const client = f.events({ pageSize: 10 });
  const seen: NetskopeAuditEvent[] = [];
  for await (const page of client.readAuditEvents(now - 1000)) seen.push(...page);
  assert.equal(seen.length, 25);
  assert.equal(new Set(seen.map((e) => e._id)).size, 25);
  const asked = f.sim.scim.requests.filter({ pathIncludes: '/events/data/audit' }).map((r) => r.query);
  assert.deepEqual(asked.map((q) => [q['limit'], q['offset']]), [['10', '0'], ['10', '10'], ['10', '20']]);
  assert.ok(asked.every((q) => q['startIndex'] === undefined && q['count'] === undefined && q['starttime'] === undefined && q['insertionstarttime'] === String(now - 1000)));
  assert.equal(new Set(asked.map((q) => q['insertionendtime'])).size, 1, 'one insertionendtime for every page');
});

it('an event that happened an hour ago but was stored just now is in a read of the last minute', async (t) => {
  const f = await fixture(t, { auditScimWrites: false });
  const [late] = f.sim.events.add([{ timestamp: now - 3600, audit_log_event: 'arrived late' }]);
  const seen: NetskopeAuditEvent[] = [];
  for await (const page of f.events().readAuditEvents(now - 60)) seen.push(...page);
  assert.deepEqual(seen.map((e) => e._id), [late!._id]);
  const byEventTime: NetskopeAuditEvent[] = [];
  for await (const page of f.events().readAuditEvents(now - 60, { by: 'event' })) byEventTime.push(...page);
  assert.deepEqual(byEventTime, [], 'walking event time misses it');
});

it('waits out a 429 {"message":"API rate limit exceeded"} and misses nothing', async (t) => {
  const f = await fixture(t, { auditScimWrites: false, rateLimit: { requests: 2, perMs: 1000, retryAfter: 'none' } });
  f.sim.events.add(Array.from({ length: 50 }, (_, i) => ({ timestamp: now - 100 + i })));
  const client = f.events({ pageSize: 10 });
  const seen: NetskopeAuditEvent[] = [];
  for await (const page of client.readAuditEvents(now - 1000)) seen.push(...page);
  assert.equal(new Set(seen.map((e) => e._id)).size, 50);
  const refused = f.sim.scim.requests.filter({ pathIncludes: '/events/data/audit' }).filter((r) => r.status === 429);
  assert.ok(refused.length > 0, 'the limit was met');
});

it('a 429 that outlasts the wait roster allows is a rate_limited error in Netskope\'s words', async (t) => {
  const f = await fixture(t, { auditScimWrites: false, rateLimit: { requests: 1, perMs: 60_000, retryAfter: 'none' } });
  const client = new NetskopeEventsClient({ appName: 'netskope', baseUrl: f.sim.origin, auth: headerAuth('Netskope-Api-Token', new Secret(REST_TOKEN, 'env:X')), maxWaitMs: 1000, backoffBaseMs: 5 });
  t.after(() => client.close());
  await assert.rejects(
    (async () => {
      for await (const _ of client.readAuditEvents(now - 60)) void _;
      for await (const _ of client.readAuditEvents(now - 60)) void _;
    })(),
    (error: unknown) => isRosterError(error, 'rate_limited') && /rate limited/.test(error.message),
  );
});

it('a bare 403 on the events API is explained with every cause it can have', async (t) => {
  const f = await fixture(t);
  const client = f.events({ token: SCIM_TOKEN });
  await assert.rejects(
    (async () => {
      for await (const _ of client.readAuditEvents(now - 60)) void _;
    })(),
    (error: unknown) => {
      assert.ok(isRosterError(error, 'forbidden'));
      assert.match(error.message, /answered 403 with no body: Netskope answers so, without saying which cause, when the REST API v2 token is not granted the events endpoint \(\/api\/v2\/events\/data\/audit; a SCIM-only token has none\), when the token was revoked or is not valid, or when this address is not on the tenant's IP allow list$/);
      assert.ok(!error.message.includes(SCIM_TOKEN));
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
      f.sim.events.add(Array.from({ length: 20 }, (_, i) => ({ timestamp: now - 600 + i * 10, _insertion_epoch_timestamp: now, user: `admin${i % 3}@acme.example`, audit_log_event: `first ${i}` })));

      const first = await ingestNetskopeAuditEvents(db, client, { appName: 'netskope', now: new Date(now * 1000) });
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
        { timestamp: storedAt, audit_log_event: 'just now' },
      ]);
      const second = await ingestNetskopeAuditEvents(db, client, { appName: 'netskope', now: new Date((storedAt + 1) * 1000) });
      assert.equal(second.recorded, 3);
      assert.equal(second.since, now - 300, 'the window starts where the last one ended, less the overlap');
      const asked = f.sim.scim.requests.filter({ pathIncludes: '/events/data/audit' }).at(-1)?.query;
      assert.equal(asked?.['insertionstarttime'], String(now - 300));
      const third = await ingestNetskopeAuditEvents(db, client, { appName: 'netskope', now: new Date((storedAt + 2) * 1000) });
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
      const [a, b] = await Promise.all([ingestNetskopeAuditEvents(db, f.events(), { appName: 'netskope' }), ingestNetskopeAuditEvents(db, f.events(), { appName: 'netskope' })]);
      assert.equal(a.recorded + b.recorded, 12);
      assert.equal((await queryAudit(db, { action: NETSKOPE_AUDIT_ACTION, limit: 100 })).length, 12);
    });
  });
}
