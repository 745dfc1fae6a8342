import { afterEach, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Secret } from '../../config/secret.ts';
import { ManualClock, type Clock } from '../../core/clock.ts';
import { isRosterError } from '../../errors.ts';
import { HttpClient } from './client.ts';
import { clientCredentialsAuth } from './oauth2.ts';

let close: (() => void) | undefined;
afterEach(() => close?.());

/** A token endpoint and an API on 127.0.0.1: tokens live `lifetime` seconds; the API takes only live ones. */
async function server(lifetime: number, clock: Clock = new ManualClock()) {
  const issued = new Map<string, number>();
  let tokenRequests = 0;
  const http = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      if (req.url === '/auth/v2/token') {
        tokenRequests += 1;
        const [id, secret] = Buffer.from((req.headers.authorization ?? '').replace('Basic ', ''), 'base64').toString().split(':');
        if (id !== 'key-id' || secret !== 'key-secret' || !body.includes('grant_type=client_credentials')) {
          res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'invalid_client' }));
          return;
        }
        const token = `tok-${tokenRequests}`;
        issued.set(token, clock.now() + lifetime * 1000);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token_type: 'bearer', access_token: token, expires_in: lifetime }));
        return;
      }
      const token = (req.headers.authorization ?? '').replace('Bearer ', '');
      const live = (issued.get(token) ?? 0) > clock.now();
      res.writeHead(live ? 200 : 400, { 'content-type': 'application/json' }).end(JSON.stringify(live ? { ok: token } : { error: 'invalid_request' }));
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  close = () => http.close();
  const origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return { origin, tokenRequests: () => tokenRequests };
}

it('fetches one token for many requests and a new one before it expires', async () => {
  const clock = new ManualClock({ auto: false });
  const s = await server(2, clock);
  const auth = clientCredentialsAuth({ appName: 'umbrella', tokenUrl: `${s.origin}/auth/v2/token`, clientId: 'key-id', clientSecret: new Secret('key-secret', 'env:K'), earlyMs: 1000, clock });
  const client = new HttpClient({ appName: 'umbrella', baseUrl: `${s.origin}/admin/v2`, auth });
  try {
    const answers = await Promise.all([1, 2, 3].map(() => client.request({ method: 'GET', path: '/users' })));
    assert.deepEqual(answers.map((a) => a.body), [{ ok: 'tok-1' }, { ok: 'tok-1' }, { ok: 'tok-1' }]);
    assert.equal(s.tokenRequests(), 1, 'one token request for three calls at once');
    await clock.advance(999);
    assert.deepEqual((await client.request({ method: 'GET', path: '/users' })).body, { ok: 'tok-1' }, 'kept while it has more than earlyMs to live');
    await clock.advance(1);
    assert.deepEqual((await client.request({ method: 'GET', path: '/users' })).body, { ok: 'tok-2' }, 'renewed before expiry');
  } finally {
    await client.close();
  }
});

it('says clearly that the credentials were refused, without echoing the secret', async () => {
  const s = await server(60);
  const auth = clientCredentialsAuth({ appName: 'umbrella', tokenUrl: `${s.origin}/auth/v2/token`, clientId: 'key-id', clientSecret: new Secret('wrong-secret-123', 'env:K') });
  const client = new HttpClient({ appName: 'umbrella', baseUrl: `${s.origin}/admin/v2`, auth });
  try {
    await assert.rejects(client.request({ method: 'GET', path: '/users' }), (error: unknown) => {
      assert.ok(isRosterError(error, 'auth_failed'));
      assert.equal(error.message, 'umbrella: the token endpoint answered 401 (invalid_client); check the client id and secret in roster.yaml');
      assert.ok(!error.message.includes('wrong-secret-123'));
      return true;
    });
  } finally {
    await client.close();
  }
});
