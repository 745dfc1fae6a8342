import { it } from 'node:test';
import assert from 'node:assert/strict';
import { fixture, REST_TOKEN, SCIM_TOKEN } from '../../../test/support/netskope.ts';
import { Secret } from '../../config/secret.ts';
import { isRosterError } from '../../errors.ts';
import { headerAuth } from '../http/auth.ts';
import { NetskopeEventsClient, type NetskopeAuditEvent } from './events.ts';

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
