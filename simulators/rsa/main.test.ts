import { it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

it('runs on its own with the client secret from the environment', async () => {
  const child = spawn(process.execPath, [fileURLToPath(new URL('./main.ts', import.meta.url)), '--port', '0', '--users', '12', '--local', '3'], {
    env: { ...process.env, RSA_SIM_CLIENT_SECRET: 'rsa-env-secret' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    let out = '';
    child.stdout.setEncoding('utf8');
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: string) => {
        out += chunk;
        if (/Client secret/.test(out)) resolve();
      });
      child.once('exit', () => reject(new Error(`exited early: ${out}`)));
    });
    const base = /Base URI: (\S+)/.exec(out)?.[1];
    assert.ok(base, out);
    assert.ok(!out.includes('rsa-env-secret'), 'a secret from the environment is not printed');
    const users = await fetch(`${base}/Users?count=1`, { headers: { authorization: 'Bearer rsa-env-secret' } });
    assert.equal(((await users.json()) as { totalResults: number }).totalResults, 15);
  } finally {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
});
