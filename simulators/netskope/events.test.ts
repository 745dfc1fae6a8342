import { it } from 'node:test';
import assert from 'node:assert/strict';
import { client, startForTest, TEST_REST_TOKEN } from './testing.ts';

const rest = { token: TEST_REST_TOKEN };

it('pages audit events with limit and offset (alias skip), newest first, none skipped or repeated', async (t) => {
  const sim = await startForTest(t, { auditScimWrites: false });
  const base = 1_700_000_000;
  sim.events.add(Array.from({ length: 25 }, (_, i) => ({ timestamp: base + Math.floor(i / 3), audit_log_event: `event ${i}` })));
  const call = client(sim);
  const seen: string[] = [];
  for (let offset = 0; ; offset += 10) {
    const param = offset === 10 ? 'skip' : 'offset';
    const page = await call('GET', `/api/v2/events/data/audit?limit=10&${param}=${offset}`, undefined, rest);
    assert.equal(page.body.ok, 1);
    seen.push(...page.body.result.map((e: { audit_log_event: string }) => e.audit_log_event));
    if (page.body.result.length < 10) break;
  }
  assert.equal(seen.length, 25);
  assert.equal(new Set(seen).size, 25);
  assert.equal(seen[0], 'event 24');
  const one = (await call('GET', '/api/v2/events/data/audit?limit=1', undefined, rest)).body.result[0];
  assert.deepEqual(Object.keys(one).sort(), ['_id', '_insertion_epoch_timestamp', 'activity', 'audit_log_event', 'supporting_data', 'timestamp', 'type', 'user']);
});

it('starttime and endtime (epoch seconds, inclusive) and query narrow the events', async (t) => {
  const sim = await startForTest(t, { auditScimWrites: false });
  sim.events.add([
    { timestamp: 100, user: 'ann@acme.example', audit_log_event: 'Login Successful' },
    { timestamp: 200, user: 'bob@acme.example', audit_log_event: 'Edit policy' },
    { timestamp: 300, user: 'ann@acme.example', audit_log_event: 'Edit policy' },
  ]);
  const call = client(sim);
  const windowed = await call('GET', '/api/v2/events/data/audit?limit=10&starttime=200&endtime=300', undefined, rest);
  assert.deepEqual(windowed.body.result.map((e: { timestamp: number }) => e.timestamp), [300, 200]);
  const q = encodeURIComponent(`user eq 'ann@acme.example' and audit_log_event like 'edit'`);
  const queried = await call('GET', `/api/v2/events/data/audit?limit=10&query=${q}`, undefined, rest);
  assert.deepEqual(queried.body.result.map((e: { timestamp: number }) => e.timestamp), [300]);
  // Milliseconds where seconds belong: silently nothing.
  const ms = await call('GET', '/api/v2/events/data/audit?limit=10&starttime=100000', undefined, rest);
  assert.deepEqual(ms.body, { ok: 1, result: [] });
});

it('insertionstarttime and insertionendtime select by when Netskope stored the event, not when it happened', async (t) => {
  const sim = await startForTest(t, { auditScimWrites: false });
  const now = Math.floor(Date.now() / 1000);
  sim.events.add([
    { timestamp: now - 3600, audit_log_event: 'happened an hour ago, stored now' },
    { timestamp: now - 60, _insertion_epoch_timestamp: now - 50, audit_log_event: 'stored on time' },
  ]);
  const call = client(sim);
  const byEventTime = await call('GET', `/api/v2/events/data/audit?limit=10&starttime=${now - 120}&endtime=${now}`, undefined, rest);
  assert.deepEqual(byEventTime.body.result.map((e: { audit_log_event: string }) => e.audit_log_event), ['stored on time']);
  const byInsertion = await call('GET', `/api/v2/events/data/audit?limit=10&insertionstarttime=${now - 10}&insertionendtime=${now + 5}`, undefined, rest);
  assert.deepEqual(byInsertion.body.result.map((e: { audit_log_event: string }) => e.audit_log_event), ['happened an hour ago, stored now']);
  assert.equal(byInsertion.body.result[0]._insertion_epoch_timestamp >= now, true);
});

it('refuses a limit above 5000; SCIM-style paging silently gets nothing', async (t) => {
  const sim = await startForTest(t, { auditScimWrites: false });
  sim.events.add([{}, {}, {}]);
  const call = client(sim);
  const tooMany = await call('GET', '/api/v2/events/data/audit?limit=5001', undefined, rest);
  assert.equal(tooMany.status, 400);
  assert.equal(tooMany.body.status, 'error');
  assert.equal((await call('GET', '/api/v2/events/data/audit?limit=5000', undefined, rest)).body.result.length, 3);
  const scimStyle = await call('GET', '/api/v2/events/data/audit?startIndex=1&count=100', undefined, rest);
  assert.deepEqual(scimStyle.body, { ok: 1, result: [] });
});

it('SCIM writes show in the audit log; deleting a user removes its audit history', async (t) => {
  const sim = await startForTest(t);
  const call = client(sim);
  const user = await call('POST', '/api/v2/scim/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'gone@acme.example', active: true });
  await call('PATCH', `/api/v2/scim/Users/${user.body.id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'active', value: false }] });
  const before = (await call('GET', '/api/v2/events/data/audit?limit=10', undefined, rest)).body.result;
  assert.deepEqual(before.map((e: { audit_log_event: string }) => e.audit_log_event), ['SCIM user updated', 'SCIM user created']);
  assert.deepEqual(before[0].supporting_data, { data_type: 'user', data_values: ['gone@acme.example'] });
  assert.equal((await call('DELETE', `/api/v2/scim/Users/${user.body.id}`)).status, 204);
  const after = (await call('GET', '/api/v2/events/data/audit?limit=10', undefined, rest)).body.result;
  assert.deepEqual(after.map((e: { audit_log_event: string }) => e.audit_log_event), ['SCIM user deleted']);
});
