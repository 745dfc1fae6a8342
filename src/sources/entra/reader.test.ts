import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { startEntraSimulator, type RunningEntraSimulator } from '../../../simulators/entra/index.ts';
import { Secret } from '../../config/secret.ts';
import type { SourceExchange } from '../types.ts';
import { EntraReader } from './reader.ts';

async function setup(t: TestContext, options: Parameters<typeof startEntraSimulator>[0] = {}) {
  const sim = await startEntraSimulator({ tenantId: 'tenant-1', clients: [{ clientId: 'client-1', clientSecret: 's3cret-value' }], ...options });
  t.after(() => sim.close());
  const boss = sim.tenant.addUser({ userPrincipalName: 'boss@contoso.example', displayName: 'Boss', department: 'Executive' });
  const ann = sim.tenant.addUser({ userPrincipalName: 'ann@contoso.example', displayName: 'Ann Lee', givenName: 'Ann', surname: 'Lee', department: 'Sales', jobTitle: 'AE', manager: boss.id });
  const bob = sim.tenant.addUser({ userPrincipalName: 'bob@contoso.example', displayName: 'Bob', mail: null });
  const team = sim.tenant.addGroup({ displayName: 'sales-team' });
  const all = sim.tenant.addGroup({ displayName: 'all-sales' });
  sim.tenant.addMember(team.id, ann.id);
  sim.tenant.addMember(all.id, team.id);
  sim.tenant.addMember(all.id, bob.id);
  const sp = sim.tenant.addServicePrincipal('Zscaler');
  sim.tenant.assign(sp.id, all.id);
  sim.tenant.assign(sp.id, boss.id);
  const exchanges: SourceExchange[] = [];
  const reader = new EntraReader(config(sim, sp.id));
  t.after(() => reader.close());
  return { sim, reader, boss, ann, bob, team, all, sp, exchanges };
}

const config = (sim: RunningEntraSimulator, spId: string) => ({
  name: 'entra',
  tenantId: 'tenant-1',
  clientId: 'client-1',
  clientSecret: new Secret('s3cret-value', 'env:X'),
  authority: sim.origin,
  graphUrl: sim.graphUrl,
  pageSize: 2,
  apps: [{ id: spId, name: 'zia' }],
  timeoutMs: 5000,
  maxWaitMs: 10_000,
});

describe('Entra reader', () => {
  it('a full read: every user with status, manager and fields; groups with nested members; app assignments; the delta links as cursors', async (t) => {
    const { reader, boss, ann, bob, team, all, sp } = await setup(t);
    const exchanges: SourceExchange[] = [];
    const read = await reader.read({ cursors: {}, full: false, onExchange: (e) => exchanges.push(e) });
    assert.equal(read.mode, 'full');
    assert.deepEqual(read.complete, { people: true, groups: true });
    assert.equal(read.people.length, 3);
    const annRecord = read.people.find((p) => p.sourceId === ann.id);
    assert.deepEqual(annRecord?.fields, { userName: 'ann@contoso.example', email: 'ann@contoso.example', displayName: 'Ann Lee', givenName: 'Ann', familyName: 'Lee', department: 'Sales', title: 'AE', externalId: undefined });
    assert.equal(annRecord?.managerSourceId, boss.id);
    assert.equal(annRecord?.status?.active, true);
    assert.equal(read.people.find((p) => p.sourceId === bob.id)?.fields.email, 'bob@contoso.example', 'no mail: the UPN stands in');
    const allRecord = read.groups.find((g) => g.sourceId === all.id);
    assert.deepEqual(allRecord?.addGroups, [team.id]);
    assert.deepEqual(allRecord?.addUsers, [bob.id]);
    assert.deepEqual(read.assignments, [{ appId: sp.id, appName: 'zia', principals: [{ id: all.id, type: 'group', via: '00000000-0000-0000-0000-000000000000' }, { id: boss.id, type: 'user', via: '00000000-0000-0000-0000-000000000000' }] }]);
    assert.match(read.cursors.users ?? '', /deltatoken=/);
    // 1 token + 2 user pages (page size 2) + 1 group page + 1 assignment page
    assert.equal(read.requests, 5);
    assert.equal(read.minimumRequests, 4);
    assert.ok(exchanges.every((e) => !JSON.stringify(e).includes('s3cret-value')));
    assert.ok(exchanges.some((e) => e.path.includes('skiptoken=') && e.path.endsWith('…')), 'cursors are cut short in the trail');
  });

  it('an incremental read: only the changes — partial fields, a disabled account, a removal, a manager gone, member changes', async (t) => {
    const { sim, reader, boss, ann, bob, team } = await setup(t);
    const first = await reader.read({ cursors: {}, full: false });
    sim.tenant.updateUser(ann.id, { department: 'Finance', manager: null });
    sim.tenant.updateUser(bob.id, { accountEnabled: false });
    sim.tenant.deleteUser(boss.id);
    sim.tenant.removeMember(team.id, ann.id);
    const next = await reader.read({ cursors: first.cursors, full: false });
    assert.equal(next.mode, 'incremental');
    assert.deepEqual(next.complete, { people: false, groups: false });
    const byId = new Map(next.people.map((p) => [p.sourceId, p]));
    assert.deepEqual(byId.get(ann.id), { sourceId: ann.id, fields: { department: 'Finance' }, partial: true, managerSourceId: null });
    assert.equal(byId.get(bob.id)?.status?.active, false);
    assert.match(byId.get(bob.id)?.status?.reason ?? '', /accountEnabled false/);
    assert.match(byId.get(boss.id)?.removed?.reason ?? '', /deleted in Entra ID/);
    const teamChange = next.groups.find((g) => g.sourceId === team.id);
    assert.equal(teamChange?.mode, 'change');
    assert.deepEqual(teamChange?.removeUsers, [ann.id]);
  });

  it('an expired delta token (410) falls back to a full read, and says so', async (t) => {
    const { sim, reader } = await setup(t);
    const first = await reader.read({ cursors: {}, full: false });
    sim.expireDeltaTokens();
    const next = await reader.read({ cursors: first.cursors, full: false });
    assert.equal(next.mode, 'full');
    assert.match(next.fellBack ?? '', /users delta token expired \(410 syncStateNotFound\)/);
    assert.equal(next.people.length, 3);
    assert.equal(next.people.every((p) => !p.partial), true);
  });

  it('429 and 503 are waited out as Retry-After says, and counted beside the minimum', async (t) => {
    const { sim, reader } = await setup(t);
    sim.faults.set({ pathIncludes: '/v1.0/users/delta', rateLimit: { count: 1, retryAfter: { kind: 'seconds', seconds: 1 } }, serverError: { count: 1, status: 503, retryAfter: { kind: 'seconds', seconds: 1 } } });
    const started = Date.now();
    const read = await reader.read({ cursors: {}, full: true });
    assert.ok(Date.now() - started >= 1900, 'waited as told');
    assert.equal(read.people.length, 3);
    assert.equal(read.requests - read.minimumRequests, 3, 'one 429, one 503, one page more than the largest page size would need');
  });

  it('a wrong client secret is one clear line without the secret', async (t) => {
    const { sim, sp } = await setup(t);
    const reader = new EntraReader({ ...config(sim, sp.id), clientSecret: new Secret('wrong-secret', 'env:X') });
    t.after(() => reader.close());
    await assert.rejects(reader.read({ cursors: {}, full: true }), (error: Error) => {
      assert.match(error.message, /token endpoint answered 401 .*AADSTS7000215/);
      assert.ok(!error.message.includes('wrong-secret'));
      return true;
    });
  });
});
