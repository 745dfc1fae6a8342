import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startZiaSimulator, DEFAULT_CREDENTIALS } from './simulator.ts';
import { ziaClient, ziaLogin } from './testing.ts';
import { obfuscateApiKey } from './obfuscate.ts';

const sim = await startZiaSimulator({ rateLimits: false });
after(() => sim.close());

test('a wrong key, user or password all fail with the same unhelpful 401', async () => {
  const ts = Date.now();
  const attempts = [
    await ziaLogin(sim.baseUrl, { timestamp: ts, apiKey: obfuscateApiKey('zzzzzzzzzzzz', ts) }),
    await ziaLogin(sim.baseUrl, { apiKey: DEFAULT_CREDENTIALS.apiKey }), // the raw key is not accepted
    await ziaLogin(sim.baseUrl, { credentials: { ...DEFAULT_CREDENTIALS, username: 'someone@example.com' } }),
    await ziaLogin(sim.baseUrl, { credentials: { ...DEFAULT_CREDENTIALS, password: 'Wrong-pass1' } }),
  ];
  const bodies = new Set<string>();
  for (const { res, cookie } of attempts) {
    assert.equal(res.status, 401);
    assert.equal(cookie, undefined);
    bodies.add(await res.text());
  }
  assert.equal(bodies.size, 1, 'no hint at which part was wrong');
});

test('the right key works with the timestamp as a number and as a string', async () => {
  const asNumber = await ziaLogin(sim.baseUrl, { timestamp: Date.now() });
  assert.equal(asNumber.res.status, 200);
  const asString = await ziaLogin(sim.baseUrl, { timestamp: String(Date.now()) });
  assert.equal(asString.res.status, 200);
  assert.deepEqual(Object.keys(await asString.res.json()).sort(), [
    'authType',
    'obfuscateApiKey',
    'passwordExpiryDays',
    'passwordExpiryTime',
  ]);
});

test('a timestamp far from now fails even with the matching obfuscation', async () => {
  const { res } = await ziaLogin(sim.baseUrl, { timestamp: Date.now() - 10 * 60_000 });
  assert.equal(res.status, 401);
  const seconds = await ziaLogin(sim.baseUrl, { timestamp: Math.floor(Date.now() / 1000) });
  assert.equal(seconds.res.status, 401, 'epoch seconds instead of milliseconds');
});

test('the session cookie is the first Set-Cookie header, in the exact vendor form', async () => {
  const { res } = await ziaLogin(sim.baseUrl);
  const cookies = res.headers.getSetCookie();
  assert.match(cookies[0] ?? '', /^JSESSIONID=[0-9A-F]{32}; Path=\/; Secure; HttpOnly$/);
  assert.ok(cookies.length >= 1);
});

test('requests without a valid cookie get SESSION_NOT_VALID', async () => {
  for (const headers of [{}, { cookie: 'JSESSIONID=0123456789ABCDEF0123456789ABCDEF' }] as Array<Record<string, string>>) {
    const res = await ziaClient(sim.baseUrl, headers).get('/users');
    assert.equal(res.status, 401);
    assert.deepEqual(await res.json(), { code: 'SESSION_NOT_VALID', message: 'Session is not valid' });
  }
});

test('GET /authenticatedSession checks the session and DELETE logs out with 204', async () => {
  const { cookie } = await ziaLogin(sim.baseUrl);
  assert.ok(cookie);
  const client = ziaClient(sim.baseUrl, { cookie });
  assert.equal((await client.get('/authenticatedSession')).status, 200);
  const out = await client.delete('/authenticatedSession');
  assert.equal(out.status, 204);
  assert.equal(await out.text(), '');
  assert.equal((await client.get('/authenticatedSession')).status, 401);
  assert.equal((await client.get('/users')).status, 401);
});

test('login bodies: malformed JSON is 400 with no code; a non-JSON content type is 415', async () => {
  const bad = await fetch(`${sim.baseUrl}/authenticatedSession`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"apiKey": ',
  });
  assert.equal(bad.status, 400);
  assert.deepEqual(await bad.json(), { message: 'Request body is invalid.' });
  const plain = await fetch(`${sim.baseUrl}/authenticatedSession`, { method: 'POST', body: '{}' });
  assert.equal(plain.status, 415);
});

test('an idle session expires with SESSION_NOT_VALID; activity keeps it alive', async () => {
  const quick = await startZiaSimulator({ rateLimits: false, sessionIdleMs: 150 });
  try {
    const { cookie } = await ziaLogin(quick.baseUrl);
    assert.ok(cookie);
    const client = ziaClient(quick.baseUrl, { cookie });
    for (let i = 0; i < 4; i++) {
      await new Promise((r) => setTimeout(r, 60));
      assert.equal((await client.get('/users')).status, 200, 'used within the idle time');
    }
    await new Promise((r) => setTimeout(r, 250));
    const res = await client.get('/users');
    assert.equal(res.status, 401);
    assert.deepEqual(await res.json(), { code: 'SESSION_NOT_VALID', message: 'Session is not valid' });
    assert.equal((await ziaLogin(quick.baseUrl)).res.status, 200, 'logging in again works');
  } finally {
    await quick.close();
  }
});
