import { it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

it('runs on its own with the tokens from the environment', async () => {
  const child = spawn(process.execPath, [fileURLToPath(new URL('./main.ts', import.meta.url)), '--port', '0', '--users', '30', '--events', '5'], {
    env: { ...process.env, NETSKOPE_SIM_SCIM_TOKEN: 'scim-env-token', NETSKOPE_SIM_REST_TOKEN: 'rest-env-token' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    let out = '';
    child.stdout.setEncoding('utf8');
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: string) => {
        out += chunk;
        if (/Events:/.test(out)) resolve();
      });
      child.once('exit', () => reject(new Error(`exited early: ${out}`)));
    });
    const origin = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
    assert.ok(origin, out);
    assert.ok(!out.includes('scim-env-token'), 'tokens from the environment are not printed');
    const users = await fetch(`${origin}/api/v2/scim/Users?count=1`, { headers: { 'netskope-api-token': 'scim-env-token' } });
    assert.equal(((await users.json()) as { totalResults: number }).totalResults, 30);
    const byRest = await fetch(`${origin}/api/v2/scim/Users?count=1`, { headers: { 'netskope-api-token': 'rest-env-token' } });
    assert.equal(byRest.status, 200, 'the REST API v2 token serves SCIM too');
    const events = await fetch(`${origin}/api/v2/events/data/audit?limit=10`, { headers: { 'netskope-api-token': 'rest-env-token' } });
    assert.equal(((await events.json()) as { result: unknown[] }).result.length, 5);
  } finally {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
});
