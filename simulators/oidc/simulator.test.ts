import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createPublicKey, randomBytes, verify, type JsonWebKey } from 'node:crypto';
import { startOidcSimulator, type RunningOidcSimulator } from './simulator.ts';

const REDIRECT = 'http://127.0.0.1:1/auth/oidc/callback';
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

describe('OIDC provider simulator', () => {
  let sim: RunningOidcSimulator;
  before(async () => {
    sim = await startOidcSimulator({ clients: [{ clientId: 'roster', clientSecret: 's3cret', redirectUris: [REDIRECT] }], users: [{ sub: 'u1', email: 'ann@acme.example', email_verified: true }] });
  });
  after(() => sim.close());

  const verifier = () => randomBytes(32).toString('base64url');
  const challengeOf = (v: string) => createHash('sha256').update(v).digest('base64url');
  const authorize = async (params: Record<string, string>) => {
    const url = new URL(`${sim.issuer}/authorize`);
    for (const [k, v] of Object.entries({ response_type: 'code', client_id: 'roster', redirect_uri: REDIRECT, scope: 'openid email', state: 'st', nonce: 'n1', ...params })) url.searchParams.set(k, v);
    return fetch(url, { redirect: 'manual' });
  };
  const codeFor = async (v: string) => {
    const response = await authorize({ code_challenge: challengeOf(v), code_challenge_method: 'S256' });
    assert.equal(response.status, 302);
    const back = new URL(response.headers.get('location') ?? '');
    assert.equal(back.searchParams.get('state'), 'st');
    assert.equal(back.searchParams.get('iss'), sim.issuer);
    return back.searchParams.get('code') ?? '';
  };
  const token = (form: Record<string, string>, auth = basic('roster', 's3cret')) =>
    fetch(`${sim.issuer}/token`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'authorization_code', redirect_uri: REDIRECT, ...form }) });

  it('publishes discovery and a JWKS that verifies its RS256 ID tokens, with iss, aud, exp and the nonce', async () => {
    const discovery = (await (await fetch(`${sim.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    assert.equal(discovery.issuer, sim.issuer);
    assert.deepEqual(discovery.code_challenge_methods_supported, ['S256']);
    const v = verifier();
    const answer = (await (await token({ code: await codeFor(v), code_verifier: v })).json()) as { id_token: string; access_token: string };
    const [header = '', body = '', signature = ''] = answer.id_token.split('.');
    const jwks = (await (await fetch(`${sim.issuer}/jwks`)).json()) as { keys: JsonWebKey[] };
    const key = createPublicKey({ key: jwks.keys[0] as JsonWebKey, format: 'jwk' });
    assert.ok(verify('RSA-SHA256', Buffer.from(`${header}.${body}`), key, Buffer.from(signature, 'base64url')));
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as Record<string, unknown>;
    assert.equal(claims.iss, sim.issuer);
    assert.equal(claims.aud, 'roster');
    assert.equal(claims.nonce, 'n1');
    assert.ok(Number(claims.exp) > Date.now() / 1000);
    const info = await fetch(`${sim.issuer}/userinfo`, { headers: { authorization: `Bearer ${answer.access_token}` } });
    assert.deepEqual(await info.json(), { sub: 'u1', email: 'ann@acme.example', email_verified: true });
  });

  it('refuses an unregistered redirect_uri without redirecting, and an authorization request without S256 PKCE', async () => {
    const stray = await authorize({ redirect_uri: 'https://evil.example/cb', code_challenge: challengeOf(verifier()), code_challenge_method: 'S256' });
    assert.equal(stray.status, 400);
    assert.equal(stray.headers.get('location'), null);
    for (const params of [{}, { code_challenge: 'abc', code_challenge_method: 'plain' }] as Record<string, string>[]) {
      const refused = await authorize(params);
      assert.equal(new URL(refused.headers.get('location') ?? '').searchParams.get('error'), 'invalid_request');
    }
  });

  it('refuses a missing or wrong code_verifier, a wrong redirect_uri, a wrong client secret, and a reused code (revoking what it gave)', async () => {
    const v = verifier();
    const code = await codeFor(v);
    const error = async (response: Response) => [response.status, ((await response.json()) as { error: string }).error];
    assert.deepEqual(await error(await token({ code })), [400, 'invalid_grant']);
    assert.deepEqual(await error(await token({ code, code_verifier: verifier() })), [400, 'invalid_grant']);
    assert.deepEqual(await error(await token({ code, code_verifier: v, redirect_uri: 'http://127.0.0.1:1/other' })), [400, 'invalid_grant']);
    assert.deepEqual(await error(await token({ code, code_verifier: v }, basic('roster', 'wrong'))), [401, 'invalid_client']);
    assert.deepEqual(await error(await token({ code, code_verifier: v, client_id: 'roster' }, '')), [401, 'invalid_client']);
    const good = await token({ code, code_verifier: v });
    assert.equal(good.status, 200, 'the failed attempts did not use the code up');
    const { access_token: accessToken } = (await good.json()) as { access_token: string };
    assert.deepEqual(await error(await token({ code, code_verifier: v })), [400, 'invalid_grant']);
    assert.equal((await fetch(`${sim.issuer}/userinfo`, { headers: { authorization: `Bearer ${accessToken}` } })).status, 401, 'a replayed code revokes the tokens it gave');
  });
});
