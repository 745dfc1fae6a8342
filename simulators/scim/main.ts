// Runs the SCIM simulator on its own:
//   node simulators/scim/main.ts --port 9001 --users 1000 [--groups 20] [--domain example.com]
// The bearer token comes from SCIM_SIM_TOKEN, or is made up at start and printed.
import { parseArgs } from 'node:util';
import { generateUsers } from './generate.ts';
import { startScimSimulator } from './simulator.ts';
import { makeToken } from './settings.ts';

export const TOKEN_ENV = 'SCIM_SIM_TOKEN';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '9001' },
    users: { type: 'string', default: '0' },
    groups: { type: 'string', default: '0' },
    domain: { type: 'string', default: 'example.com' },
    'page-size': { type: 'string', default: '100' },
    'patch-status': { type: 'string', default: '200' },
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

const fromEnv = process.env[TOKEN_ENV];
const token = fromEnv || makeToken();
const simulator = await startScimSimulator({
  port: count('port', values.port),
  token,
  maxPageSize: count('page-size', values['page-size']),
  patchStatus: values['patch-status'] === '204' ? 204 : 200,
});

const users = simulator.store.seedUsers(generateUsers(count('users', values.users), { domain: values.domain }));
const groupCount = count('groups', values.groups);
for (let g = 0; g < groupCount; g++) {
  const members = users.filter((_, i) => i % groupCount === g).map((u) => ({ value: u.id }));
  simulator.store.seedGroups([{ displayName: `Group ${g + 1}`, members }]);
}

const tokenLine = fromEnv
  ? `Bearer token: the value of ${TOKEN_ENV}`
  : `Bearer token (made up for this run; set ${TOKEN_ENV} to choose one):\n  ${TOKEN_ENV}=${token}`;
console.log(`SCIM simulator at ${simulator.baseUrl} (${users.length} users, ${groupCount} groups)\n${tokenLine}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void simulator.close().then(() => process.exit(0));
  });
}
