import { it } from 'node:test';
import assert from 'node:assert/strict';
import { UMBRELLA_EXTENSION } from './scim.ts';
import { call, startForTest } from './testing.ts';

const bearer = 'Bearer scim-token';
const scimType = 'application/scim+json';
const user = (userName: string, extra: Record<string, unknown> = {}) => ({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', UMBRELLA_EXTENSION], userName, active: true, displayName: userName, ...extra });

it('SCIM: static bearer token; userName the only user filter, displayName the only group filter', async (t) => {
  const sim = await startForTest(t);
  assert.equal((await call(`${sim.scimBaseUrl}/Users`, 'GET', 'Bearer wrong')).status, 401);
  await call(`${sim.scimBaseUrl}/Users`, 'POST', bearer, user('ann@example.com'), scimType);
  const found = await call(`${sim.scimBaseUrl}/Users?filter=${encodeURIComponent('userName eq "ann@example.com"')}`, 'GET', bearer);
  assert.equal(found.body.totalResults, 1);
  const refused = await call(`${sim.scimBaseUrl}/Users?filter=${encodeURIComponent('displayName eq "ann@example.com"')}`, 'GET', bearer);
  assert.equal(refused.status, 400);
  assert.equal(refused.body.scimType, 'invalidFilter');
  assert.equal((await call(`${sim.scimBaseUrl}/Users?filter=${encodeURIComponent('userName sw "ann"')}`, 'GET', bearer)).status, 400);
  assert.equal((await call(`${sim.scimBaseUrl}/Groups?filter=${encodeURIComponent('displayName eq "x"')}`, 'GET', bearer)).status, 200);
  assert.equal((await call(`${sim.scimBaseUrl}/Groups?filter=${encodeURIComponent('userName eq "x"')}`, 'GET', bearer)).status, 400);
});

it('SCIM: the ciscoumbrella extension keeps nativeObjectId (POST, PATCH, lists); attributes Umbrella does not hold are dropped', async (t) => {
  const sim = await startForTest(t);
  const created = await call(`${sim.scimBaseUrl}/Users`, 'POST', bearer, user('bo@example.com', { [UMBRELLA_EXTENSION]: { nativeObjectId: 'guid-1' }, title: 'Boss', emails: [{ value: 'bo@example.com' }] }), scimType);
  assert.equal(created.status, 201);
  assert.equal(created.body[UMBRELLA_EXTENSION].nativeObjectId, 'guid-1');
  assert.equal(created.body.title, undefined);
  assert.equal(created.body.emails, undefined);
  const patched = await call(`${sim.scimBaseUrl}/Users/${created.body.id}`, 'PATCH', bearer, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: `${UMBRELLA_EXTENSION}:nativeObjectId`, value: 'guid-2' }] }, scimType);
  assert.equal(patched.status, 200);
  assert.equal(patched.body[UMBRELLA_EXTENSION].nativeObjectId, 'guid-2');
  const list = await call(`${sim.scimBaseUrl}/Users`, 'GET', bearer);
  assert.equal(list.body.Resources[0][UMBRELLA_EXTENSION].nativeObjectId, 'guid-2');
});

it('SCIM: DELETE of a user only deactivates it', async (t) => {
  const sim = await startForTest(t);
  const created = await call(`${sim.scimBaseUrl}/Users`, 'POST', bearer, user('cy@example.com'), scimType);
  assert.equal((await call(`${sim.scimBaseUrl}/Users/${created.body.id}`, 'DELETE', bearer)).status, 204);
  const after = await call(`${sim.scimBaseUrl}/Users/${created.body.id}`, 'GET', bearer);
  assert.equal(after.status, 200);
  assert.equal(after.body.active, false);
});

it('SCIM: at most 200 groups', async (t) => {
  const sim = await startForTest(t, { scimMaxGroups: 3 });
  for (let i = 0; i < 3; i++) assert.equal((await call(`${sim.scimBaseUrl}/Groups`, 'POST', bearer, { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: `G${i}` }, scimType)).status, 201);
  const refused = await call(`${sim.scimBaseUrl}/Groups`, 'POST', bearer, { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'G4' }, scimType);
  assert.equal(refused.status, 400);
  assert.match(refused.body.detail, /at most 3 groups/);
  const sim200 = await startForTest(t);
  assert.equal(sim200.settings.scimMaxGroups, 200);
});

it('faults and the request log cover every API', async (t) => {
  const sim = await startForTest(t);
  sim.faults.set({ serverError: { count: 1 }, pathIncludes: '/identity/' });
  assert.equal((await call(`${sim.scimBaseUrl}/Users`, 'GET', bearer)).status, 503);
  assert.equal((await call(`${sim.scimBaseUrl}/Users`, 'GET', bearer)).status, 200);
  assert.equal(sim.requests.count({ pathIncludes: '/identity/v2/scim/Users' }), 2);
});
