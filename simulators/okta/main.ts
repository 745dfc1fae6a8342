// Runs the Okta simulator on its own:
//   node simulators/okta/main.ts --port 9102 --users 1000 --groups 50 [--apps 1] [--domain acme.example] [--seed 7] [--no-rate-limits]
// The API token comes from OKTA_SIM_API_TOKEN, or is made up and printed.
import { parseArgs } from 'node:util';
import { seedTenant } from '../shared/idp-tenant.ts';
import { startOktaSimulator } from './simulator.ts';

export const TOKEN_ENV = 'OKTA_SIM_API_TOKEN';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '9102' },
    users: { type: 'string', default: '100' },
    groups: { type: 'string', default: '20' },
    apps: { type: 'string', default: '1' },
    domain: { type: 'string', default: 'acme.example' },
    seed: { type: 'string', default: '7' },
    'no-rate-limits': { type: 'boolean', default: false },
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

const token = process.env[TOKEN_ENV] || `00sim${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
const sim = await startOktaSimulator({ port: count('port', values.port), apiTokens: [token], ...(values['no-rate-limits'] ? { rateLimits: undefined } : {}) });
const seeded = seedTenant({ people: count('users', values.users), groups: count('groups', values.groups), seed: count('seed', values.seed), domain: values.domain });
const ids = sim.tenant.seed(seeded);
const apps: string[] = [];
for (let a = 0; a < count('apps', values.apps); a += 1) {
  const app = sim.tenant.addApp(`Security app ${a + 1}`);
  const group = seeded.groups[a];
  if (group) sim.tenant.assignGroup(app.id, ids.get(group.key) ?? '');
  apps.push(`${app.id} (${app.label}${group ? `, assigned to group ${group.name}` : ''})`);
}

console.log(
  [
    `Okta simulator at ${sim.origin} (${seeded.people.length} users, ${seeded.groups.length} groups)`,
    `baseUrl:   ${sim.origin}`,
    process.env[TOKEN_ENV] ? `API token: the value of ${TOKEN_ENV} (Authorization: SSWS …)` : `API token (made up for this run; set ${TOKEN_ENV} to choose one):\n  ${TOKEN_ENV}=${token}`,
    ...apps.map((a) => `app: ${a}`),
  ].join('\n'),
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void sim.close().then(() => process.exit(0));
  });
}
