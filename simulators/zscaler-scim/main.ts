// Runs the ZIA SCIM simulator on its own:
//   node simulators/zscaler-scim/main.ts [--port 9005] [--users 100] [--groups 5] [--domain x] [--rate-limit 5]
// The bearer token is $ZIA_SCIM_SIM_TOKEN, or made up and printed (ZIA shows it once, too).
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { generateUsers } from '../scim/index.ts';
import { ZIA_SCIM_LIMITS } from './settings.ts';
import { startZiaScimSimulator } from './simulator.ts';

export const TOKEN_ENV = 'ZIA_SCIM_SIM_TOKEN';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '9005' },
    users: { type: 'string', default: '0' },
    groups: { type: 'string', default: '0' },
    domain: { type: 'string', default: 'example.com' },
    'rate-limit': { type: 'string', default: String(ZIA_SCIM_LIMITS.requestsPerSecond) },
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

const token = process.env[TOKEN_ENV] || randomBytes(24).toString('base64url');
const perSecond = count('rate-limit', values['rate-limit']);
const sim = await startZiaScimSimulator({ port: count('port', values.port), scim: { token, rateLimit: perSecond > 0 ? { requests: perSecond, perMs: 1000 } : undefined } });
const users = sim.scim.store.seedUsers(generateUsers(count('users', values.users), { domain: values.domain }));
const groupCount = count('groups', values.groups);
for (let g = 0; g < groupCount; g++) {
  sim.scim.store.seedGroups([{ displayName: `Group ${g + 1}`, members: users.filter((_, i) => i % groupCount === g).map((u) => ({ value: u.id })) }]);
}

console.log(
  [
    `ZIA SCIM simulator at ${sim.origin} (${users.length} users, ${groupCount} groups${perSecond > 0 ? `, ${perSecond} requests/s` : ', no rate limit'})`,
    `Base URL: ${sim.baseUrl}  (Authorization: Bearer <token>; discovery needs none)`,
    process.env[TOKEN_ENV] ? `Token: the value of ${TOKEN_ENV}` : `Token (made up for this run; set ${TOKEN_ENV} to choose one):\n  ${TOKEN_ENV}=${token}`,
  ].join('\n'),
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void sim.close().then(() => process.exit(0));
  });
}
