// Benchmark: `roster sync` of one simulated SCIM app.
//   node bench/sync.bench.ts [--users 10000] [--page-size 100] [--db pglite|postgres]
// The simulator runs in a child process so the memory figure is roster's alone. Prints requests
// made beside the minimum (ceil(users / page size)), wall time, and peak memory.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Secret } from '../src/config/secret.ts';
import { bearerAuth } from '../src/connectors/http/auth.ts';
import { ScimConnector } from '../src/connectors/scim/connector.ts';
import { syncApp } from '../src/engine/sync.ts';
import { openPglite } from '../src/store/pglite.ts';
import { migrate } from '../src/store/migrate.ts';
import { openTestDatabase } from '../src/store/testing.ts';

const { values } = parseArgs({ options: { users: { type: 'string', default: '10000' }, 'page-size': { type: 'string', default: '100' }, db: { type: 'string', default: 'pglite' } } });
const users = Number(values.users);
const pageSize = Number(values['page-size']);

const token = randomBytes(24).toString('base64url');
const simulatorMain = fileURLToPath(new URL('../simulators/scim/main.ts', import.meta.url));
const child = spawn(process.execPath, [simulatorMain, '--port', '0', '--users', String(users), '--page-size', String(pageSize)], { env: { ...process.env, SCIM_SIM_TOKEN: token }, stdio: ['ignore', 'pipe', 'inherit'] });
let baseUrl: string | undefined;
for await (const line of createInterface({ input: child.stdout })) {
  const match = /SCIM simulator at (\S+)/.exec(line);
  if (match) {
    baseUrl = match[1];
    break;
  }
}
if (!baseUrl) throw new Error('simulator did not start');

const db = values.db === 'postgres' ? await openTestDatabase('postgres') : await openPglite();
if (values.db !== 'postgres') await migrate(db);

let peakRss = 0;
let peakHeap = 0;
const sample = () => {
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed);
};
const sampler = setInterval(sample, 10);
const baselineRss = process.memoryUsage().rss;

const connector = new ScimConnector({ appName: 'bench', baseUrl, auth: bearerAuth(new Secret(token, 'bench')) });
const started = performance.now();
const result = await syncApp(db, { name: 'bench', type: 'scim', baseUrl }, connector, { actor: 'system' });
const seconds = (performance.now() - started) / 1000;
clearInterval(sampler);
sample();
await connector.close();
await db.close();
child.kill();
await once(child, 'exit');

if (!result.ok) throw new Error(`sync failed: ${result.error}`);
const minimum = Math.ceil(users / pageSize);
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
console.log(`sync ${users.toLocaleString('en-US')} accounts, page size ${pageSize}, ${values.db}`);
console.log(`  list requests   ${result.listRequests} (minimum ceil(${users}/${pageSize}) = ${minimum})${result.listRequests === minimum ? '' : '  <-- MORE THAN THE MINIMUM'}`);
console.log(`  requests in all ${result.requests} (list pages + 1 ServiceProviderConfig)`);
console.log(`  time            ${seconds.toFixed(2)} s (${Math.round(users / seconds).toLocaleString('en-US')} accounts/s)`);
console.log(`  peak memory     rss ${mb(peakRss)} MiB (baseline ${mb(baselineRss)} MiB), heap ${mb(peakHeap)} MiB`);
