// Runs the Cisco Umbrella simulator on its own (Management API v1, API v2 and SCIM on one port):
//   node simulators/umbrella/main.ts --port 9003 --users 50 [--orgs 1] [--form seed|legacy] [--time-scale 1]
// Credentials come from UMBRELLA_SIM_V1_KEY / _V1_SECRET, UMBRELLA_SIM_V2_KEY / _V2_SECRET and
// UMBRELLA_SIM_SCIM_TOKEN, or are made up at start and printed.
import { parseArgs } from 'node:util';
import { makeSecret, V2_SCOPES } from './settings.ts';
import { startUmbrellaSimulator } from './simulator.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '9003' },
    users: { type: 'string', default: '0' },
    orgs: { type: 'string', default: '1' },
    form: { type: 'string', default: 'seed' },
    'time-scale': { type: 'string', default: '1' },
  },
});

function count(name: string, text: string, min = 0): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) {
    console.error(`--${name} must be a whole number from ${min}, got ${text}`);
    process.exit(2);
  }
  return n;
}
if (values.form !== 'seed' && values.form !== 'legacy') {
  console.error(`--form must be seed or legacy, got ${values.form}`);
  process.exit(2);
}
const scale = Number(values['time-scale']);
if (!(scale > 0)) {
  console.error(`--time-scale must be a positive number, got ${values['time-scale']}`);
  process.exit(2);
}

const env = (name: string) => process.env[name] || undefined;
const v1 = { key: env('UMBRELLA_SIM_V1_KEY') ?? makeSecret(), secret: env('UMBRELLA_SIM_V1_SECRET') ?? makeSecret() };
const v2 = { key: env('UMBRELLA_SIM_V2_KEY') ?? makeSecret(), secret: env('UMBRELLA_SIM_V2_SECRET') ?? makeSecret() };
const scimToken = env('UMBRELLA_SIM_SCIM_TOKEN') ?? makeSecret();
const organizations = Array.from({ length: count('orgs', values.orgs, 1) }, (_, i) => ({ id: 2_000_001 + i, name: `Org ${i + 1}` }));
const sim = await startUmbrellaSimulator({
  port: count('port', values.port),
  organizations,
  v1Form: values.form,
  timeScale: scale,
  v1Keys: [{ ...v1, kind: 'management' }],
  v2Keys: [{ ...v2, scopes: [...V2_SCOPES] }],
  scimToken,
});
const users = count('users', values.users);
// SCIM identities (a store of their own): as many as the dashboard users of one organization.
sim.scim.scim.store.seedUsers(Array.from({ length: users }, (_, i) => ({ userName: `person${i}@example.com`, displayName: `Person ${i}`, active: true })));
for (const org of organizations) {
  sim.seedUsers([{ email: `admin@org${org.id}.example.com`, name: 'Org Admin', role: 'Full Admin' }, ...Array.from({ length: users }, (_, i) => ({ email: `user${i}@org${org.id}.example.com`, name: `User ${i}` }))], org.id);
}

const shown = (name: string, value: string) => (process.env[name] ? `${name}: as set` : `${name}=${value}`);
console.log(
  [
    `Umbrella simulator at ${sim.origin} (${organizations.length} organization(s), ${users + 1} users each, ${users} SCIM identities, v1 ${values.form} form)`,
    `Management API v1: ${sim.v1BaseUrl}  (Basic key:secret, a Management key)`,
    `API v2:            ${sim.v2BaseUrl}  (token at ${sim.tokenUrl})`,
    `SCIM:              ${sim.scimBaseUrl}  (Bearer token)`,
    shown('UMBRELLA_SIM_V1_KEY', v1.key),
    shown('UMBRELLA_SIM_V1_SECRET', v1.secret),
    shown('UMBRELLA_SIM_V2_KEY', v2.key),
    shown('UMBRELLA_SIM_V2_SECRET', v2.secret),
    shown('UMBRELLA_SIM_SCIM_TOKEN', scimToken),
  ].join('\n'),
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void sim.close().then(() => process.exit(0));
  });
}
