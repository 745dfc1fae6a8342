import { it } from 'node:test';
import assert from 'node:assert/strict';
import { fixture, SCIM_TOKEN } from '../../../test/support/netskope.ts';
import { isRosterError } from '../../errors.ts';
import type { NetskopeAuditEvent } from './events.ts';

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
