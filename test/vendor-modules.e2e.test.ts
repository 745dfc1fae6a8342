// Umbrella (API v2 and SCIM), RSA ID Plus and ZIA SCIM through the engine, each from its module:
// sync → plan → apply → approve → apply, asserting each simulator's final state. What the plan does
// comes from each app's capabilities (a role fixed after create, an app that cannot delete, a
// pending invitation), never from the vendor's name.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startRsaSimulator, type RunningRsaSimulator } from '../simulators/rsa/index.ts';
import { startUmbrellaSimulator, type RunningUmbrellaSimulator } from '../simulators/umbrella/index.ts';
import { startZiaScimSimulator, type RunningZiaScimSimulator } from '../simulators/zscaler-scim/index.ts';
import { parseConfig, type ResolvedApp } from '../src/config/load.ts';
import { createConnector } from '../src/connectors/modules.ts';
import type { Person } from '../src/core/person.ts';
import { applyPlan } from '../src/engine/apply.ts';
import { decide } from '../src/engine/approvals.ts';
import { makePlan } from '../src/engine/planning.ts';
import { syncApp } from '../src/engine/sync.ts';
import type { Database } from '../src/store/database.ts';
import { upsertPeople } from '../src/store/people.ts';
import { databaseKinds, openTestDatabase } from '../src/store/testing.ts';

const alice = 'operator:alice';
const bob = 'operator:bob';
const ORG = 2_000_001;
const FULL_ADMIN = 1;
const V2 = { key: 'v2-key', secret: 'v2-secret', scopes: ['admin.users:read', 'admin.users:write', 'admin.roles:read'] };

const person = (name: string, extra: Partial<Person> = {}): Person => {
  const given = name[0]!.toUpperCase() + name.slice(1);
  return { id: name, userName: `${name}@example.com`, email: `${name}@example.com`, emails: [`${name}@example.com`], displayName: `${given} Lee`, givenName: given, familyName: 'Lee', active: true, groups: ['staff'], ...extra };
};

for (const kind of databaseKinds) {
  describe(`Umbrella, RSA ID Plus and ZIA SCIM through plan → approve → apply (${kind})`, () => {
    let db: Database;
    let umbrella: RunningUmbrellaSimulator;
    let rsa: RunningRsaSimulator;
    let zia: RunningZiaScimSimulator;
    let apps: ResolvedApp[];
    const people = [person('ann', { groups: ['staff', 'admins'] }), person('bob'), person('carl', { active: false }), person('dana')];

    const sync = async () => {
      for (const app of apps) {
        const connector = createConnector(app);
        try {
          const result = await syncApp(db, app, connector, { actor: alice });
          assert.ok(result.ok, `${app.name}: ${result.error}`);
        } finally {
          await connector.close();
        }
      }
    };
    const apply = (planId: string) => applyPlan(db, apps, planId, { actor: alice, connectorFor: createConnector });
    const dashboardUser = (email: string) => umbrella.state.usersOf(ORG).find((u) => u.email === email);
    const scimIdentity = (userName: string) => umbrella.scim.scim.store.findUserByUserName(userName);

    before(async () => {
      db = await openTestDatabase(kind);
      await upsertPeople(db, people, 'test');
      umbrella = await startUmbrellaSimulator({ organizations: [{ id: ORG, name: 'Acme' }], v2Keys: [V2], scimToken: 'umbrella-scim', invitations: 'email', v2Limits: [], tokenLimit: undefined });
      umbrella.seedUsers([{ email: 'boss@example.com', name: 'The Boss', role: 'Full Admin' }, ...['ann', 'bob', 'carl'].map((n) => ({ email: `${n}@example.com`, name: `${n} Lee`, role: 'Read Only' }))], ORG);
      umbrella.scim.scim.store.seedUsers(['ann', 'bob', 'carl'].map((n) => ({ userName: `${n}@example.com`, displayName: `${n} Lee`, active: true })));
      rsa = await startRsaSimulator({ clientSecret: 'rsa-secret' });
      const scimUsers = ['ann', 'bob', 'carl'].map((n) => ({ userName: `${n}@example.com`, name: { givenName: n[0]!.toUpperCase() + n.slice(1), familyName: 'Lee' }, displayName: `${n[0]!.toUpperCase() + n.slice(1)} Lee`, emails: [{ value: `${n}@example.com`, type: 'work', primary: true }], active: true }));
      rsa.seedUsers(scimUsers);
      zia = await startZiaScimSimulator({ scim: { token: 'zia-token', rateLimit: undefined } });
      zia.scim.store.seedUsers(scimUsers);
      const config = parseConfig(
        {
          apps: {
            'umbrella-v2': {
              type: 'umbrella',
              api: 'v2',
              baseUrl: umbrella.v2BaseUrl,
              auth: { type: 'oauth2-client-credentials', clientId: V2.key, clientSecret: 'env:UMBRELLA_V2_SECRET' },
              rateBudget: false,
              policy: { manage: ['displayName', 'email'], roles: [{ group: 'admins', role: 'Full Admin' }], defaultRole: 'Read Only', leaver: 'delete' },
            },
            'umbrella-scim': { type: 'umbrella', api: 'scim', baseUrl: umbrella.scimBaseUrl, auth: { type: 'bearer', token: 'env:UMBRELLA_SCIM_TOKEN' }, rateBudget: false, policy: { leaver: 'delete', groups: { staff: 'Staff' } } },
            rsa: { type: 'rsa', baseUrl: rsa.baseUrl, auth: { type: 'bearer', token: 'env:RSA_SECRET' }, rateBudget: false },
            'zia-scim': { type: 'zscaler-scim', baseUrl: zia.baseUrl, auth: { type: 'bearer', token: 'env:ZIA_TOKEN' }, rateBudget: false },
          },
        },
        undefined,
        { env: { UMBRELLA_V2_SECRET: V2.secret, UMBRELLA_SCIM_TOKEN: 'umbrella-scim', RSA_SECRET: 'rsa-secret', ZIA_TOKEN: 'zia-token' } },
      );
      apps = config.apps;
      await sync();
    });
    after(async () => {
      await db.close();
      await umbrella.close();
      await rsa.close();
      await zia.close();
    });

    it('joiner, mover (a role fixed after create) and leaver, each as its app can do them', async () => {
      const plan = await makePlan(db, apps, { actor: alice });
      const shown = plan.changes.map((c) => [c.app, c.kind, c.subject.split(' ')[0], c.group ?? '', c.approval.length > 0]);
      assert.deepEqual(
        shown.filter(([app]) => app === 'umbrella-v2'),
        [
          ['umbrella-v2', 'delete', 'Ann', '', true],
          ['umbrella-v2', 'delete', 'Carl', '', true],
          ['umbrella-v2', 'create', 'Ann', '', true],
          ['umbrella-v2', 'create', 'Dana', '', false],
        ],
        'v2 cannot change a role: the account is replaced, with approval; names are never compared',
      );
      const scimLeaver = plan.changes.find((c) => c.app === 'umbrella-scim' && c.subject.startsWith('Carl'));
      assert.equal(scimLeaver?.kind, 'deactivate', 'Umbrella SCIM cannot delete: the leaver is deactivated although policy says delete');
      assert.match(scimLeaver?.reason ?? '', /cannot delete, so it is deactivated/);
      for (const app of ['rsa', 'zia-scim']) {
        assert.deepEqual(shown.filter(([a]) => a === app), [[app, 'deactivate', 'Carl', '', false], [app, 'create', 'Dana', '', false]]);
      }

      const first = await apply(plan.id);
      assert.ok(first.gate.waiting.length >= 3, 'the replacement and the delete wait for a second person');
      assert.equal(dashboardUser('dana@example.com')?.status, 'pending', 'a new Umbrella account waits for its invitation');
      assert.equal(scimIdentity('carl@example.com')?.attrs.active, false);
      assert.equal(scimIdentity('dana@example.com')?.attrs.active, true);
      const staff = umbrella.scim.scim.store.listGroups().find((g) => g.attrs.displayName === 'Staff');
      const ids = ['ann', 'bob', 'dana'].map((n) => scimIdentity(`${n}@example.com`)?.id);
      assert.deepEqual(((staff?.attrs.members ?? []) as { value: string }[]).map((m) => m.value).sort(), ids.sort(), 'the group made on first use holds ann, bob and dana');
      assert.equal(rsa.scim.store.findUserByUserName('carl@example.com')?.attrs.active, false);
      assert.ok(rsa.scim.store.findUserByUserName('dana@example.com'));
      assert.equal(zia.scim.store.findUserByUserName('carl@example.com')?.attrs.active, false);
      assert.ok(zia.scim.store.findUserByUserName('dana@example.com'));

      await decide(db, plan.id, 'approved', { actor: bob });
      await apply(plan.id);
      assert.equal(dashboardUser('carl@example.com'), undefined, 'the leaver is deleted from Umbrella v2');
      assert.equal(dashboardUser('ann@example.com')?.roleId, FULL_ADMIN, 'ann is back as a Full Admin');

      await sync();
      const again = await makePlan(db, apps, { actor: alice });
      assert.deepEqual(
        again.changes.filter((c) => c.app === 'umbrella-v2' || c.kind === 'activate').map((c) => [c.app, c.kind, c.subject]),
        [],
        'a pending invitation is not activated, and the re-created account is not replaced again',
      );
    });
  });
}
