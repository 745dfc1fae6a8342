import { it } from 'node:test';
import assert from 'node:assert/strict';
import { startScimSimulator } from './simulator.ts';
import { api, groupBody, startForTest, userBody } from './testing.ts';

it('userGroups off: users carry no groups, while /Groups still works', async (t) => {
  const sim = await startForTest(t, { userGroups: false });
  const call = api(sim);
  const user = await call('POST', '/Users', userBody('ann@example.com'));
  assert.equal((await call('POST', '/Groups', groupBody('Staff', [user.body.id]))).status, 201);
  const read = await call('GET', `/Users/${user.body.id}`);
  assert.equal(read.body.groups, undefined);
  const schema = await call('GET', '/Schemas/urn:ietf:params:scim:schemas:core:2.0:User');
  assert.ok(!schema.body.attributes.some((a: { name: string }) => a.name === 'groups'));
});

it("groupMembers 'when-asked': members only when attributes names them", async (t) => {
  const sim = await startForTest(t, { groupMembers: 'when-asked' });
  const call = api(sim);
  const user = await call('POST', '/Users', userBody('bob@example.com'));
  const group = await call('POST', '/Groups', groupBody('Staff', [user.body.id]));
  assert.equal(group.body.members, undefined);
  assert.equal((await call('GET', `/Groups/${group.body.id}`)).body.members, undefined);
  assert.equal((await call('GET', '/Groups')).body.Resources[0].members, undefined);
  const asked = await call('GET', `/Groups?attributes=members,displayName`);
  assert.deepEqual(asked.body.Resources[0].members.map((m: { value: string }) => m.value), [user.body.id]);
  assert.equal(asked.body.Resources[0].displayName, 'Staff');
});

it('hooks: basePath moves every endpoint and location; auth and extend replace and add', async (t) => {
  const sim = await startScimSimulator(
    { token: 'unused' },
    {
      basePath: '/api/v2/scim',
      auth: async (c, next) => (c.req.header('x-key') === 'k' ? next() : c.body(null, 403)),
      extend: (app) => app.get('/extra', (c) => c.json({ extra: true })),
    },
  );
  t.after(() => sim.close());
  assert.equal(sim.baseUrl, `${sim.origin}/api/v2/scim`);
  const headers = { 'x-key': 'k', 'content-type': 'application/scim+json' };
  const created = await fetch(`${sim.baseUrl}/Users`, { method: 'POST', headers, body: JSON.stringify(userBody('cy@example.com')) });
  assert.equal(created.status, 201);
  const body = (await created.json()) as { meta: { location: string } };
  assert.ok(body.meta.location.startsWith(`${sim.origin}/api/v2/scim/Users/`));
  assert.equal((await fetch(`${sim.baseUrl}/Users`, { headers: { authorization: 'Bearer unused' } })).status, 403);
  assert.deepEqual(await (await fetch(`${sim.origin}/extra`)).json(), { extra: true });
  assert.equal((await fetch(`${sim.origin}/scim/v2/Users`, { headers })).status, 404);
  assert.equal(sim.requests.count({ pathIncludes: '/extra' }), 1);
});
