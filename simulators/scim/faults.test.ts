import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RetryAfterForm } from '../shared/faults.ts';
import { SCIM } from './protocol.ts';
import { json, startForTest } from './testing.ts';

const auth = { authorization: 'Bearer test-token' };

/** What a client sees of a 429: the Retry-After header and the JSON body. */
async function refusal(res: Response): Promise<{ retryAfter: string | null; body: Record<string, unknown> }> {
  assert.equal(res.status, 429);
  return { retryAfter: res.headers.get('retry-after'), body: (await res.json()) as Record<string, unknown> };
}

const FORMS: { form: RetryAfterForm; check: (header: string | null, body: Record<string, unknown>) => void }[] = [
  { form: { kind: 'seconds', seconds: 7 }, check: (h) => assert.equal(h, '7') },
  {
    form: { kind: 'http-date', seconds: 60 },
    check: (h) => {
      const at = Date.parse(h ?? '');
      assert.ok(at - Date.now() > 50_000 && at - Date.now() <= 61_000, `HTTP date ${h}`);
    },
  },
  { form: { kind: 'text', seconds: 2 }, check: (h) => assert.equal(h, '2 seconds') },
  {
    form: { kind: 'body', seconds: 3 },
    check: (h, body) => {
      assert.equal(h, null);
      assert.equal(body['Retry-After'], '3 seconds');
    },
  },
  { form: { kind: 'none' }, check: (h, body) => assert.equal(h ?? body['Retry-After'], undefined) },
];

for (const { form, check } of FORMS) {
  test(`injected 429 with Retry-After as ${form.kind} is seen by a plain fetch, then requests pass`, async (t) => {
    const sim = await startForTest(t);
    sim.faults.set({ rateLimit: { count: 1, retryAfter: form } });
    const { retryAfter, body } = await refusal(await fetch(`${sim.baseUrl}/Users`, { headers: auth }));
    check(retryAfter, body);
    assert.deepEqual(body['schemas'], [SCIM.error]);
    assert.equal(body['status'], '429');
    assert.equal((await fetch(`${sim.baseUrl}/Users`, { headers: auth })).status, 200);
    assert.equal(sim.faults.injected.rateLimit, 1);
    assert.deepEqual(sim.requests.entries.map((r) => r.status), [429, 200]);
  });
}

test('injected 5xx answers with a SCIM error body', async (t) => {
  const sim = await startForTest(t);
  sim.faults.set({ serverError: { count: 2, status: 502 } });
  for (let i = 0; i < 2; i++) {
    const res = await fetch(`${sim.baseUrl}/Users`, { headers: auth });
    assert.equal(res.status, 502);
    const body = await json(res);
    assert.deepEqual(body.schemas, [SCIM.error]);
    assert.equal(body.status, '502');
  }
  assert.equal((await fetch(`${sim.baseUrl}/Users`, { headers: auth })).status, 200);
});

test('an injected dropped connection makes fetch fail, and nothing is stored', async (t) => {
  const sim = await startForTest(t);
  sim.faults.set({ drop: { count: 1 }, pathIncludes: '/Users' });
  await assert.rejects(
    fetch(`${sim.baseUrl}/Users`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/scim+json' },
      body: JSON.stringify({ schemas: [SCIM.user], userName: 'lost@example.com' }),
    }),
    TypeError,
  );
  assert.equal(sim.store.userCount, 0);
  assert.equal(sim.requests.last()?.status, 0);
  assert.equal((await fetch(`${sim.baseUrl}/Users`, { headers: auth })).status, 200);
});

test('an injected delay slows answers; pathIncludes and after aim faults', async (t) => {
  const sim = await startForTest(t);
  sim.faults.set({ delayMs: 150 });
  const started = performance.now();
  assert.equal((await fetch(`${sim.baseUrl}/Users`, { headers: auth })).status, 200);
  assert.ok(performance.now() - started >= 140);

  sim.faults.set({ serverError: { count: 1 }, pathIncludes: '/Groups', after: 1 });
  assert.equal((await fetch(`${sim.baseUrl}/Groups`, { headers: auth })).status, 200, 'the first matching request passes');
  assert.equal((await fetch(`${sim.baseUrl}/Users`, { headers: auth })).status, 200, 'other paths are untouched');
  assert.equal((await fetch(`${sim.baseUrl}/Groups`, { headers: auth })).status, 503);
});

const LIMIT_FORMS: { retryAfter: RetryAfterForm['kind']; check: (header: string | null, body: Record<string, unknown>) => void }[] = [
  { retryAfter: 'seconds', check: (h) => assert.ok(Number.isInteger(Number(h)) && Number(h) >= 1 && Number(h) <= 60, `seconds ${h}`) },
  { retryAfter: 'http-date', check: (h) => assert.ok(Date.parse(h ?? '') > Date.now() - 1000, `date ${h}`) },
  { retryAfter: 'text', check: (h) => assert.match(h ?? '', /^\d+ seconds$/) },
  {
    retryAfter: 'body',
    check: (h, body) => {
      assert.equal(h, null);
      assert.match(String(body['Retry-After']), /^\d+ seconds$/);
    },
  },
  { retryAfter: 'none', check: (h, body) => assert.equal(h ?? body['Retry-After'], undefined) },
];

for (const { retryAfter, check } of LIMIT_FORMS) {
  test(`rate limit: past the budget, 429 with Retry-After as ${retryAfter} and a SCIM error body`, async (t) => {
    const sim = await startForTest(t, { rateLimit: { requests: 3, perMs: 60_000, retryAfter } });
    for (let i = 0; i < 3; i++) {
      const ok = await fetch(`${sim.baseUrl}/Users`, { headers: auth });
      assert.equal(ok.status, 200);
      assert.equal(ok.headers.get('ratelimit-remaining'), String(2 - i));
      assert.equal(ok.headers.get('ratelimit-limit'), '3');
    }
    const { retryAfter: header, body } = await refusal(await fetch(`${sim.baseUrl}/Users`, { headers: auth }));
    check(header, body);
    assert.deepEqual(body['schemas'], [SCIM.error]);
    assert.equal(body['status'], '429');
    assert.equal(sim.requests.count({ status: 429 }), 1);
  });
}

test('rate limit: the window resets, and an explicit form fixes the Retry-After value', async (t) => {
  const sim = await startForTest(t, { rateLimit: { requests: 1, perMs: 200, retryAfter: { kind: 'seconds', seconds: 3600 } } });
  assert.equal((await fetch(`${sim.baseUrl}/Users`, { headers: auth })).status, 200);
  const refused = await fetch(`${sim.baseUrl}/Users`, { headers: auth });
  assert.equal(refused.status, 429);
  assert.equal(refused.headers.get('retry-after'), '3600');
  await new Promise((resolve) => setTimeout(resolve, 250));
  assert.equal((await fetch(`${sim.baseUrl}/Users`, { headers: auth })).status, 200);
  sim.settings.rateLimit = undefined;
  for (let i = 0; i < 5; i++) assert.equal((await fetch(`${sim.baseUrl}/Users`, { headers: auth })).status, 200);
});
