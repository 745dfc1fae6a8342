import { it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { basic } from './testing.ts';

it('runs on its own: three APIs on one port, credentials from the environment not printed', async () => {
  const env = { UMBRELLA_SIM_V1_KEY: 'k1', UMBRELLA_SIM_V1_SECRET: 'v1-env-secret', UMBRELLA_SIM_V2_KEY: 'k2', UMBRELLA_SIM_V2_SECRET: 'v2-env-secret', UMBRELLA_SIM_SCIM_TOKEN: 'scim-env-token' };
  const child = spawn(process.execPath, [fileURLToPath(new URL('./main.ts', import.meta.url)), '--port', '0', '--users', '30', '--orgs', '2'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    let out = '';
    child.stdout.setEncoding('utf8');
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: string) => {
        out += chunk;
        if (/UMBRELLA_SIM_SCIM_TOKEN/.test(out)) resolve();
      });
      child.once('exit', () => reject(new Error(`exited early: ${out}`)));
    });
    const origin = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
    assert.ok(origin, out);
    for (const value of Object.values(env).filter((v) => v.includes('secret') || v.includes('token'))) assert.ok(!out.includes(value), 'not printed');
    const orgs = (await (await fetch(`${origin}/v1/organizations`, { headers: { authorization: basic('k1', 'v1-env-secret') } })).json()) as { organizationId: number }[];
    assert.equal(orgs.length, 2);
    const users = (await (await fetch(`${origin}/v1/organizations/${orgs[1]?.organizationId}/users?limit=200`, { headers: { authorization: basic('k1', 'v1-env-secret') } })).json()) as unknown[];
    assert.equal(users.length, 31);
    const token = await fetch(`${origin}/auth/v2/token`, { method: 'POST', headers: { authorization: basic('k2', 'v2-env-secret'), 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' });
    assert.equal(token.status, 200);
    const scim = await fetch(`${origin}/identity/v2/scim/Users?count=1`, { headers: { authorization: 'Bearer scim-env-token' } });
    assert.equal(((await scim.json()) as { totalResults: number }).totalResults, 30);
  } finally {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
});
