import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SCIM } from './protocol.ts';
import { api, json, startForTest } from './testing.ts';

test('a missing or wrong token answers 401 with a SCIM error body', async (t) => {
  const sim = await startForTest(t);
  for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: 'test-token' }]) {
    const res = await fetch(`${sim.baseUrl}/Users`, { headers });
    assert.equal(res.status, 401);
    assert.match(res.headers.get('content-type') ?? '', /^application\/scim\+json/);
    assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/);
    const body = await json(res);
    assert.deepEqual(body.schemas, [SCIM.error]);
    assert.equal(body.status, '401');
  }
  assert.equal((await fetch(`${sim.baseUrl}/Users`, { headers: { authorization: 'bearer test-token' } })).status, 200);
  sim.settings.token = 'rotated';
  assert.equal((await fetch(`${sim.baseUrl}/Users`, { headers: { authorization: 'Bearer test-token' } })).status, 401);
});

test('HTTP Basic is accepted when configured', async (t) => {
  const sim = await startForTest(t, { basic: { username: 'svc', password: 'p:w' } });
  const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
  assert.equal((await fetch(`${sim.baseUrl}/Users`, { headers: { authorization: basic('svc', 'p:w') } })).status, 200);
  assert.equal((await fetch(`${sim.baseUrl}/Users`, { headers: { authorization: basic('svc', 'nope') } })).status, 401);
  assert.equal((await fetch(`${sim.baseUrl}/Users`, { headers: { authorization: 'Bearer test-token' } })).status, 200);
});

test('discovery needs no authentication and describes the settings', async (t) => {
  const sim = await startForTest(t, { maxPageSize: 250, etags: false });
  const spcRes = await fetch(`${sim.baseUrl}/ServiceProviderConfig`);
  assert.equal(spcRes.status, 200);
  assert.match(spcRes.headers.get('content-type') ?? '', /^application\/scim\+json/);
  const spc = await json(spcRes);
  assert.deepEqual(spc.schemas, [SCIM.serviceProviderConfig]);
  assert.deepEqual(spc.patch, { supported: true });
  assert.deepEqual(spc.filter, { supported: true, maxResults: 250 });
  assert.equal(spc.bulk.supported, false);
  assert.equal(spc.sort.supported, false);
  assert.equal(spc.etag.supported, false);
  assert.equal(spc.authenticationSchemes[0].type, 'oauthbearertoken');

  const types = await json(await fetch(`${sim.baseUrl}/ResourceTypes`));
  assert.equal(types.totalResults, 2);
  const user = types.Resources.find((r: { id: string }) => r.id === 'User');
  assert.equal(user.endpoint, '/Users');
  assert.deepEqual(user.schemaExtensions, [{ schema: SCIM.enterpriseUser, required: false }]);

  const schemas = await json(await fetch(`${sim.baseUrl}/Schemas`));
  assert.deepEqual(schemas.Resources.map((s: { id: string }) => s.id), [SCIM.user, SCIM.enterpriseUser, SCIM.group]);
  const userSchema = await json(await fetch(`${sim.baseUrl}/Schemas/${SCIM.user}`));
  const userName = userSchema.attributes.find((a: { name: string }) => a.name === 'userName');
  assert.equal(userName.uniqueness, 'server');
  assert.equal(userName.required, true);
  assert.equal((await fetch(`${sim.baseUrl}/Schemas/urn:nope`)).status, 404);
});

test('unknown endpoints answer 404 and /Bulk 501, both as SCIM errors', async (t) => {
  const sim = await startForTest(t);
  const call = api(sim);
  const missing = await call('GET', '/Widgets');
  assert.equal(missing.status, 404);
  assert.deepEqual(missing.body.schemas, [SCIM.error]);
  const bulk = await call('POST', '/Bulk', { schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations: [] });
  assert.equal(bulk.status, 501);
  assert.equal(bulk.body.status, '501');
});

test('the request log records method, path, query, status and body', async (t) => {
  const sim = await startForTest(t);
  const call = api(sim);
  await call('GET', '/Users?count=5&filter=userName%20eq%20%22x%22');
  await call('POST', '/Users', { schemas: [SCIM.user], userName: 'logged@example.com' });
  await fetch(`${sim.baseUrl}/Users`);
  assert.equal(sim.requests.length, 3);
  const [list, create, denied] = sim.requests.entries;
  assert.deepEqual({ ...list, at: 0 }, { method: 'GET', path: '/scim/v2/Users', query: { count: '5', filter: 'userName eq "x"' }, status: 200, at: 0 });
  assert.equal(create?.status, 201);
  assert.deepEqual(create?.body, { schemas: [SCIM.user], userName: 'logged@example.com' });
  assert.equal(denied?.status, 401);
  assert.equal(sim.requests.count({ status: 401 }), 1);
  assert.equal(sim.requests.count({ method: 'post' }), 1);
  sim.requests.clear();
  assert.equal(sim.requests.length, 0);
});

test('latencyMs delays every answer', async (t) => {
  const sim = await startForTest(t, { latencyMs: 120 });
  const started = performance.now();
  await fetch(`${sim.baseUrl}/ServiceProviderConfig`);
  assert.ok(performance.now() - started >= 110);
});
