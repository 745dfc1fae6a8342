import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { GRAPH_SCOPE, startEntraSimulator, type EntraSimulatorOptions, type RunningEntraSimulator } from './simulator.ts';

const client = { clientId: 'client-1', clientSecret: 'secret-1' };

async function start(t: TestContext, options: EntraSimulatorOptions = {}): Promise<RunningEntraSimulator> {
  const sim = await startEntraSimulator({ tenantId: 'tenant-1', clients: [client], ...options });
  t.after(() => sim.close());
  return sim;
}

async function token(sim: RunningEntraSimulator, form: Record<string, string> = { grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret, scope: GRAPH_SCOPE }) {
  const res = await fetch(sim.tokenUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read Graph's JSON
async function graph(sim: RunningEntraSimulator, url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; body: any }> {
  const t = await token(sim);
  const res = await fetch(url.startsWith('http') ? url : `${sim.graphUrl}${url}`, { headers: { authorization: `Bearer ${t.body.access_token as string}`, ...headers } });
  return { status: res.status, headers: res.headers, body: await res.json() };
}

/** Follows nextLinks to the deltaLink; returns every object and the deltaLink. */
async function round(sim: RunningEntraSimulator, first: string, headers: Record<string, string> = {}) {
  const objects: Record<string, unknown>[] = [];
  let url = first;
  let pages = 0;
  for (;;) {
    const page = await graph(sim, url, headers);
    assert.equal(page.status, 200, JSON.stringify(page.body));
    pages += 1;
    objects.push(...page.body.value);
    if (page.body['@odata.nextLink']) url = page.body['@odata.nextLink'];
    else return { objects, deltaLink: page.body['@odata.deltaLink'] as string, pages };
  }
}

describe('Entra simulator: token endpoint', () => {
  it('grants app-only tokens for the Graph .default scope; refuses a wrong secret, a missing scope, an unknown tenant', async (t) => {
    const sim = await start(t);
    const ok = await token(sim);
    assert.equal(ok.status, 200);
    assert.equal(ok.body.token_type, 'Bearer');
    assert.equal(ok.body.expires_in, 3599);
    const bad = await token(sim, { grant_type: 'client_credentials', client_id: client.clientId, client_secret: 'nope', scope: GRAPH_SCOPE });
    assert.equal(bad.status, 401);
    assert.match(String(bad.body.error_description), /^AADSTS7000215/);
    const noScope = await token(sim, { grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret });
    assert.equal(noScope.status, 400);
    assert.match(String(noScope.body.error_description), /AADSTS90014/);
    const res = await fetch(sim.tokenUrl.replace('tenant-1', 'other'), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' });
    assert.equal(res.status, 400);
    const anonymous = await fetch(`${sim.graphUrl}/users/delta`);
    assert.equal(anonymous.status, 401);
    assert.equal(((await anonymous.json()) as { error: { code: string } }).error.code, 'InvalidAuthenticationToken');
  });
});

describe('Entra simulator: /users/delta', () => {
  it('pages by Prefer: odata.maxpagesize and nextLink, ends in a deltaLink; without $select there is no accountEnabled', async (t) => {
    const sim = await start(t);
    for (let i = 0; i < 25; i += 1) sim.tenant.addUser({ userPrincipalName: `u${i}@contoso.example`, displayName: `User ${i}`, department: 'Sales' });
    const plain = await round(sim, '/users/delta');
    assert.equal(plain.objects.length, 25);
    assert.equal(plain.pages, 1);
    assert.equal('accountEnabled' in (plain.objects[0] ?? {}), false);
    assert.equal('department' in (plain.objects[0] ?? {}), false);
    const paged = await round(sim, '/users/delta?$select=displayName,userPrincipalName,accountEnabled,department', { prefer: 'odata.maxpagesize=10' });
    assert.equal(paged.pages, 3);
    assert.equal(paged.objects[0]?.accountEnabled, true);
    const first = await graph(sim, '/users/delta', { prefer: 'odata.maxpagesize=5000' });
    assert.equal(first.headers.get('preference-applied'), 'odata.maxpagesize=999');
  });

  it('refuses what Graph refuses: an unknown $select property, $top, $select beside a token', async (t) => {
    const sim = await start(t);
    const unknown = await graph(sim, '/users/delta?$select=displayName,shoeSize');
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.error.message, "Could not find a property named 'shoeSize' on type 'microsoft.graph.user'.");
    assert.equal((await graph(sim, '/users/delta?$top=5')).status, 400);
    const { deltaLink } = await round(sim, '/users/delta');
    assert.equal((await graph(sim, `${deltaLink}&$select=displayName`)).status, 400);
  });

  it('a deltaLink round returns only what changed, with only the changed properties; removals as @removed; the manager as manager@delta', async (t) => {
    const sim = await start(t);
    const boss = sim.tenant.addUser({ userPrincipalName: 'boss@contoso.example', displayName: 'Boss' });
    const ann = sim.tenant.addUser({ userPrincipalName: 'ann@contoso.example', displayName: 'Ann', department: 'Sales', manager: boss.id });
    const bob = sim.tenant.addUser({ userPrincipalName: 'bob@contoso.example', displayName: 'Bob' });
    const select = '/users/delta?$select=displayName,userPrincipalName,accountEnabled,department,manager';
    const full = await round(sim, select);
    assert.deepEqual(full.objects.find((o) => o.id === ann.id)?.['manager@delta'], [{ '@odata.type': '#microsoft.graph.user', id: boss.id }]);
    const quiet = await round(sim, full.deltaLink);
    assert.deepEqual(quiet.objects, []);
    sim.tenant.updateUser(ann.id, { department: 'Finance' });
    sim.tenant.updateUser(bob.id, { accountEnabled: false });
    sim.tenant.deleteUser(boss.id);
    const carol = sim.tenant.addUser({ userPrincipalName: 'carol@contoso.example', displayName: 'Carol' });
    sim.tenant.updateUser(ann.id, { manager: null });
    const changes = await round(sim, quiet.deltaLink);
    const byId = new Map(changes.objects.map((o) => [o.id, o]));
    assert.deepEqual(byId.get(ann.id), { '@odata.type': '#microsoft.graph.user', id: ann.id, department: 'Finance', 'manager@delta': [{ '@odata.type': '#microsoft.graph.user', id: boss.id, '@removed': { reason: 'deleted' } }] });
    assert.deepEqual(byId.get(bob.id), { '@odata.type': '#microsoft.graph.user', id: bob.id, accountEnabled: false });
    assert.deepEqual(byId.get(boss.id), { '@odata.type': '#microsoft.graph.user', id: boss.id, '@removed': { reason: 'changed' } });
    assert.equal(byId.get(carol.id)?.userPrincipalName, 'carol@contoso.example');
    // The same deltaLink can be read again (it is a cursor, not a one-time ticket).
    assert.equal((await round(sim, quiet.deltaLink)).objects.length, 4);
  });

  it('an expired delta token is 410 Gone (syncStateNotFound), with a Location to start over', async (t) => {
    const sim = await start(t);
    sim.tenant.addUser({ userPrincipalName: 'a@contoso.example', displayName: 'A' });
    const { deltaLink } = await round(sim, '/users/delta');
    sim.expireDeltaTokens();
    const gone = await graph(sim, deltaLink);
    assert.equal(gone.status, 410);
    assert.equal(gone.body.error.code, 'syncStateNotFound');
    assert.equal(gone.headers.get('location'), `${sim.graphUrl}/users/delta`);
    sim.settings.deltaTokenLifetimeMs = 0;
    sim.settings.expiredTokenCode = 'resyncRequired';
    const fresh = await round(sim, '/users/delta');
    await new Promise((r) => setTimeout(r, 5));
    assert.equal((await graph(sim, fresh.deltaLink)).body.error.code, 'resyncRequired');
  });

  it('throttles by resource units (a delta costs 5): 429 with Retry-After in seconds; injected 503s carry one too', async (t) => {
    const sim = await start(t, { throttle: { resourceUnits: 10, windowMs: 2000 } });
    assert.equal((await graph(sim, '/users/delta')).status, 200);
    assert.equal((await graph(sim, '/users/delta')).status, 200);
    const refused = await graph(sim, '/users/delta');
    assert.equal(refused.status, 429);
    assert.equal(refused.body.error.code, 'TooManyRequests');
    assert.ok(Number(refused.headers.get('retry-after')) >= 1);
    sim.settings.throttle = undefined;
    sim.faults.set({ pathIncludes: '/v1.0/', serverError: { count: 1, status: 503, retryAfter: { kind: 'seconds', seconds: 2 } } });
    const unavailable = await graph(sim, '/users/delta');
    assert.equal(unavailable.status, 503);
    assert.equal(unavailable.headers.get('retry-after'), '2');
  });
});

describe('Entra simulator: /groups/delta and app role assignments', () => {
  it('members@delta lists users and nested groups, a big group split across objects; later rounds carry only member changes', async (t) => {
    const sim = await start(t, { membersChunk: 3 });
    const users = Array.from({ length: 7 }, (_, i) => sim.tenant.addUser({ userPrincipalName: `u${i}@contoso.example`, displayName: `U${i}` }));
    const inner = sim.tenant.addGroup({ displayName: 'inner' });
    const outer = sim.tenant.addGroup({ displayName: 'outer' });
    for (const u of users) sim.tenant.addMember(outer.id, u.id);
    sim.tenant.addMember(outer.id, inner.id);
    sim.tenant.addMember(inner.id, users[0]?.id ?? '');
    const full = await round(sim, '/groups/delta?$select=displayName,members', { prefer: 'odata.maxpagesize=2' });
    const outerParts = full.objects.filter((o) => o.id === outer.id);
    assert.equal(outerParts.length, 3, 'eight members in chunks of three');
    assert.equal(outerParts[0]?.displayName, 'outer');
    assert.equal(outerParts[1]?.displayName, undefined);
    const members = outerParts.flatMap((o) => o['members@delta'] as { id: string; '@odata.type': string }[]);
    assert.equal(members.length, 8);
    assert.ok(members.some((m) => m.id === inner.id && m['@odata.type'] === '#microsoft.graph.group'));
    sim.tenant.removeMember(outer.id, users[3]?.id ?? '');
    const next = await round(sim, full.deltaLink);
    assert.deepEqual(next.objects, [{ '@odata.type': '#microsoft.graph.group', id: outer.id, 'members@delta': [{ '@odata.type': '#microsoft.graph.user', id: users[3]?.id, '@removed': { reason: 'deleted' } }] }]);
  });

  it('lists who is assigned to an enterprise app, paged by $top and nextLink; an unknown app is 404', async (t) => {
    const sim = await start(t);
    const sp = sim.tenant.addServicePrincipal('Zscaler');
    const group = sim.tenant.addGroup({ displayName: 'zscaler-users' });
    sim.tenant.assign(sp.id, group.id);
    for (let i = 0; i < 4; i += 1) sim.tenant.assign(sp.id, sim.tenant.addUser({ userPrincipalName: `a${i}@contoso.example`, displayName: `A${i}` }).id);
    const first = await graph(sim, `/servicePrincipals/${sp.id}/appRoleAssignedTo?$top=3`);
    assert.equal(first.body.value.length, 3);
    assert.equal(first.body.value[0].principalType, 'Group');
    const second = await graph(sim, first.body['@odata.nextLink']);
    assert.equal(second.body.value.length, 2);
    assert.equal(second.body['@odata.nextLink'], undefined);
    assert.equal((await graph(sim, `/servicePrincipals/${sp.id}/appRoleAssignedTo?$top=1000`)).status, 400);
    assert.equal((await graph(sim, '/servicePrincipals/nope/appRoleAssignedTo')).status, 404);
  });
});
