/**
 * Runs the ZIA simulator on its own:
 *   node simulators/zscaler/main.ts [--port 9002] [--users 50] [--time-scale 0.001] [--no-rate-limits]
 *     [--retry-after-style header|none] [--activation-ms 100] [--session-idle-ms 300000]
 *
 * Credentials come from ZIA_USERNAME, ZIA_PASSWORD, ZIA_API_KEY (12 characters) and, for the
 * OneAPI prefix, ZIA_ONEAPI_TOKEN. Whatever is unset is generated afresh and printed as `export`
 * lines, so roster can be pointed at the simulator with the same variable names.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';
import { startZiaSimulator } from './simulator.ts';
import { makeSeedUsers } from './state.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '9002' },
    users: { type: 'string', default: '25' },
    'time-scale': { type: 'string', default: '1' },
    'no-rate-limits': { type: 'boolean', default: false },
    'retry-after-style': { type: 'string', default: 'header' },
    'activation-ms': { type: 'string', default: '100' },
    'session-idle-ms': { type: 'string', default: String(5 * 60_000) },
  },
});

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const randomKey = () => Array.from({ length: 12 }, () => ALNUM.charAt(randomInt(ALNUM.length))).join('');

const env = process.env;
const generated: Record<string, string> = {};
function fromEnv(name: string, make: () => string): string {
  const v = env[name];
  if (v) return v;
  generated[name] = make();
  return generated[name];
}
const credentials = {
  username: fromEnv('ZIA_USERNAME', () => 'admin@example.com'),
  password: fromEnv('ZIA_PASSWORD', () => `${randomBytes(9).toString('base64url')}-1a`),
  apiKey: fromEnv('ZIA_API_KEY', randomKey),
};
const oneApiToken = fromEnv('ZIA_ONEAPI_TOKEN', () => randomBytes(24).toString('base64url'));

const style = values['retry-after-style'];
if (style !== 'header' && style !== 'none') throw new Error('--retry-after-style must be header or none');

const sim = await startZiaSimulator({
  port: Number(values.port),
  credentials,
  oneApiToken,
  users: makeSeedUsers(Number(values.users)),
  timeScale: Number(values['time-scale']),
  rateLimits: values['no-rate-limits'] ? false : undefined,
  retryAfterStyle: style,
  activationMs: Number(values['activation-ms']),
  sessionIdleMs: Number(values['session-idle-ms']),
});

console.log(`ZIA simulator listening on ${sim.origin}`);
console.log(`  legacy API (JSESSIONID cookie): ${sim.baseUrl}`);
console.log(`  OneAPI (Bearer token):          ${sim.oneApiBaseUrl}`);
console.log(`  registered email domain: example.com; ${sim.state.draft.size} users seeded`);
console.log('Point roster at it with:');
console.log(`  export ZIA_BASE_URL=${sim.baseUrl}`);
for (const name of ['ZIA_USERNAME', 'ZIA_PASSWORD', 'ZIA_API_KEY', 'ZIA_ONEAPI_TOKEN']) {
  const value = generated[name];
  console.log(value === undefined ? `  (${name} taken from your environment)` : `  export ${name}='${value}'`);
}
if (Object.keys(generated).length > 0) console.log('Generated values last only as long as this process; set them yourself to keep them.');

const stop = () => void sim.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
