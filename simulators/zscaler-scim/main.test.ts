import { it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

it('runs on its own with the token from the environment', async () => {
  const child = spawn(process.execPath, [fileURLToPath(new URL('./main.ts', import.meta.url)), '--port', '0', '--users', '20', '--groups', '2'], {
    env: { ...process.env, ZIA_SCIM_SIM_TOKEN: 'zia-env-token' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    let out = '';
    child.stdout.setEncoding('utf8');
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: string) => {
        out += chunk;
        if (/Token/.test(out)) resolve();
      });
      child.once('exit', () => reject(new Error(`exited early: ${out}`)));
    });
    const base = /Base URL: (\S+)/.exec(out)?.[1];
    assert.ok(base, out);
    assert.ok(!out.includes('zia-env-token'));
    const users = await fetch(`${base}/Users?count=1`, { headers: { authorization: 'Bearer zia-env-token' } });
    assert.equal(((await users.json()) as { totalResults: number }).totalResults, 20);
  } finally {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
});
