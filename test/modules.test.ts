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
  assert.deepEqual(connectorTypes, ['scim', 'zscaler', 'netskope']);
  for (const module of connectorModules) {
    assert.equal(moduleFor(module.type), module);
    assert.equal(module.schema.shape.type.value, module.type);
  }
  assert.throws(() => moduleFor('umbrella'), /no connector for type umbrella; known types: scim, zscaler, netskope/);
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
