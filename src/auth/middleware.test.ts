import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Hono } from 'hono';
import { mountAuth } from '../server/auth-routes.ts';
import type { Database } from '../store/database.ts';
import { databaseKinds, openTestDatabase } from '../store/testing.ts';
import { requirePermission, type AuthEnv } from './middleware.ts';
import { createOperator, setOperatorDisabled, setOperatorRole } from './operators.ts';
import { createToken } from './tokens.ts';

const PASSWORD = 'correct horse battery';
const ORIGIN = 'http://127.0.0.1:8080';

function testApp(db: Database) {
  const app = new Hono<AuthEnv>();
  mountAuth(app, db);
  app.post('/api/plans', requirePermission('plan'), (c) => c.json({ planned: true, by: c.var.identity?.actor }));
  app.post('/api/approve', requirePermission('approve'), (c) => c.json({ approved: true }));
  app.get('/people', requirePermission('read'), (c) => c.html('<p>people</p>'));
  const request = (path: string, init: RequestInit & { cookie?: string } = {}) => {
    const headers = new Headers(init.headers);
    if (init.cookie) headers.set('cookie', init.cookie);
    return app.request(`${ORIGIN}${path}`, { ...init, headers });
  };
  const signIn = async (username: string, password = PASSWORD) => {
    const response = await request('/api/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
    const setCookie = response.headers.get('set-cookie') ?? '';
    const body = (await response.json()) as { csrfToken?: string; error?: { code: string } };
    return { response, setCookie, cookie: setCookie.split(';')[0] ?? '', csrf: body.csrfToken ?? '', body };
  };
  return { request, signIn };
}

const json = (body: unknown, headers: Record<string, string> = {}) => ({ method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

for (const kind of databaseKinds) {
  describe(`auth middleware on ${kind}`, () => {
    it('signs in over JSON with a Secure, HttpOnly, SameSite cookie and answers who is asking', async () => {
      const db = await openTestDatabase(kind);
      try {
        await createOperator(db, { username: 'alice', role: 'operator', password: PASSWORD, createdBy: 'system' });
        const { request, signIn } = testApp(db);
        const anonymous = await request('/api/session');
        assert.equal(anonymous.status, 401);
        assert.equal(((await anonymous.json()) as { error: { code: string } }).error.code, 'unauthenticated');

        const wrong = await signIn('alice', 'not the password');
        assert.equal(wrong.response.status, 401);
        assert.equal(wrong.setCookie, '');

        const ok = await signIn('Alice');
        assert.equal(ok.response.status, 200);
        assert.match(ok.setCookie, /^roster_session=rss_[A-Za-z0-9_-]{43};/);
        for (const attribute of ['HttpOnly', 'Secure', 'SameSite=Lax', 'Path=/']) assert.ok(ok.setCookie.includes(attribute), `${attribute} in ${ok.setCookie}`);
        const whoami = (await (await request('/api/session', { cookie: ok.cookie })).json()) as { identity: { actor: string; role: string }; csrfToken: string };
        assert.deepEqual(whoami.identity, { kind: 'user', actor: 'operator:alice', role: 'operator' });
        assert.equal(whoami.csrfToken, ok.csrf);
      } finally {
        await db.close();
      }
    });

    it('refuses a cookie write without its own session’s CSRF token, or from another origin; a bearer token needs none', async () => {
      const db = await openTestDatabase(kind);
      try {
        await createOperator(db, { username: 'alice', role: 'operator', password: PASSWORD, createdBy: 'system' });
        await createOperator(db, { username: 'bob', role: 'operator', password: PASSWORD, createdBy: 'system' });
        const { request, signIn } = testApp(db);
        const alice = await signIn('alice');
        const bob = await signIn('bob');
        const code = async (response: Response) => [response.status, ((await response.json()) as { error?: { code: string } }).error?.code ?? 'ok'];

        assert.deepEqual(await code(await request('/api/plans', { ...json({}), cookie: alice.cookie })), [403, 'csrf_failed'], 'no token');
        assert.deepEqual(await code(await request('/api/plans', { ...json({}, { 'x-csrf-token': bob.csrf }), cookie: alice.cookie })), [403, 'csrf_failed'], 'another session’s token');
        assert.deepEqual(await code(await request('/api/plans', { ...json({}, { 'x-csrf-token': alice.csrf, origin: 'https://evil.example' }), cookie: alice.cookie })), [403, 'csrf_failed'], 'cross-origin');
        assert.deepEqual(await code(await request('/api/plans', { ...json({}, { 'x-csrf-token': alice.csrf, referer: 'https://evil.example/x' }), cookie: alice.cookie })), [403, 'csrf_failed'], 'cross-origin referer');
        assert.deepEqual(await code(await request('/api/plans', { ...json({}, { 'x-csrf-token': alice.csrf, origin: ORIGIN }), cookie: alice.cookie })), [200, 'ok'], 'same origin with the token');
        const form = await request('/api/plans', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `_csrf=${encodeURIComponent(alice.csrf)}`, cookie: alice.cookie });
        assert.equal(form.status, 200, 'the token as a form field');
        assert.equal((await request('/api/session', { method: 'DELETE', cookie: alice.cookie })).status, 403, 'signing out needs the token too');

        const token = await createToken(db, { name: 'ci', kind: 'api', role: 'operator', createdBy: 'operator:alice' });
        const bearer = await request('/api/plans', { ...json({}, { authorization: `Bearer ${token.value}`, origin: 'https://elsewhere.example' }) });
        assert.deepEqual(await bearer.json(), { planned: true, by: 'token:ci' }, 'bearer requests carry no ambient authority, so no CSRF token');
      } finally {
        await db.close();
      }
    });

    it('answers 401 and 403 in JSON for the API, a sign-in redirect for pages, and scopes tokens by role and kind', async () => {
      const db = await openTestDatabase(kind);
      try {
        const { request } = testApp(db);
        const viewer = await createToken(db, { name: 'reader', kind: 'api', role: 'viewer', createdBy: 'operator:admin' });
        const agent = await createToken(db, { name: 'bot', kind: 'agent', role: 'admin', createdBy: 'operator:admin' });
        const scim = await createToken(db, { name: 'entra', kind: 'scim', createdBy: 'operator:admin' });
        const as = (value: string, path = '/api/plans') => request(path, json({}, { authorization: `Bearer ${value}` }));

        const forbidden = await as(viewer.value);
        assert.equal(forbidden.status, 403);
        assert.equal(((await forbidden.json()) as { error: { code: string } }).error.code, 'forbidden');
        assert.equal((await as(agent.value)).status, 200, 'an agent may plan');
        assert.equal((await as(agent.value, '/api/approve')).status, 403, 'an agent may never approve');
        const wrongKind = await as(scim.value);
        assert.equal(wrongKind.status, 401, 'a SCIM push token is not accepted here');
        assert.equal(wrongKind.headers.get('www-authenticate'), 'Bearer realm="roster"');

        const page = await request('/people?x=1', { headers: { accept: 'text/html' } });
        assert.equal(page.status, 303);
        assert.equal(page.headers.get('location'), '/login?next=%2Fpeople%3Fx%3D1');
      } finally {
        await db.close();
      }
    });

    it('follows a role change and a disabled account on the next request, and signing out ends the session', async () => {
      const db = await openTestDatabase(kind);
      try {
        await createOperator(db, { username: 'carol', role: 'operator', password: PASSWORD, createdBy: 'system' });
        const { request, signIn } = testApp(db);
        const carol = await signIn('carol');
        const plan = () => request('/api/plans', { ...json({}, { 'x-csrf-token': carol.csrf }), cookie: carol.cookie });
        assert.equal((await plan()).status, 200);
        await setOperatorRole(db, 'carol', 'viewer');
        assert.equal((await plan()).status, 403, 'viewer now');
        await setOperatorRole(db, 'carol', 'operator');
        assert.equal((await plan()).status, 200);
        await setOperatorDisabled(db, 'carol', true);
        assert.equal((await plan()).status, 401, 'disabled: no longer signed in');
        await setOperatorDisabled(db, 'carol', false);

        const again = await signIn('carol');
        const out = await request('/api/session', { method: 'DELETE', headers: { 'x-csrf-token': again.csrf }, cookie: again.cookie });
        assert.equal(out.status, 200);
        assert.match(out.headers.get('set-cookie') ?? '', /roster_session=;.*Max-Age=0/);
        assert.equal((await request('/api/session', { cookie: again.cookie })).status, 401, 'the old cookie is dead even if replayed');
      } finally {
        await db.close();
      }
    });

    it('signs in through the HTML form, refuses a cross-site one, and answers a lockout with 429 and Retry-After', async () => {
      const db = await openTestDatabase(kind);
      try {
        await createOperator(db, { username: 'dave', role: 'viewer', password: PASSWORD, createdBy: 'system' });
        const { request } = testApp(db);
        const form = (body: string, headers: Record<string, string> = {}) => request('/login', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });
        const page = await request('/login?next=/people');
        assert.match(await page.text(), /<label for="password">Password<\/label>[\s\S]*name="next" value="\/people"|name="next" value="\/people"[\s\S]*<label for="password">/);

        const ok = await form(`username=dave&password=${encodeURIComponent(PASSWORD)}&next=%2Fpeople`, { origin: ORIGIN });
        assert.equal(ok.status, 303);
        assert.equal(ok.headers.get('location'), '/people');
        const cookie = (ok.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
        assert.equal((await request('/people', { cookie, headers: { accept: 'text/html' } })).status, 200);

        const offsite = await form(`username=dave&password=${encodeURIComponent(PASSWORD)}&next=//evil.example`);
        assert.equal(offsite.headers.get('location'), '/', 'next never leaves the site');
        assert.equal((await form(`username=dave&password=${encodeURIComponent(PASSWORD)}`, { origin: 'https://evil.example' })).status, 403, 'login CSRF refused');

        const wrong = await form('username=dave&password=nope');
        assert.equal(wrong.status, 401);
        assert.match(await wrong.text(), /role="alert"[^>]*>wrong username or password/);
        for (let i = 0; i < 3; i += 1) await form('username=dave&password=nope');
        const locked = await request('/api/session', json({ username: 'dave', password: 'nope' }));
        assert.equal(locked.status, 429);
        assert.equal(locked.headers.get('retry-after'), '900');
        assert.equal(((await locked.json()) as { error: { code: string } }).error.code, 'rate_limited');
      } finally {
        await db.close();
      }
    });
  });
}
