// Runs the Netskope simulator on its own:
//   node simulators/netskope/main.ts --port 9002 --users 1000 [--groups 10] [--events 500] [--domain example.com]
//     [--page-size 100] [--rate-limit 300]
// Tokens come from NETSKOPE_SIM_SCIM_TOKEN and NETSKOPE_SIM_REST_TOKEN (REST v2, scope events),
// or are made up at start and printed.
import { parseArgs } from 'node:util';
import { generateUsers } from '../scim/index.ts';
import { DEFAULT_RATE_LIMIT, makeToken } from './settings.ts';
import { startNetskopeSimulator } from './simulator.ts';

export const SCIM_TOKEN_ENV = 'NETSKOPE_SIM_SCIM_TOKEN';
export const REST_TOKEN_ENV = 'NETSKOPE_SIM_REST_TOKEN';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '9002' },
    users: { type: 'string', default: '0' },
    groups: { type: 'string', default: '0' },
    events: { type: 'string', default: '0' },
    domain: { type: 'string', default: 'example.com' },
    'page-size': { type: 'string', default: '100' },
    'rate-limit': { type: 'string', default: String(DEFAULT_RATE_LIMIT.requests) },
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

const scimToken = process.env[SCIM_TOKEN_ENV] || makeToken();
const restToken = process.env[REST_TOKEN_ENV] || makeToken();
const perMinute = count('rate-limit', values['rate-limit']);
const sim = await startNetskopeSimulator({
  port: count('port', values.port),
  scimToken,
  restTokens: [{ token: restToken, scopes: ['scim', 'events'] }],
  rateLimit: perMinute > 0 ? { requests: perMinute, perMs: 60_000, retryAfter: 'none' } : undefined,
  scim: { maxPageSize: count('page-size', values['page-size']) },
});

const users = sim.scim.store.seedUsers(generateUsers(count('users', values.users), { domain: values.domain }));
const groupCount = count('groups', values.groups);
for (let g = 0; g < groupCount; g++) {
  const members = users.filter((_, i) => i % groupCount === g).map((u) => ({ value: u.id }));
  sim.scim.store.seedGroups([{ displayName: `Group ${g + 1}`, members }]);
}
const eventCount = count('events', values.events);
const now = Math.floor(Date.now() / 1000);
sim.events.add(Array.from({ length: eventCount }, (_, i) => ({ timestamp: now - (eventCount - i) * 60, audit_log_event: i % 3 === 0 ? 'Login Successful' : 'Edit policy' })));

const line = (env: string, token: string, what: string) =>
  process.env[env] ? `${what}: the value of ${env}` : `${what} (made up for this run; set ${env} to choose one):\n  ${env}=${token}`;
console.log(
  [
    `Netskope simulator at ${sim.origin} (${users.length} users, ${groupCount} groups, ${eventCount} audit events)`,
    `SCIM:   ${sim.baseUrl}  (header Netskope-Api-Token, or Authorization: Bearer)`,
    `Events: ${sim.origin}/api/v2/events/data/audit  (REST API v2 token)`,
    line(REST_TOKEN_ENV, restToken, 'REST API v2 token, granted the SCIM endpoints and events (for both)'),
    line(SCIM_TOKEN_ENV, scimToken, 'legacy SCIM-only token'),
  ].join('\n'),
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void sim.close().then(() => process.exit(0));
  });
}
