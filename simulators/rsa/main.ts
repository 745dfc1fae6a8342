// Runs the RSA ID Plus (Unified Directory SCIM) simulator on its own:
//   node simulators/rsa/main.ts [--port 9004] [--users 100] [--local 5] [--domain x] [--page-size 100] [--rate-limit 0]
// The client secret is $RSA_SIM_CLIENT_SECRET, or made up and printed.
import { parseArgs } from 'node:util';
import { generateUsers } from '../scim/index.ts';
import { makeSecret } from './settings.ts';
import { startRsaSimulator } from './simulator.ts';

export const SECRET_ENV = 'RSA_SIM_CLIENT_SECRET';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '9004' },
    users: { type: 'string', default: '0' },
    local: { type: 'string', default: '0' },
    domain: { type: 'string', default: 'example.com' },
    'page-size': { type: 'string', default: '100' },
    'rate-limit': { type: 'string', default: '0' },
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

const secret = process.env[SECRET_ENV] || makeSecret();
const perSecond = count('rate-limit', values['rate-limit']);
const sim = await startRsaSimulator({
  port: count('port', values.port),
  clientSecret: secret,
  identitySourceId: 'unified-directory',
  rateLimit: perSecond > 0 ? { requests: perSecond, perMs: 1000 } : undefined,
  scim: { maxPageSize: count('page-size', values['page-size']) },
});

const withMobile = (users: Record<string, unknown>[]) =>
  users.map((u, i) => ({ ...u, phoneNumbers: [{ value: `+1 555 02${String(i % 100).padStart(2, '0')} 0000`, type: 'mobile' }] }));
const scimUsers = sim.seedUsers(withMobile(generateUsers(count('users', values.users), { domain: values.domain })));
const localUsers = sim.seedUsers(withMobile(generateUsers(count('local', values.local), { domain: values.domain, startAt: scimUsers.length })), 'Local');

console.log(
  [
    `RSA ID Plus simulator at ${sim.origin} (${scimUsers.length} SCIM-managed users, ${localUsers.length} of a Local identity source${perSecond > 0 ? `, ${perSecond} requests/s` : ''})`,
    `Base URI: ${sim.baseUrl}  (Authorization: Bearer <client secret>; no /Groups)`,
    process.env[SECRET_ENV] ? `Client secret: the value of ${SECRET_ENV}` : `Client secret (made up for this run; set ${SECRET_ENV} to choose one):\n  ${SECRET_ENV}=${secret}`,
  ].join('\n'),
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void sim.close().then(() => process.exit(0));
  });
}
