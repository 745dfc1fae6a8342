// Runs the Entra ID (Microsoft Graph) simulator on its own:
//   node simulators/entra/main.ts --port 9101 --users 1000 --groups 50 [--apps 2] [--domain contoso.example] [--seed 7]
// The app registration's secret comes from ENTRA_SIM_CLIENT_SECRET, or is made up and printed.
import { parseArgs } from 'node:util';
import { seedTenant } from '../shared/idp-tenant.ts';
import { startEntraSimulator } from './simulator.ts';

export const SECRET_ENV = 'ENTRA_SIM_CLIENT_SECRET';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '9101' },
    users: { type: 'string', default: '100' },
    groups: { type: 'string', default: '20' },
    apps: { type: 'string', default: '1' },
    domain: { type: 'string', default: 'contoso.example' },
    seed: { type: 'string', default: '7' },
    tenant: { type: 'string', default: '11111111-2222-3333-4444-555555555555' },
    'client-id': { type: 'string', default: '66666666-7777-8888-9999-000000000000' },
  },
});

function count(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`--${name} must be a whole number, got ${text}`);
    process.exit(2);
  }
  return n;
}

const secret = process.env[SECRET_ENV] || `sim~${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
const sim = await startEntraSimulator({ port: count('port', values.port), tenantId: values.tenant, clients: [{ clientId: values['client-id'], clientSecret: secret }] });
const seeded = seedTenant({ people: count('users', values.users), groups: count('groups', values.groups), seed: count('seed', values.seed), domain: values.domain });
const ids = sim.tenant.seed(seeded);
const apps: string[] = [];
for (let a = 0; a < count('apps', values.apps); a += 1) {
  const sp = sim.tenant.addServicePrincipal(`Enterprise app ${a + 1}`);
  const group = seeded.groups[a];
  if (group) sim.tenant.assign(sp.id, ids.get(group.key) ?? '');
  apps.push(`${sp.id} (${sp.displayName}${group ? `, assigned to group ${group.name}` : ''})`);
}

console.log(
  [
    `Entra ID simulator at ${sim.origin} (${seeded.people.length} users, ${seeded.groups.length} groups)`,
    `tenant:     ${sim.settings.tenantId}`,
    `authority:  ${sim.origin}   (token endpoint ${sim.tokenUrl})`,
    `graphUrl:   ${sim.graphUrl}`,
    `client id:  ${values['client-id']}`,
    process.env[SECRET_ENV] ? `secret:     the value of ${SECRET_ENV}` : `secret (made up for this run; set ${SECRET_ENV} to choose one):\n  ${SECRET_ENV}=${secret}`,
    ...apps.map((a) => `enterprise app: ${a}`),
  ].join('\n'),
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void sim.close().then(() => process.exit(0));
  });
}
