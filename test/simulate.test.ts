// `roster simulate <vendor>` runs any vendor's simulator on its own, printing its base URL and
// credentials: shown here for the vendors added as modules (Umbrella, RSA ID Plus, ZIA SCIM).
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));

/** Runs `roster simulate <vendor> --port 0 …` until `ready` matches what it printed; answers that. */
async function simulate(vendor: string, args: string[], ready: RegExp, check: (out: string) => Promise<void>): Promise<void> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(UMBRELLA_SIM|RSA_SIM|ZIA_SCIM_SIM|OIDC_SIM)/.test(k)));
  const child = spawn(process.execPath, ['--no-warnings=ExperimentalWarning', cli, 'simulate', vendor, '--port', '0', ...args], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    let out = '';
    child.stdout.setEncoding('utf8');
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: string) => {
        out += chunk;
        if (ready.test(out)) resolve();
      });
      child.once('exit', () => reject(new Error(`exited early: ${out}`)));
    });
    await check(out);
  } finally {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
}

it('roster simulate umbrella: the three APIs\' base URLs and made-up credentials, which work', async () => {
  await simulate('umbrella', ['--users', '3'], /UMBRELLA_SIM_SCIM_TOKEN=\S+\n/, async (out) => {
    const scim = /SCIM:\s+(\S+)/.exec(out)?.[1];
    const token = /UMBRELLA_SIM_SCIM_TOKEN=(\S+)/.exec(out)?.[1];
    assert.ok(scim && token, out);
    assert.match(out, /Management API v1: http:\/\/127\.0\.0\.1:\d+/);
    assert.match(out, /UMBRELLA_SIM_V1_KEY=\S+/);
    assert.match(out, /UMBRELLA_SIM_V2_SECRET=\S+/);
    const res = await fetch(`${scim}/Users?count=1`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(((await res.json()) as { totalResults: number }).totalResults, 3);
  });
});

it('roster simulate rsa: the Base URI and a made-up client secret, which works', async () => {
  await simulate('rsa', ['--users', '4'], /RSA_SIM_CLIENT_SECRET=\S+\n/, async (out) => {
    const base = /Base URI: (\S+)/.exec(out)?.[1];
    const secret = /RSA_SIM_CLIENT_SECRET=(\S+)/.exec(out)?.[1];
    assert.ok(base && secret, out);
    const res = await fetch(`${base}/Users?count=1`, { headers: { authorization: `Bearer ${secret}` } });
    assert.equal(((await res.json()) as { totalResults: number }).totalResults, 4);
  });
});

it('roster simulate zscaler-scim: the base URL and a made-up token, which works', async () => {
  await simulate('zscaler-scim', ['--users', '5'], /Token \(made up[^\n]*\n\s+\S+=\S+\n/, async (out) => {
    const base = /Base URL: (\S+)/.exec(out)?.[1];
    const token = /\n\s+\w+=(\S+)\n/.exec(out)?.[1];
    assert.ok(base && token, out);
    const res = await fetch(`${base}/Users?count=1`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(((await res.json()) as { totalResults: number }).totalResults, 5);
  });
});

it('roster simulate oidc: the issuer, whose discovery document names its endpoints, and a made-up client secret', async () => {
  await simulate('oidc', ['--user', 'ann@acme.example'], /signs in, without a password: ann@acme\.example\n/, async (out) => {
    const issuer = /OIDC provider simulator at (\S+)/.exec(out)?.[1];
    assert.ok(issuer, out);
    assert.match(out, /client secret sim-\S+/);
    const discovery = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as { issuer: string; token_endpoint: string };
    assert.equal(discovery.issuer, issuer);
    assert.equal(discovery.token_endpoint, `${issuer}/token`);
  });
});
