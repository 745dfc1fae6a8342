import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Secret } from '../../config/secret.ts';
import { ManualClock } from '../../core/clock.ts';
import { isRosterError } from '../../errors.ts';
import { bearerAuth, type AuthStrategy } from './auth.ts';
import { HttpClient, type HttpExchange } from './client.ts';
import { priorities, RateBudget } from './rate-budget.ts';
import { withRequestPriority } from './request-priority.ts';

type Handler = (req: IncomingMessage, res: ServerResponse, hit: number) => void;

let closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.map((c) => c()));
  closers = [];
});

/** A scripted server on 127.0.0.1: the nth request gets the nth handler (the last one repeats). */
async function scripted(...handlers: Handler[]): Promise<{ url: string; hits: () => number; seen: IncomingMessage[] }> {
  let hits = 0;
  const seen: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    seen.push(req);
    const handler = handlers[Math.min(hits, handlers.length - 1)];
    hits += 1;
    handler?.(req, res, hits);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/scim/v2`, hits: () => hits, seen };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Handler => (_req, res) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};
const drop: Handler = (req) => req.socket.destroy();

/** A client on a manual clock: its waits take no wall time, and the clock says how long they were. */
function client(url: string, extra: Partial<ConstructorParameters<typeof HttpClient>[0]> = {}) {
  const exchanges: HttpExchange[] = [];
  const clock = extra.clock instanceof ManualClock ? extra.clock : new ManualClock();
  const c = new HttpClient({ appName: 'hr', baseUrl: url, auth: bearerAuth(new Secret('t0ken', 'env:T')), backoffBaseMs: 5, backoffCapMs: 20, onExchange: (e) => exchanges.push(e), clock, ...extra });
  closers.push(() => c.close());
  return { c, exchanges, clock };
}

/** Lets the event loop run (sockets, timers of the server) until the condition holds. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

describe('HttpClient', () => {
  it('sends the credentials and parses JSON', async () => {
    const server = await scripted(json(200, { ok: 1 }));
    const { c } = client(server.url);
    const res = await c.request({ method: 'GET', path: '/Users', query: { startIndex: 1, count: 10 } });
    assert.deepEqual(res.body, { ok: 1 });
    assert.equal(server.seen[0]?.headers.authorization, 'Bearer t0ken');
    assert.equal(server.seen[0]?.url, '/scim/v2/Users?startIndex=1&count=10');
  });

  for (const [form, headers, body] of [
    ['integer header', { 'retry-after': '1' }, {}],
    ['HTTP date header', { 'retry-after': 'date' }, {}],
    ['"N seconds" header', { 'retry-after': '1 seconds' }, {}],
    ['JSON body field', {}, { message: 'Rate Limit (1/SECOND) exceeded', 'Retry-After': '1 seconds' }],
    ['nothing at all', {}, {}],
  ] as const) {
    it(`waits out a 429 that says when to come back by ${form}`, async () => {
      // An HTTP date has whole seconds, so ask for two to be sure of waiting at least one.
      const clock = new ManualClock({ start: Date.UTC(2026, 0, 1, 9, 0, 0, 400) });
      const dated = (): Record<string, string> => (headers['retry-after'] === 'date' ? { 'retry-after': new Date(clock.now() + 2000).toUTCString() } : headers);
      const server = await scripted((req, res, hit) => json(429, body, dated())(req, res, hit), json(200, { done: true }));
      const { c, exchanges } = client(server.url, { clock });
      const started = clock.now();
      const res = await c.request({ method: 'GET', path: '/Users' });
      assert.deepEqual(res.body, { done: true });
      assert.equal(server.hits(), 2);
      assert.equal(exchanges[0]?.status, 429);
      assert.equal(clock.now() - started, exchanges[0]?.waitMs, 'waited exactly what it said it would, on the clock');
      if (form !== 'nothing at all') assert.ok(clock.now() - started >= 1000 && clock.now() - started <= 2000, `waited the second it was told (${clock.now() - started} ms)`);
    });
  }

  it('gives up with rate_limited when told to wait longer than it waits in place', async () => {
    const server = await scripted(json(429, {}, { 'retry-after': '3600' }));
    const { c } = client(server.url, { maxWaitMs: 5000 });
    await assert.rejects(c.request({ method: 'GET', path: '/Users' }), (error: unknown) => {
      assert.ok(isRosterError(error, 'rate_limited'));
      assert.equal(error.facts.retryAfterMs, 3_600_000);
      return true;
    });
  });

  it('retries 5xx and dropped connections on reads, then reports the failure', async () => {
    const flaky = await scripted(json(503, { detail: 'busy' }), drop, json(200, []));
    assert.deepEqual((await client(flaky.url).c.request({ method: 'GET', path: '/Users' })).body, []);
    assert.equal(flaky.hits(), 3);

    const down = await scripted(json(500, { detail: 'kaput' }));
    await assert.rejects(client(down.url).c.request({ method: 'GET', path: '/Users' }), (error: unknown) => {
      assert.ok(isRosterError(error, 'app_error'));
      assert.match(error.message, /^hr: GET \/scim\/v2\/Users answered 500 \(kaput\)$/);
      return true;
    });
    assert.equal(down.hits(), 4);
  });

  it('never re-sends a POST the app may have acted on', async () => {
    const server = await scripted(json(503, {}), json(201, { id: '1' }));
    await assert.rejects(client(server.url).c.request({ method: 'POST', path: '/Users', body: { userName: 'x' } }), /answered 503/);
    const dropped = await scripted(drop, json(201, { id: '1' }));
    await assert.rejects(client(dropped.url).c.request({ method: 'POST', path: '/Users', body: {} }), /connection dropped/);
    assert.equal(server.hits() + dropped.hits(), 2);
  });

  it('says plainly when the app is unreachable or refuses the token, without echoing the token', async () => {
    const { c } = client('http://127.0.0.1:1/scim/v2', { maxAttempts: 2 });
    await assert.rejects(c.request({ method: 'GET', path: '/Users' }), /^Error: hr: cannot reach http:\/\/127\.0\.0\.1:1 \(connection refused\)|hr: cannot reach http:\/\/127.0.0.1:1 \(connection refused\)/);
    const server = await scripted(json(401, { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '401', detail: 'Invalid token' }));
    await assert.rejects(client(server.url).c.request({ method: 'GET', path: '/Users' }), (error: unknown) => {
      assert.ok(isRosterError(error, 'auth_failed'));
      assert.equal(error.message, 'hr: GET /scim/v2/Users answered 401 (Invalid token); check the credentials in roster.yaml');
      assert.ok(!JSON.stringify(error.facts).includes('t0ken'));
      return true;
    });
  });

  it('renews credentials once on a 401 when the strategy can', async () => {
    let session = 'old';
    const auth: AuthStrategy = { kind: 'session', headers: () => ({ cookie: `JSESSIONID=${session}` }), renew: async () => { session = 'new'; return true; } };
    const server = await scripted((req, res) => (req.headers.cookie === 'JSESSIONID=new' ? json(200, { ok: true }) : json(401, { code: 'SESSION_NOT_VALID' }))(req, res, 0));
    const res = await client(server.url, { auth }).c.request({ method: 'GET', path: '/users' });
    assert.deepEqual(res.body, { ok: true });
    assert.equal(server.hits(), 2);
  });
});

describe('HttpClient with a rate budget', () => {
  it('paces requests to the budget and fails fast, to be rescheduled, when the wait is too long', async () => {
    const server = await scripted(json(200, {}));
    const clock = new ManualClock();
    const budget = new RateBudget({ rules: [{ methods: ['GET'], limit: 2, windowMs: 400 }, { methods: ['DELETE'], limit: 1, windowMs: 3_600_000 }], clock });
    const { c } = client(server.url, { budget, maxWaitMs: 1000, clock });
    const started = clock.now();
    for (let i = 0; i < 4; i += 1) await c.request({ method: 'GET', path: '/Users' });
    assert.equal(clock.now() - started, 400, 'the 3rd and 4th waited for the window, 200 ms each');
    await c.request({ method: 'DELETE', path: '/Users/1' });
    await assert.rejects(c.request({ method: 'DELETE', path: '/Users/2' }), (error: unknown) => {
      assert.ok(isRosterError(error, 'rate_limited'));
      assert.ok(Number(error.facts.retryAfterMs) > 3_000_000);
      return true;
    });
    assert.equal(server.hits(), 5, 'the refused request never went out');
  });

  it('holds every request on the credential after a 429, not just the one that got it', async () => {
    const server = await scripted(json(429, {}, { 'retry-after': '1' }), json(200, {}));
    const clock = new ManualClock({ auto: false });
    const budget = new RateBudget({ rules: [], clock });
    const first = client(server.url, { budget, clock }).c;
    const second = client(server.url, { budget, clock }).c;
    const a = first.request({ method: 'GET', path: '/a' });
    await until(() => clock.pending === 1); // the first got its 429 and waits its second
    await clock.advance(100);
    let done = false;
    const b = second.request({ method: 'GET', path: '/b' }).then(() => (done = true));
    await until(() => clock.pending === 2); // the second waits in the budget too
    await clock.advance(899);
    assert.equal(done, false, 'the second client still waits out the first one’s 429');
    assert.equal(server.hits(), 1);
    await clock.advance(1);
    await Promise.all([a, b]);
    assert.equal(server.hits(), 3);
  });

  it('a request made inside a leaver’s work waits in the budget as a leaver’s, ahead of reads, though the connector names no priority', async () => {
    const server = await scripted(json(200, {}));
    const clock = new ManualClock();
    const budget = new RateBudget({ rules: [{ limit: 1, windowMs: 100 }], clock });
    const { c } = client(server.url, { budget, clock });
    await c.request({ method: 'GET', path: '/warm' });
    const order: string[] = [];
    const reads = [1, 2].map((n) => c.request({ method: 'GET', path: `/Users?page=${n}` }).then(() => order.push(`read ${n}`)));
    const leaver = withRequestPriority(priorities.leaver, () => c.request({ method: 'PATCH', path: '/Users/7', body: {} })).then(() => order.push('leaver'));
    await Promise.all([...reads, leaver]);
    assert.deepEqual(order, ['leaver', 'read 1', 'read 2']);
  });
});
