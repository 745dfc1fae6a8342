// The session cookie in a real browser (Debian's Chromium, driven by playwright-core) on
// http://127.0.0.1, which Chromium treats as a secure context, so a Secure cookie works there.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { startOidcSimulator, type RunningOidcSimulator } from '../simulators/oidc/index.ts';
import { createOperator } from '../src/auth/operators.ts';
import { createServerApp } from '../src/server/app.ts';
import { listen, type Listening } from '../src/server/listen.ts';
import type { Database } from '../src/store/database.ts';
import { openTestDatabase } from '../src/store/testing.ts';

const CHROMIUM = '/usr/bin/chromium';
const PASSWORD = 'correct horse battery';

describe('sign-in in Chromium', { skip: existsSync(CHROMIUM) ? false : `no ${CHROMIUM}` }, () => {
  let db: Database;
  let server: Listening;
  let sim: RunningOidcSimulator;
  let browser: Browser;

  before(async () => {
    sim = await startOidcSimulator({ clients: [{ clientId: 'roster', clientSecret: 'browser-test-secret', redirectUris: [] }], users: [{ sub: 'u-dana', email: 'dana@acme.example', email_verified: true }] });
    db = await openTestDatabase('pglite');
    await createOperator(db, { username: 'carol', role: 'operator', password: PASSWORD, createdBy: 'test' });
    await createOperator(db, { username: 'dana', role: 'viewer', email: 'dana@acme.example', createdBy: 'test' });
    server = await listen(createServerApp({ db, auth: { oidc: { issuer: sim.issuer, clientId: 'roster', clientSecret: 'browser-test-secret' } } }), '127.0.0.1', 0);
    sim.settings.clients[0]?.redirectUris.push(`${server.origin}/auth/oidc/callback`);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await sim?.close();
    await db?.close();
  });

  it('signs in through the form; the cookie is Secure, HttpOnly, SameSite=Lax and works on http://127.0.0.1; writes need the CSRF token; sign-out ends it', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.origin}/login?next=/api/session`);
    await page.getByLabel('Username').fill('Carol');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${server.origin}/api/session`, { timeout: 60_000 });
    assert.match((await page.textContent('body')) ?? '', /"actor":"operator:carol"/);

    const [cookie] = (await context.cookies(server.origin)).filter((c) => c.name === 'roster_session');
    assert.ok(cookie, 'the browser kept the session cookie');
    assert.deepEqual({ secure: cookie.secure, httpOnly: cookie.httpOnly, sameSite: cookie.sameSite, path: cookie.path }, { secure: true, httpOnly: true, sameSite: 'Lax', path: '/' });

    const results = await page.evaluate(async () => {
      const session = (await (await fetch('/api/session')).json()) as { csrfToken: string };
      const withoutToken = (await fetch('/api/session', { method: 'DELETE' })).status;
      const visibleToScript = (globalThis as unknown as { document: { cookie: string } }).document.cookie.includes('roster_session');
      const withToken = (await fetch('/api/session', { method: 'DELETE', headers: { 'x-csrf-token': session.csrfToken } })).status;
      const afterwards = (await fetch('/api/session')).status;
      return { withoutToken, visibleToScript, withToken, afterwards };
    });
    assert.deepEqual(results, { withoutToken: 403, visibleToScript: false, withToken: 200, afterwards: 401 });
    await context.close();
  });

  it('signs in with the OIDC provider and lands where it was going', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.origin}/auth/oidc/start?next=/api/session`);
    await page.waitForURL(`${server.origin}/api/session`, { timeout: 60_000 });
    assert.match((await page.textContent('body')) ?? '', /"actor":"operator:dana"/);
    await context.close();
  });
});
