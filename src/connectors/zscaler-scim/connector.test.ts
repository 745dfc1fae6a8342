import { it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { generateUsers, startZiaScimSimulator, type RunningZiaScimSimulator, type ZiaScimSimulatorOptions } from '../../../simulators/zscaler-scim/index.ts';
import { Secret } from '../../config/secret.ts';
import type { Change } from '../../core/plan.ts';
import { isRosterError } from '../../errors.ts';
import type { HttpExchange } from '../http/client.ts';
import { createZiaScimConnector, ziaScimBaseUrl, ziaScimGroupProblem, ziaScimPreview, type CreateZiaScimConnectorOptions, type ZiaScimConnector } from './index.ts';

const TOKEN = 'zia-scim-connector-token';

async function setup(t: TestContext, options: ZiaScimSimulatorOptions = {}, connector: Partial<CreateZiaScimConnectorOptions> = {}): Promise<{ sim: RunningZiaScimSimulator; zia: ZiaScimConnector; sent: HttpExchange[] }> {
  const sim = await startZiaScimSimulator({ ...options, scim: { token: TOKEN, ...options.scim } });
  const zia = createZiaScimConnector({ appName: 'zia-scim', baseUrl: sim.baseUrl, token: new Secret(TOKEN, 'test'), backoffBaseMs: 10, ...connector });
  const sent: HttpExchange[] = [];
  zia.observe((e) => sent.push(e));
  t.after(async () => {
    await zia.close();
    await sim.close();
  });
  return { sim, zia, sent };
}

it('lists 1,000 users a page, with no discovery read', async (t) => {
  const { sim, zia } = await setup(t, { scim: { rateLimit: undefined } });
  sim.scim.store.seedUsers(generateUsers(1500));
  let count = 0;
  for await (const page of zia.listAccounts()) count += page.accounts.length;
  assert.equal(count, 1500);
  assert.deepEqual(sim.scim.requests.entries.map((r) => new URLSearchParams(r.query).get('count')), ['1000', '1000']);
});

it('finds a person by email through userName eq, the filter ZIA answers', async (t) => {
  const { sim, zia } = await setup(t, { scim: { rateLimit: undefined } });
  const [user] = sim.scim.store.seedUsers(generateUsers(3));
  const email = String(user?.attrs['userName']);
  assert.equal((await zia.findAccount({ email }))?.remoteId, user?.id);
  assert.equal(await zia.findAccount({ email: 'nobody@example.com' }), undefined);
  assert.deepEqual(sim.scim.requests.entries.map((r) => new URLSearchParams(r.query).get('filter')), [`userName eq "${email}"`, 'userName eq "nobody@example.com"']);
});

it('keeps to 5 requests a second on its own: 20 reads, none refused, none lost', async (t) => {
  const { sim, zia } = await setup(t);
  sim.scim.store.seedUsers(generateUsers(20));
  const ids = sim.scim.store.listUsers().map((u) => u.id);
  const started = performance.now();
  const found = await Promise.all(ids.map((id) => zia.getAccount(id)));
  const took = performance.now() - started;
  assert.equal(found.filter(Boolean).length, 20);
  assert.equal(sim.scim.requests.entries.filter((r) => r.status === 429).length, 0, 'the budget keeps under the limit');
  assert.ok(took >= 2_900, `20 requests at 5 a second take 3 s or more, took ${Math.round(took)} ms`);
});

it('a 429 is waited out as its Retry-After says', async (t) => {
  const { sim, zia, sent } = await setup(t, {}, { budget: false });
  sim.scim.store.seedUsers(generateUsers(8));
  const ids = sim.scim.store.listUsers().map((u) => u.id);
  const found = await Promise.all(ids.map((id) => zia.getAccount(id)));
  assert.equal(found.filter(Boolean).length, 8);
  assert.ok(sent.some((e) => e.status === 429 && (e.waitMs ?? 0) >= 1000));
});

it('the 129th group for a user is refused in ZIA’s words, and not retried', async (t) => {
  const { sim, zia } = await setup(t, { scim: { rateLimit: undefined } });
  const [user] = sim.scim.store.seedUsers(generateUsers(1));
  const uid = user?.id ?? '';
  sim.scim.store.seedGroups(Array.from({ length: 128 }, (_, i) => ({ displayName: `G${i}`, members: [{ value: uid }] })));
  sim.scim.store.seedGroups([{ displayName: 'Contractors' }]);
  await assert.rejects(zia.addToGroup(uid, 'Contractors'), (e) => isRosterError(e, 'unsupported') && /at most 128 groups per user/.test(e.message) && /in 128 already/.test(e.message));
  assert.equal(await zia.isMember(uid, 'Contractors'), false);
  await zia.removeFromGroup(uid, 'G0');
  await zia.addToGroup(uid, 'Contractors');
  assert.equal(await zia.isMember(uid, 'Contractors'), true);
});

it('base URL, group cap for the planner, and previews are data', () => {
  assert.equal(ziaScimBaseUrl({ cloud: 'zscalertwo', orgId: 123, idpId: 456 }), 'https://scim.zscalertwo.net/123/456/scim');
  assert.equal(ziaScimBaseUrl({ cloud: 'zscloud.net', orgId: '1', idpId: '2' }), 'https://scim.zscloud.net/1/2/scim');
  assert.equal(ziaScimGroupProblem(Array.from({ length: 128 }, (_, i) => `g${i}`)), undefined);
  assert.match(ziaScimGroupProblem(Array.from({ length: 129 }, (_, i) => `g${i}`)) ?? '', /at most 128 groups per user; this person would be in 129/);
  const change = (kind: Change['kind'], extra: Partial<Change> = {}): Change => ({ id: 'x', app: 'zia-scim', kind, subject: 'jane@acme.example', reason: 'r', risk: 'low', approval: [], requests: [], ...extra });
  assert.deepEqual(ziaScimPreview(change('deactivate', { remoteId: '7' })).map((r) => `${r.method} ${r.path}`), ['PATCH /Users/7']);
  assert.deepEqual(ziaScimPreview(change('add-member', { remoteId: '7', group: 'Sales' })).map((r) => r.method), ['GET', 'PATCH']);
  assert.equal(ziaScimPreview(change('create', { attributes: { userName: 'jane@acme.example', email: 'jane@acme.example' } }))[0]?.method, 'POST');
});
