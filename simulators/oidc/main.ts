// Runs the OIDC provider simulator on its own, for trying roster's single sign-on:
//   node simulators/oidc/main.ts --port 9400 --redirect-uri http://127.0.0.1:8080/auth/oidc/callback --user alice@acme.example
// It signs in the --user at once (no password). The client secret comes from OIDC_SIM_CLIENT_SECRET,
// or is made up and printed.
import { parseArgs } from 'node:util';
import { startOidcSimulator } from './simulator.ts';

export const SECRET_ENV = 'OIDC_SIM_CLIENT_SECRET';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '9400' },
    'client-id': { type: 'string', default: 'roster' },
    'redirect-uri': { type: 'string', default: 'http://127.0.0.1:8080/auth/oidc/callback' },
    user: { type: 'string', multiple: true, default: ['admin@acme.example'] },
  },
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be a port number, got ${values.port}`);
  process.exit(2);
}
const secret = process.env[SECRET_ENV] || `sim-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
const users = values.user.map((email, i) => ({ sub: `user-${i + 1}`, email, email_verified: true, name: email.split('@')[0] ?? email, preferred_username: email }));
const sim = await startOidcSimulator({ port, clients: [{ clientId: values['client-id'], clientSecret: secret, redirectUris: [values['redirect-uri']] }], users });
console.log(`OIDC provider simulator at ${sim.issuer}`);
console.log(`  client id ${values['client-id']}, redirect URI ${values['redirect-uri']}`);
if (!process.env[SECRET_ENV]) console.log(`  client secret ${secret} (set ${SECRET_ENV} to choose it)`);
console.log(`  signs in, without a password: ${users.map((u) => u.email).join(', ')}`);
console.log('roster.yaml:');
console.log(`  auth: { oidc: { issuer: ${sim.issuer}, clientId: ${values['client-id']}, clientSecret: env:OIDC_CLIENT_SECRET, redirectUri: ${values['redirect-uri']} } }`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void sim.close().then(() => process.exit(0)));
