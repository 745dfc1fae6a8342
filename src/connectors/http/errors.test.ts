import { after, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Secret } from '../../config/secret.ts';
import { bearerAuth } from './auth.ts';
import { HttpClient } from './client.ts';
import { httpError } from './errors.ts';

const leaked = ['Hunter2-pw', 'sk_live_0123456789', 'eyJhbGciOiJIUzI1NiJ9', 'sess-4242-cookie', 'Zm9vYmFyYmF6cXV4MTIz'];

const server = createServer((req, res) => {
  if (req.url?.endsWith('/json')) {
    res.writeHead(400, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ detail: `bad request: {"userName":"jane","password":"Hunter2-pw"} with api_key=sk_live_0123456789 and Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln` }));
    return;
  }
  res.writeHead(403, { 'content-type': 'text/html' });
  res.end(`<html><body><h1>Forbidden</h1><pre>Cookie: session=sess-4242-cookie\nkey Zm9vYmFyYmF6cXV4MTIzZm9vYmFyYmF6cXV4MTIz rejected ${'padding '.repeat(200)}</pre></body></html>`);
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
after(() => server.close());
const client = new HttpClient({ appName: 'hr', baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`, auth: bearerAuth(new Secret('t0ken', 'env:T')), maxAttempts: 1 });
after(() => client.close());

async function failure(path: string): Promise<string> {
  const error = await client.request({ method: 'GET', path }).then(
    () => assert.fail('the request should fail'),
    (e: Error) => e,
  );
  for (const secret of leaked) assert.ok(!error.message.includes(secret), `${secret} in: ${error.message}`);
  assert.ok(!error.message.includes('\n'), 'one line');
  return error.message;
}

it('an app error carries its words with any credential in them redacted', async () => {
  assert.equal(
    await failure('/json'),
    'hr: GET /api/json answered 400 (bad request: {"userName":"jane","password":"[redacted]"} with api_key=[redacted] and Authorization: [redacted] [redacted])',
  );
});

it('an HTML error page becomes a short excerpt without markup, cookies or keys', async () => {
  const message = await failure('/html');
  assert.match(message, /^hr: GET \/api\/html answered 403 \(Forbidden Cookie: \[redacted\] key \[redacted\] rejected padding padding .*…\); the credentials lack permission/);
  assert.ok(message.length < 400, `short: ${message.length} characters`);
});

it('a body that is nothing but a long secret is not copied at all', () => {
  const error = httpError('hr', 'POST', '/Users', 500, 'QWxhZGRpbjpPcGVuU2VzYW1lMTIzNDU2Nzg5MDEyMzQ1Njc4');
  assert.equal(error.message, 'hr: POST /Users answered 500 ([redacted])');
});
