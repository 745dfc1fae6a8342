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

it('SCIM takes a REST API v2 token granted the SCIM endpoints, and the legacy SCIM token', async (t) => {
  const sim = await startForTest(t, { restTokens: [{ token: 'v2-scim', scopes: ['scim', 'events'] }, { token: 'v2-paths', scopes: ['/api/v2/scim/Users', '/api/v2/scim/Groups'] }] });
  const call = client(sim);
  for (const token of ['v2-scim', 'v2-paths', TEST_SCIM_TOKEN]) {
    assert.equal((await call('GET', '/api/v2/scim/Users', undefined, { token })).status, 200, token);
    assert.equal((await call('GET', '/api/v2/scim/Groups', undefined, { token, as: 'bearer' })).status, 200, token);
  }
  assert.equal((await call('GET', '/api/v2/events/data/audit?limit=1', undefined, { token: 'v2-scim' })).status, 200);
});

it('a token without the endpoint asked gets a bare 403 with no body, and nothing is written', async (t) => {
  const sim = await startForTest(t, { restTokens: [{ token: TEST_REST_TOKEN, scopes: ['events'] }, { token: 'users-only', scopes: ['/api/v2/scim/Users'] }] });
  const call = client(sim);
  for (const as of ['header', 'bearer'] as const) {
    const wrong = await call('GET', '/api/v2/scim/Users', undefined, { token: TEST_REST_TOKEN, as });
    assert.equal(wrong.status, 403);
    assert.equal(wrong.text, '');
  }
  // The legacy SCIM token is no REST API v2 token.
  const onRest = await call('GET', '/api/v2/events/data/audit?limit=10', undefined, { token: TEST_SCIM_TOKEN });
  assert.equal(onRest.status, 403);
  assert.equal(onRest.text, '');
  // Granted Users but not Groups.
  assert.equal((await call('GET', '/api/v2/scim/Users', undefined, { token: 'users-only' })).status, 200);
  const groups = await call('GET', '/api/v2/scim/Groups', undefined, { token: 'users-only' });
  assert.equal(groups.status, 403);
  assert.equal(groups.text, '');
  const noEvents = await call('GET', '/api/v2/events/data/audit', undefined, { token: 'users-only' });
  assert.equal(noEvents.status, 403);
  assert.equal(noEvents.text, '');
  const write = await call('POST', '/api/v2/scim/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'x@example.com' }, { token: TEST_REST_TOKEN });
  assert.equal(write.status, 403);
  assert.equal(sim.scim.store.userCount, 0);
});

it('a revoked token, an address off the IP allow list, and (if set) a token nobody issued: the same bare 403', async (t) => {
  const sim = await startForTest(t, { revokedTokens: [TEST_SCIM_TOKEN] });
  const call = client(sim);
  const revoked = await call('GET', '/api/v2/scim/Users');
  assert.equal(revoked.status, 403);
  assert.equal(revoked.text, '');
  sim.settings.revokedTokens = [];
  assert.equal((await call('GET', '/api/v2/scim/Users')).status, 200);
  sim.settings.ipAllowList = ['10.1.2.3'];
  const offList = await call('GET', '/api/v2/scim/Users');
  assert.equal(offList.status, 403);
  assert.equal(offList.text, '');
  sim.settings.ipAllowList = ['127.0.0.1'];
  assert.equal((await call('GET', '/api/v2/scim/Users')).status, 200);
  sim.settings.invalidToken = 'bare-403';
  const invalid = await call('GET', '/api/v2/scim/Users', undefined, { token: 'made-up' });
  assert.equal(invalid.status, 403);
  assert.equal(invalid.text, '');
});

it('discovery needs a token too, and says where SCIM lives', async (t) => {
  const sim = await startForTest(t);
  const call = client(sim);
  assert.equal((await call('GET', '/api/v2/scim/ServiceProviderConfig', undefined, { as: 'none' })).status, 401);
  const types = await call('GET', '/api/v2/scim/ResourceTypes');
  assert.equal(types.status, 200);
  assert.ok(JSON.stringify(types.body).includes(`${sim.origin}/api/v2/scim/`));
});
