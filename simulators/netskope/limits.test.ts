import { it } from 'node:test';
import assert from 'node:assert/strict';
import { client, startForTest, TEST_REST_TOKEN } from './testing.ts';

it('every answer carries ratelimit-* headers; over the per-token limit is 429 with no Retry-After', async (t) => {
  const sim = await startForTest(t, { rateLimit: { requests: 3, perMs: 60_000, retryAfter: 'none' } });
  const call = client(sim);
  const first = await call('GET', '/api/v2/scim/Users');
  assert.equal(first.headers.get('ratelimit-limit'), '3');
  assert.equal(first.headers.get('ratelimit-remaining'), '2');
  assert.ok(Number(first.headers.get('ratelimit-reset')) > 0);
  await call('GET', '/api/v2/scim/Users');
  await call('GET', '/api/v2/scim/Users');
  const over = await call('GET', '/api/v2/scim/Users');
  assert.equal(over.status, 429);
  assert.deepEqual(over.body, { message: 'API rate limit exceeded' });
  assert.equal(over.headers.get('retry-after'), null);
  assert.equal(over.headers.get('ratelimit-remaining'), '0');
  // The limit is per token: the REST v2 token still has its whole budget.
  const other = await call('GET', '/api/v2/events/data/audit?limit=1', undefined, { token: TEST_REST_TOKEN });
  assert.equal(other.status, 200);
  assert.equal(other.headers.get('ratelimit-remaining'), '2');
});

it('the default limit is 300 a minute per token; a Retry-After can be switched on', async (t) => {
  const sim = await startForTest(t);
  const res = await client(sim)('GET', '/api/v2/scim/Users');
  assert.equal(res.headers.get('ratelimit-limit'), '300');
  sim.settings.rateLimit = { requests: 1, perMs: 5_000, retryAfter: 'seconds' };
  await client(sim)('GET', '/api/v2/scim/Users');
  const over = await client(sim)('GET', '/api/v2/scim/Users');
  assert.equal(over.status, 429);
  assert.ok(Number(over.headers.get('retry-after')) >= 1);
});

it('chosen calls answer HTTP 200 with {"status":"error"} or {"ok":0}, and change nothing', async (t) => {
  const sim = await startForTest(t, { errorAnswers: [{ method: 'POST', pathIncludes: '/Users', count: 1 }, { pathIncludes: '/events/', form: 'ok-0', count: 1 }] });
  const call = client(sim);
  const body = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'e@acme.example' };
  const failed = await call('POST', '/api/v2/scim/Users', body);
  assert.equal(failed.status, 200);
  assert.equal(failed.body.status, 'error');
  assert.equal(failed.body.errorCode, 'General Error');
  assert.ok(Array.isArray(failed.body.errors));
  assert.equal(sim.scim.store.userCount, 0);
  assert.equal((await call('POST', '/api/v2/scim/Users', body)).status, 201);
  const events = await call('GET', '/api/v2/events/data/audit?limit=5', undefined, { token: TEST_REST_TOKEN });
  assert.equal(events.status, 200);
  assert.equal(events.body.ok, 0);
  assert.equal((await call('GET', '/api/v2/events/data/audit?limit=5', undefined, { token: TEST_REST_TOKEN })).body.ok, 1);
});
