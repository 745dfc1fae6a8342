import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { json } from './testing.ts';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

/** Starts main.ts and resolves with everything it printed once it says where it listens. */
async function run(args: string[], env: Record<string, string>): Promise<{ output: string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [MAIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (/SCIM simulator at[\s\S]*SCIM_SIM_TOKEN\S*\n$/.test(output)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`main.ts exited with ${code}: ${output}`)));
  });
  return {
    output,
    stop: async () => {
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

test('main.ts serves seeded users and prints the base URL and a made-up token', async (t) => {
  const { output, stop } = await run(['--port', '0', '--users', '25', '--groups', '2'], { SCIM_SIM_TOKEN: '' });
  t.after(stop);
  const baseUrl = /SCIM simulator at (\S+)/.exec(output)?.[1] ?? '';
  const token = /SCIM_SIM_TOKEN=(\S+)/.exec(output)?.[1] ?? '';
  assert.match(baseUrl, /^http:\/\/127\.0\.0\.1:\d+\/scim\/v2$/);
  assert.ok(token.length >= 20);
  const users = await json(await fetch(`${baseUrl}/Users?count=0`, { headers: { authorization: `Bearer ${token}` } }));
  assert.equal(users.totalResults, 25);
  const groups = await json(await fetch(`${baseUrl}/Groups`, { headers: { authorization: `Bearer ${token}` } }));
  assert.equal(groups.totalResults, 2);
});

test('main.ts uses the token from SCIM_SIM_TOKEN and does not print it', async (t) => {
  const { output, stop } = await run(['--port', '0'], { SCIM_SIM_TOKEN: 'from-the-environment' });
  t.after(stop);
  assert.ok(!output.includes('from-the-environment'));
  assert.match(output, /SCIM_SIM_TOKEN/);
  const baseUrl = /SCIM simulator at (\S+)/.exec(output)?.[1] ?? '';
  assert.equal((await fetch(`${baseUrl}/Users`, { headers: { authorization: 'Bearer from-the-environment' } })).status, 200);
});
