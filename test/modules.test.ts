// Adding a vendor is one module object and one list entry: shown with a module made up here.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { appSchema } from '../src/config/app-schema.ts';
import { configSchemaFor } from '../src/config/schema.ts';
import { authStrategyFor } from '../src/connectors/http/auth-from-config.ts';
import { defineModule } from '../src/connectors/module.ts';
import { connectorModules, connectorTypes, moduleFor } from '../src/connectors/modules.ts';
import { scimPreview } from '../src/connectors/scim/index.ts';
import { ScimConnector } from '../src/connectors/scim/connector.ts';
import { scimManifest } from '../src/connectors/scim/manifest.ts';
import { planChanges } from '../src/core/planner.ts';
import { defaultPolicy } from '../src/core/policy.ts';

const acmeModule = defineModule({
  type: 'acme',
  title: 'Acme Identity',
  manifest: { paging: 'startIndex/count' },
  capabilities: { ...scimManifest.capabilities, attributes: ['displayName', 'email'], roles: false, deactivate: false },
  schema: appSchema('acme', ['bearer'], { region: z.enum(['us', 'eu']).default('us') }),
  rate: { rules: [{ limit: 100, windowMs: 60_000 }] },
  create: (app, budget) => new ScimConnector({ appName: app.name, baseUrl: `${app.baseUrl}/${app.region}`, auth: authStrategyFor(app), budget }),
  preview: (change) => scimPreview(change, '/acme'),
});

it('every module is in the list once, its schema for its own type, its connector of its own type', () => {
  assert.deepEqual(connectorTypes, ['scim', 'zscaler', 'netskope', 'umbrella', 'rsa', 'zscaler-scim']);
  for (const module of connectorModules) {
    assert.equal(moduleFor(module.type), module);
    const issuesAt = (input: object) => (module.schema.safeParse(input).error?.issues ?? []).map((i) => i.path.join('.'));
    assert.ok(!issuesAt({ type: module.type, api: 'scim' }).includes('type'), `${module.type}: its schema takes its own type`);
    assert.ok(issuesAt({ type: 'nope', api: 'scim' }).includes('type'), `${module.type}: its schema refuses another type`);
  }
  assert.throws(() => moduleFor('okta-apps'), /no connector for type okta-apps; known types: scim, zscaler, netskope, umbrella, rsa, zscaler-scim/);
});

it('a new module in the list is a new app type: config takes its settings, the planner its capabilities and previews', () => {
  const modules = [...connectorModules, acmeModule] as const;
  const schema = configSchemaFor<z.output<(typeof modules)[number]['schema']>>(modules);
  const parsed = schema.parse({ apps: { tenant: { type: 'acme', baseUrl: 'https://acme.example', auth: { type: 'bearer', token: 'env:ACME' }, region: 'eu' } } });
  const app = parsed.apps['tenant'];
  assert.ok(app?.type === 'acme');
  assert.equal(app.region, 'eu');
  assert.equal(app.timeoutMs, 30_000, 'the common settings, with their defaults');
  assert.throws(() => schema.parse({ apps: { t: { type: 'acme', baseUrl: 'https://acme.example', auth: { type: 'basic', username: 'u', password: 'env:P' } } } }), /a acme app authenticates with auth.type bearer/);
  assert.throws(() => configSchemaFor(connectorModules).parse({ apps: { t: { type: 'acme', baseUrl: 'https://acme.example', auth: { type: 'bearer', token: 'env:A' } } } }), /no connector for type acme/);

  const person = { id: 'p1', userName: 'jo@x.example', email: 'jo@x.example', emails: ['jo@x.example'], displayName: 'Jo', title: 'CTO', active: true, groups: [] };
  const plan = planChanges({ people: [person], apps: [{ name: 'tenant', type: 'acme', policy: defaultPolicy, capabilities: acmeModule.capabilities, preview: acmeModule.preview, accounts: [], links: [] }] });
  assert.deepEqual(plan.changes.map((c) => c.kind), ['create']);
  assert.equal(plan.changes[0]?.attributes?.title, undefined, 'acme holds no title');
  assert.deepEqual(plan.changes[0]?.requests.map((r) => `${r.method} ${r.path}`), ['POST /acme/Users']);
});

it('ZIA leavers are deleted (no documented soft delete) unless the app opts into disableLeavers', async () => {
  const { parseConfig } = await import('../src/config/load.ts');
  const { capabilitiesOf } = await import('../src/connectors/modules.ts');
  const zia = (extra: Record<string, unknown>) =>
    parseConfig({ apps: { zia: { type: 'zscaler', baseUrl: 'https://zsapi.zscaler.net/api/v1', auth: { type: 'bearer', token: 'env:T' }, ...extra } } }, undefined, { env: { T: 't' } }).apps[0]!;
  const leaver = { id: 'p1', userName: 'jane@example.com', email: 'jane@example.com', emails: [], active: false, groups: [] };
  const account = { remoteId: '7', userName: 'jane@example.com', email: 'jane@example.com', active: true, groups: [], raw: {} };
  const plan = (app: ReturnType<typeof zia>) =>
    planChanges({ people: [leaver], apps: [{ name: 'zia', type: 'zscaler', policy: defaultPolicy, capabilities: capabilitiesOf(app), preview: moduleFor('zscaler').preview, accounts: [account], links: [{ appName: 'zia', remoteId: '7', personId: 'p1', rule: 'email', reason: 'x' }] }] }).changes.map((c) => c.kind);
  assert.deepEqual(plan(zia({})), ['delete']);
  assert.deepEqual(plan(zia({ disableLeavers: true })), ['deactivate']);
  assert.throws(() => zia({ disableLeavers: 'yes' }), /apps\.zia\.disableLeavers/);
});

it('Umbrella: the app names its API; each API has its own auth, settings, capabilities, rate rules and previews', async () => {
  const { parseConfig } = await import('../src/config/load.ts');
  const { budgetOf, capabilitiesOf, previewOf } = await import('../src/connectors/modules.ts');
  const parse = (apps: Record<string, Record<string, unknown>>) => parseConfig({ apps }, undefined, { env: { S: 's' } }).apps;
  const [v1, v2, scim, sameKey] = parse({
    a: { type: 'umbrella', api: 'v1', baseUrl: 'https://management.api.umbrella.com/v1', auth: { type: 'basic', username: 'key-id', password: 'env:S' }, organizationId: 2000001, form: 'legacy', defaultRole: 'Read Only', timezone: 'Europe/London' },
    b: { type: 'umbrella', api: 'v2', baseUrl: 'https://api.umbrella.com', auth: { type: 'oauth2-client-credentials', clientId: 'key-2', clientSecret: 'env:S' } },
    c: { type: 'umbrella', api: 'scim', baseUrl: 'https://api.umbrella.com/identity/v2/scim', auth: { type: 'bearer', token: 'env:S' } },
    d: { type: 'umbrella', api: 'v2', baseUrl: 'https://api.umbrella.com', auth: { type: 'oauth2-client-credentials', clientId: 'key-2', clientSecret: 'env:S', tokenUrl: 'https://api.umbrella.com/auth/v2/token' } },
  });
  assert.ok(v1 && v2 && scim && sameKey);
  assert.deepEqual([capabilitiesOf(v1).deactivate, capabilitiesOf(v1).updateAccount, capabilitiesOf(v1).groups], [false, true, false]);
  assert.deepEqual(capabilitiesOf(v2).fixedAfterCreate, ['email', 'role']);
  assert.deepEqual([capabilitiesOf(scim).deleteAccount, capabilitiesOf(scim).maxGroups], [false, 200]);
  // v2's documented limits are per API key: two apps on one key share one budget; v1 and SCIM document none.
  assert.equal(budgetOf(v2), budgetOf(sameKey));
  assert.notEqual(budgetOf(v2), budgetOf(v1));
  const umbrella = moduleFor('umbrella');
  assert.ok((umbrella.rateFor?.(v2 as never).rules.length ?? 0) > 0);
  assert.equal(umbrella.rateFor?.(v1 as never).rules.length, 0);
  const change = { id: 'x', app: 'a', kind: 'create' as const, subject: 'ann@example.com', attributes: { userName: 'ann@example.com', email: 'ann@example.com' }, reason: 'r', risk: 'low' as const, approval: [], requests: [] };
  assert.deepEqual(previewOf(v1)(change).map((r) => `${r.method} ${r.path}`), ['GET /organizations/2000001/roles', 'POST /organizations/2000001/users']);
  assert.deepEqual(previewOf(v2)(change).map((r) => `${r.method} ${r.path}`), ['GET /admin/v2/roles', 'POST /admin/v2/users']);
  assert.equal(previewOf(scim)(change)[0]?.path, '/Users');
  assert.throws(() => parse({ x: { type: 'umbrella', baseUrl: 'https://api.umbrella.com', auth: { type: 'bearer', token: 'env:S' } } }), /apps\.x\.api: an umbrella app names its API: api is v1, v2, scim/);
  assert.throws(() => parse({ x: { type: 'umbrella', api: 'v1', baseUrl: 'https://api.umbrella.com', auth: { type: 'bearer', token: 'env:S' } } }), /apps\.x\.auth\.type: a umbrella app authenticates with auth\.type basic/);
  assert.throws(() => parse({ x: { type: 'umbrella', api: 'scim', baseUrl: 'https://api.umbrella.com', auth: { type: 'bearer', token: 'env:S' }, organizationId: 1 } }), /apps\.x: unknown key organizationId/);
});

it('RSA: a policy that asks for groups or roles is refused at config load, with the app path, beside every other problem', async () => {
  const { parseConfig } = await import('../src/config/load.ts');
  const rsa = (extra: Record<string, unknown>) => () => parseConfig({ apps: { idplus: { type: 'rsa', baseUrl: 'https://acme.auth.securid.com/scim/v2', auth: { type: 'bearer', token: 'env:S' }, ...extra } } }, undefined, { env: { S: 's' } });
  assert.equal(rsa({ policy: { assign: { groups: ['Staff'] } } })().apps[0]?.type, 'rsa');
  assert.throws(rsa({ policy: { groups: { Admins: 'IdP Admins' }, defaultRole: 'admin' }, timeoutMs: -1 }), (error: Error) => {
    assert.match(error.message, /3 problems/);
    assert.match(error.message, /apps\.idplus\.policy\.groups: RSA ID Plus cannot manage groups over SCIM .*"Admins"/);
    assert.match(error.message, /apps\.idplus\.policy\.roles: RSA ID Plus has no roles over SCIM/);
    assert.match(error.message, /apps\.idplus\.timeoutMs/);
    return true;
  });
});

it('ZIA SCIM: baseUrl, or the cloud, org id and IdP id it is made from; 5 requests a second; at most 128 groups per user', async () => {
  const { parseConfig } = await import('../src/config/load.ts');
  const { budgetOf, capabilitiesOf } = await import('../src/connectors/modules.ts');
  const [app] = parseConfig({ apps: { zia: { type: 'zscaler-scim', cloud: 'zscalertwo', orgId: 12345, idpId: 678, auth: { type: 'bearer', token: 'env:S' } } } }, undefined, { env: { S: 's' } }).apps;
  assert.equal(app?.baseUrl, 'https://scim.zscalertwo.net/12345/678/scim');
  assert.ok(app);
  assert.ok(budgetOf(app));
  assert.deepEqual(moduleFor('zscaler-scim').rate.rules, [{ limit: 5, windowMs: 1000 }]);
  assert.equal(capabilitiesOf(app).maxGroupsPerUser, 128);
  assert.throws(() => parseConfig({ apps: { zia: { type: 'zscaler-scim', cloud: 'zscalertwo', auth: { type: 'bearer', token: 'env:S' } } } }, undefined, { env: { S: 's' } }), /apps\.zia\.baseUrl/);
});
