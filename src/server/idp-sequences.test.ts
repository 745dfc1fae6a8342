// Entra ID (default and ?aadOptscim062020) and Okta, replayed request by request as they provision:
// test connection → create → update → group push → disable → delete. Each step asserts what
// roster stored and what it planned for the apps.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startScimSimulator, type RunningScimSimulator } from '../../simulators/scim/index.ts';
import { queryAudit } from '../audit/trail.ts';
import { parseConfig, type ResolvedApp } from '../config/load.ts';
import { createConnector } from '../connectors/modules.ts';
import { Executor } from '../engine/executor.ts';
import { FanOut, type FanOutResult } from '../engine/inbound.ts';
import { startQueue } from '../engine/queue.ts';
import { syncApps } from '../engine/sync.ts';
import type { Database } from '../store/database.ts';
import { listPeople } from '../store/people.ts';
import { getPlan } from '../store/plans.ts';
import { databaseKinds, openTestDatabase } from '../store/testing.ts';
import { ENTERPRISE, GROUP, patchOf, scimTestClient, USER, type TestClient } from './testing.ts';

const guid = '6a3f1bf1-97a4-4a7b-9a4c-1b7e2c0f4d11';

interface World {
  db: Database;
  app: RunningScimSimulator;
  apps: ResolvedApp[];
  fanOut: FanOut;
  planned: FanOutResult[];
  client: TestClient;
  /** Waits for the fan-out, answers its plans since the last call, and carries out the queued work. */
  settle(): Promise<{ app: string; kind: string; person: string | undefined; approval: string[] }[]>;
  close(): Promise<void>;
}

async function world(kind: (typeof databaseKinds)[number], tokenName: string, query?: string): Promise<World> {
  const db = await openTestDatabase(kind);
  const app = await startScimSimulator({ maxPageSize: 100 });
  app.store.seedGroups([{ displayName: 'Engineers' }]);
  const config = parseConfig(
    {
      apps: {
        tools: {
          type: 'scim',
          baseUrl: app.baseUrl,
          auth: { type: 'bearer', token: 'env:TOOLS_TOKEN' },
          rateBudget: false,
          policy: { assign: { groups: ['Engineering'] }, groups: { Engineering: 'Engineers' }, leaver: 'deactivate' },
        },
      },
    },
    undefined,
    { env: { TOOLS_TOKEN: app.settings.token } },
  );
  const apps = config.apps;
  await syncApps(db, apps, { actor: 'operator:test' });
  const planned: FanOutResult[] = [];
  const fanOut = new FanOut({ db, apps, connectorFor: createConnector, onPlanned: (r) => planned.push(r) });
  const client = await scimTestClient(db, { fanOut, tokenName, ...(query ? { query } : {}) });
  const boss = await startQueue(db);
  const executor = new Executor({ db, boss, actor: 'system:worker', appFor: (name) => apps.find((a) => a.name === name), connectorFor: (name) => createConnector(apps.find((a) => a.name === name) as ResolvedApp) });
  let seen = 0;
  return {
    db,
    app,
    apps,
    fanOut,
    planned,
    client,
    async settle() {
      await fanOut.idle();
      const fresh = planned.slice(seen);
      seen = planned.length;
      const changes = [];
      for (const result of fresh) {
        const plan = result.planId ? await getPlan(db, result.planId) : undefined;
        for (const c of plan?.changes ?? []) changes.push({ app: c.app, kind: c.kind, person: c.personId, approval: c.approval });
      }
      let idle = 0;
      await executor.runUntil(async () => ++idle > 1, 10);
      assert.deepEqual(await db.query("select key, last_error from operations where state = 'failed'"), [], 'every queued change was carried out');
      return changes;
    },
    async close() {
      await fanOut.idle();
      await executor.close();
      await boss.stop({ graceful: true, close: false, timeout: 5000 });
      await app.close();
      await db.close();
    },
  };
}

const person = async (db: Database, id: string) => (await listPeople(db)).find((p) => p.id === id);

for (const kind of databaseKinds) {
  describe(`Entra ID, default form (${kind})`, () => {
    let w: World;
    before(async () => {
      w = await world(kind, 'entra-prod');
    });
    after(() => w.close());

    it('provisions a joiner, a mover and a leaver as Entra sends them', async () => {
      const { client, db } = w;
      // Test connection: a random GUID as userName is 200 and an empty list, never 404.
      const probe = await client.request('GET', `/Users?filter=${encodeURIComponent(`userName eq "${guid}"`)}`);
      assert.equal(probe.status, 200);
      assert.deepEqual([probe.body?.totalResults, probe.body?.Resources], [0, []]);

      const manager = await client.request('POST', '/Users', { schemas: [USER, ENTERPRISE], externalId: 'm-1', userName: 'boss@contoso.com', active: true, emails: [{ primary: true, type: 'work', value: 'boss@contoso.com' }], name: { formatted: 'Big Boss', familyName: 'Boss', givenName: 'Big' }, roles: [] });
      assert.equal(manager.status, 201);
      const lookup = await client.request('GET', `/Users?filter=${encodeURIComponent('userName eq "jane@contoso.com"')}`);
      assert.equal(lookup.body?.totalResults, 0);
      const created = await client.request('POST', '/Users', {
        schemas: [USER, ENTERPRISE],
        externalId: '8d1f-jane',
        userName: 'jane@contoso.com',
        active: true,
        displayName: 'Jane Doe',
        emails: [{ primary: true, type: 'work', value: 'jane@contoso.com' }],
        name: { formatted: 'Jane Doe', familyName: 'Doe', givenName: 'Jane' },
        roles: [],
        title: null,
        addresses: null,
        [ENTERPRISE]: { department: null, manager: null },
      });
      assert.equal(created.status, 201);
      const id = String(created.body?.id);
      assert.equal(created.headers.get('location'), `http://127.0.0.1/scim/v2/Users/${id}`);
      assert.match(created.headers.get('content-type') ?? '', /application\/scim\+json/);
      assert.equal(created.body?.title, undefined, 'an explicit null is no value');
      assert.deepEqual(await w.settle(), [], 'not in Engineering yet: policy assigns nobody');

      // Mover: title-case ops, a work email by filter, the manager as an array.
      const moved = await client.request('PATCH', `/Users/${id}`, patchOf(
        { op: 'Replace', path: 'displayName', value: 'Jane Smith' },
        { op: 'Replace', path: 'emails[type eq "work"].value', value: 'jane.smith@contoso.com' },
        { op: 'Add', path: 'title', value: 'Engineer' },
        { op: 'Add', path: 'manager', value: [{ $ref: null, value: manager.body?.id }] },
        { op: 'Replace', path: `${ENTERPRISE}:department`, value: 'R&D' },
      ));
      assert.equal(moved.status, 200);
      assert.deepEqual(moved.body?.emails, [{ primary: true, type: 'work', value: 'jane.smith@contoso.com' }]);
      assert.deepEqual(moved.body?.[ENTERPRISE], { department: 'R&D', manager: { value: manager.body?.id } });
      const managerCheck = await client.request('GET', `/Users?filter=${encodeURIComponent(`id eq "${id}" and manager eq "${String(manager.body?.id)}"`)}`);
      assert.equal(managerCheck.body?.totalResults, 1, 'Entra checks the manager reference by filter');
      const byEmail = await client.request('GET', `/Users?filter=${encodeURIComponent('emails[type eq "work"].value eq "JANE.SMITH@contoso.com"')}`);
      assert.equal(byEmail.body?.totalResults, 1);
      assert.deepEqual(
        (({ displayName, email, title, department, managerId }) => ({ displayName, email, title, department, managerId }))((await person(db, id))!),
        { displayName: 'Jane Smith', email: 'jane.smith@contoso.com', title: 'Engineer', department: 'R&D', managerId: manager.body?.id },
      );

      // Group push: the group first, with no members and Entra's own schema; members by PATCH (204).
      const none = await client.request('GET', `/Groups?filter=${encodeURIComponent('displayName eq "Engineering"')}&excludedAttributes=members`);
      assert.equal(none.body?.totalResults, 0);
      const group = await client.request('POST', '/Groups', { schemas: [GROUP, 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'], externalId: 'g-eng', displayName: 'Engineering' });
      assert.equal(group.status, 201);
      const gid = String(group.body?.id);
      const added = await client.request('PATCH', `/Groups/${gid}`, patchOf({ op: 'Add', path: 'members', value: [{ value: id }, { value: manager.body?.id }] }));
      assert.equal(added.status, 204);
      assert.deepEqual((await person(db, id))?.groups, ['Engineering'], 'pushed membership is the person’s groups');
      const joined = await w.settle();
      assert.deepEqual(joined.filter((c) => c.person === id).map((c) => c.kind), ['create', 'add-member'], 'a joiner: account and group, at once');
      assert.equal(w.app.store.findUserByUserName('jane@contoso.com')?.attrs.active, true, 'the worker made the account');

      const fetched = await client.request('GET', `/Groups/${gid}?excludedAttributes=members`);
      assert.equal(fetched.body?.members, undefined);
      // Entra's member removal names the member: only that one goes, the group never empties.
      const removed = await client.request('PATCH', `/Groups/${gid}`, patchOf({ op: 'Remove', path: 'members', value: [{ value: manager.body?.id }] }));
      assert.equal(removed.status, 204);
      const left = await client.request('GET', `/Groups/${gid}`);
      assert.deepEqual((left.body?.members as { value: string }[]).map((m) => m.value), [id]);
      await w.settle();

      // Leaver: "False" as a string.
      const disabled = await client.request('PATCH', `/Users/${id}`, patchOf({ op: 'Replace', path: 'active', value: 'False' }));
      assert.equal(disabled.status, 200);
      assert.equal(disabled.body?.active, false);
      assert.equal((await person(db, id))?.active, false);
      const leaver = await w.settle();
      assert.deepEqual(leaver.filter((c) => c.person === id).map((c) => [c.kind, c.approval]), [['deactivate', []]]);
      assert.equal(w.app.store.findUserByUserName('jane@contoso.com')?.attrs.active, false, 'deactivated in the app');

      // Hard delete after 30 days.
      assert.equal((await client.request('DELETE', `/Users/${id}`)).status, 204);
      assert.equal((await client.request('GET', `/Users/${id}`)).status, 404);
      assert.equal((await person(db, id))?.active, false, 'kept as a leaver, so the apps stay linked');
      const audit = await queryAudit(db, { action: 'scim.user', limit: 20 });
      assert.ok(audit.length >= 5 && audit.every((e) => e.actor === 'idp:entra-prod'), 'the token is the actor of every change');
      assert.ok(!JSON.stringify(audit).includes(client.token), 'the token value is never in the trail');
    });
  });

  describe(`Entra ID, ?aadOptscim062020 (${kind})`, () => {
    let w: World;
    before(async () => {
      w = await world(kind, 'entra-new', 'aadOptscim062020');
    });
    after(() => w.close());

    it('takes standard PATCH: lowercase ops, booleans, members[value eq], path-less replace with dotted and URN keys', async () => {
      const { client, db } = w;
      const jane = await client.request('POST', '/Users', { schemas: [USER, ENTERPRISE], externalId: 'x1', userName: 'jane@fabrikam.com', active: true, emails: [{ primary: true, type: 'work', value: 'jane@fabrikam.com' }], name: { givenName: 'Jane', familyName: 'Doe' } });
      const joe = await client.request('POST', '/Users', { schemas: [USER], userName: 'joe@fabrikam.com', active: true });
      const id = String(jane.body?.id);
      const multi = await client.request('PATCH', `/Users/${id}`, patchOf({ op: 'replace', value: { 'name.givenName': 'Janet', [`${ENTERPRISE}:employeeNumber`]: '0042', displayName: 'Janet Doe' } }));
      assert.equal(multi.status, 200);
      assert.deepEqual(multi.body?.name, { givenName: 'Janet', familyName: 'Doe' });
      assert.deepEqual(multi.body?.[ENTERPRISE], { employeeNumber: '0042' }, 'values come back as sent');
      const group = await client.request('POST', '/Groups', { schemas: [GROUP], externalId: 'g', displayName: 'Engineering' });
      const gid = String(group.body?.id);
      await client.request('PATCH', `/Groups/${gid}`, patchOf({ op: 'add', path: 'members', value: [{ value: id }, { value: joe.body?.id }] }));
      // Pushes that land while a plan is being made go into the next plan too (the fan-out coalesces
      // by time), so a change may be planned twice; the executor carries each out once.
      const joined = await w.settle();
      assert.deepEqual([...new Set(joined.map((c) => `${c.kind} ${c.person}`))].sort(), [`add-member ${id}`, `add-member ${String(joe.body?.id)}`, `create ${id}`, `create ${String(joe.body?.id)}`].sort());
      assert.equal(w.app.requests.count({ method: 'POST', pathIncludes: '/Users', status: 201 }), 2, 'each account created once');
      const removed = await client.request('PATCH', `/Groups/${gid}`, patchOf({ op: 'remove', path: `members[value eq "${String(joe.body?.id)}"]` }));
      assert.equal(removed.status, 204);
      assert.deepEqual((await person(db, String(joe.body?.id)))?.groups, []);
      const unassigned = await w.settle();
      assert.deepEqual(unassigned.map((c) => [c.kind, c.person]), [['deactivate', joe.body?.id]], 'out of the assigned group: a leaver in the app');
      const disabled = await client.request('PATCH', `/Users/${id}`, patchOf({ op: 'replace', path: 'active', value: false }));
      assert.equal(disabled.body?.active, false);
      assert.deepEqual((await w.settle()).map((c) => [c.kind, c.person]), [['deactivate', id]]);
      assert.equal(w.app.store.findUserByUserName('jane@fabrikam.com')?.attrs.active, false);
    });
  });

  describe(`Okta (${kind})`, () => {
    let w: World;
    before(async () => {
      w = await world(kind, 'okta');
    });
    after(() => w.close());

    it('provisions with full PUTs, group push by PATCH, deactivates by a path-less replace', async () => {
      const { client, db } = w;
      const test = await client.request('GET', '/Users?startIndex=1&count=2');
      assert.equal(test.status, 200);
      assert.deepEqual([typeof test.body?.totalResults, typeof test.body?.startIndex, typeof test.body?.itemsPerPage], ['number', 'number', 'number']);
      const exists = await client.request('GET', `/Users?filter=${encodeURIComponent('userName eq "sam@okta.example"')}&startIndex=1&count=100`);
      assert.equal(exists.body?.totalResults, 0);
      const body = { schemas: [USER], userName: 'sam@okta.example', name: { givenName: 'Sam', familyName: 'Lee' }, emails: [{ primary: true, value: 'sam@okta.example', type: 'work' }], displayName: 'Sam Lee', locale: 'en-US', externalId: '00u1', groups: [], password: 'xZ9!secret-initial', active: true };
      const created = await client.request('POST', '/Users', body);
      assert.equal(created.status, 201);
      assert.equal(created.body?.password, undefined, 'a password is never stored nor returned');
      const id = String(created.body?.id);
      const duplicate = await client.request('POST', '/Users', body);
      assert.equal(duplicate.status, 409);
      assert.equal(duplicate.body?.scimType, 'uniqueness');
      const [row] = await db.query<{ scim: unknown }>('select scim from people where id = $1', [id]);
      assert.ok(!JSON.stringify(row).includes('secret-initial'));

      // Profile update: a full PUT without `active` keeps the person active.
      const { active: _a, password: _p, ...profile } = body;
      const put = await client.request('PUT', `/Users/${id}`, { ...profile, id, title: 'Analyst', name: { givenName: 'Samuel', familyName: 'Lee' } });
      assert.equal(put.status, 200);
      assert.equal(put.body?.active, true);
      assert.equal((await person(db, id))?.givenName, 'Samuel');

      const group = await client.request('POST', '/Groups', { schemas: [GROUP], displayName: 'Engineering', members: [] });
      assert.equal(group.status, 201);
      const gid = String(group.body?.id);
      const other = await client.request('POST', '/Users', { ...body, userName: 'kim@okta.example', externalId: '00u2', emails: [] });
      const kim = String(other.body?.id);
      // Okta sends a rename with every membership change.
      await client.request('PATCH', `/Groups/${gid}`, patchOf({ op: 'replace', value: { id: gid, displayName: 'Engineering' } }, { op: 'add', path: 'members', value: [{ value: id, display: 'sam@okta.example' }, { value: kim }] }));
      // Pushes that land while a plan is being made go into the next plan too (the fan-out coalesces
      // by time), so a change may be planned twice; the executor carries each out once.
      const joined = await w.settle();
      assert.deepEqual([...new Set(joined.map((c) => `${c.kind} ${c.person}`))].sort(), [`add-member ${id}`, `add-member ${kim}`, `create ${id}`, `create ${kim}`].sort());
      assert.equal(w.app.requests.count({ method: 'POST', pathIncludes: '/Users', status: 201 }), 2, 'each account created once');
      await client.request('PATCH', `/Groups/${gid}`, patchOf({ op: 'replace', value: { id: gid, displayName: 'Engineering' } }, { op: 'remove', path: `members[value eq "${kim}"]` }));
      assert.deepEqual((await person(db, kim))?.groups, []);
      // A full push replaces the member list.
      await client.request('PATCH', `/Groups/${gid}`, patchOf({ op: 'replace', path: 'members', value: [{ value: id }, { value: kim }] }));
      assert.deepEqual((await person(db, kim))?.groups, ['Engineering']);
      await w.settle();

      const off = await client.request('PATCH', `/Users/${id}`, patchOf({ op: 'replace', value: { active: false } }));
      assert.equal(off.status, 200);
      assert.equal(off.body?.active, false);
      assert.deepEqual((await w.settle()).map((c) => [c.kind, c.person]), [['deactivate', id]]);
      assert.equal(w.app.store.findUserByUserName('sam@okta.example')?.attrs.active, false);

      // The admin unlinks and deletes the group: its members lose it, and with it the app.
      assert.equal((await client.request('DELETE', `/Groups/${gid}`)).status, 204);
      assert.deepEqual((await person(db, kim))?.groups, []);
      assert.deepEqual((await w.settle()).map((c) => [c.kind, c.person]), [['deactivate', kim]]);
      assert.ok((await queryAudit(db, { actor: 'idp:okta', limit: 50 })).length >= 8);
    });

    it('coalesces a burst of pushes for one person: few plans, none failing, and the app ends as the person ends', async () => {
      const { client, db } = w;
      const made = await client.request('POST', '/Users', { schemas: [USER], userName: 'flip@okta.example', active: true });
      const id = String(made.body?.id);
      const group = await client.request('POST', '/Groups', { schemas: [GROUP], displayName: 'Engineering', members: [{ value: id }] });
      assert.equal(group.status, 201);
      await w.settle();
      assert.equal(w.app.store.findUserByUserName('flip@okta.example')?.attrs.active, true);
      const before = w.planned.length;
      const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => client.request('PATCH', `/Users/${id}`, patchOf({ op: 'replace', value: { active: i % 2 === 1 } }))));
      assert.ok(answers.every((a) => a.status === 200));
      await w.settle();
      await w.settle();
      const plans = w.planned.length - before;
      assert.ok(plans <= 4, `${plans} plans for 12 pushes`);
      const failed = await db.query("select key, last_error from operations where state = 'failed'");
      assert.deepEqual(failed, []);
      const final = (await person(db, id))?.active;
      assert.equal(w.app.store.findUserByUserName('flip@okta.example')?.attrs.active, final, 'the app matches the last push');
    });
  });
}
