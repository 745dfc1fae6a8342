import { it } from 'node:test';
import assert from 'node:assert/strict';
import { client, startForTest, TEST_REST_TOKEN, TEST_SCIM_TOKEN } from './testing.ts';

it('takes the SCIM token in Netskope-Api-Token or as a Bearer token', async (t) => {
  const sim = await startForTest(t);
  const call = client(sim);
  assert.equal((await call('GET', '/api/v2/scim/Users')).status, 200);
  assert.equal((await call('GET', '/api/v2/scim/Users', undefined, { as: 'bearer' })).status, 200);
  const none = await call('GET', '/api/v2/scim/Users', undefined, { as: 'none' });
  assert.equal(none.status, 401);
  assert.equal((await call('GET', '/api/v2/scim/Users', undefined, { token: 'made-up' })).status, 401);
});

it('a REST v2 token on SCIM, or the SCIM token on REST v2, gets a bare 403 with no body', async (t) => {
  const sim = await startForTest(t);
  const call = client(sim);
  for (const as of ['header', 'bearer'] as const) {
    const wrong = await call('GET', '/api/v2/scim/Users', undefined, { token: TEST_REST_TOKEN, as });
    assert.equal(wrong.status, 403);
    assert.equal(wrong.text, '');
  }
  const onRest = await call('GET', '/api/v2/events/data/audit?limit=10', undefined, { token: TEST_SCIM_TOKEN });
  assert.equal(onRest.status, 403);
  assert.equal(onRest.text, '');
  // Nothing was written through the wrong door.
  const write = await call('POST', '/api/v2/scim/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'x@example.com' }, { token: TEST_REST_TOKEN });
  assert.equal(write.status, 403);
  assert.equal(sim.scim.store.userCount, 0);
});

it('a REST v2 token without the events scope is refused with an explanation', async (t) => {
  const sim = await startForTest(t, { restTokens: [{ token: 'infra-only', scopes: ['infrastructure'] }] });
  const res = await client(sim)('GET', '/api/v2/events/data/audit', undefined, { token: 'infra-only' });
  assert.equal(res.status, 403);
  assert.equal(res.body.status, 'error');
  assert.match(res.body.errors[0], /events/);
});

it('restTokensOnScim: a REST v2 token with the scim scope works on SCIM; without it, still a bare 403', async (t) => {
  const sim = await startForTest(t, { restTokensOnScim: true, restTokens: [{ token: 'with-scim', scopes: ['scim'] }, { token: 'events-only', scopes: ['events'] }] });
  const call = client(sim);
  assert.equal((await call('GET', '/api/v2/scim/Users', undefined, { token: 'with-scim' })).status, 200);
  const refused = await call('GET', '/api/v2/scim/Users', undefined, { token: 'events-only' });
  assert.equal(refused.status, 403);
  assert.equal(refused.text, '');
});

it('discovery needs a token too, and says where SCIM lives', async (t) => {
  const sim = await startForTest(t);
  const call = client(sim);
  assert.equal((await call('GET', '/api/v2/scim/ServiceProviderConfig', undefined, { as: 'none' })).status, 401);
  const types = await call('GET', '/api/v2/scim/ResourceTypes');
  assert.equal(types.status, 200);
  assert.ok(JSON.stringify(types.body).includes(`${sim.origin}/api/v2/scim/`));
});
