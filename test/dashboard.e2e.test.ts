// The dashboard in a real browser (Debian's Chromium, headless) against roster's HTTP app on a real
// port with a worker, on a seeded tenant: sign in, find a person, plan, hold, approve as a second
// person, watch it complete; what a viewer and a requester may not do. Screenshots of the main
// pages go to test/.artifacts/screenshots/.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { PgBoss } from 'pg-boss';
import { createConnector } from '../src/connectors/modules.ts';
import { Executor } from '../src/engine/executor.ts';
import { makePlan } from '../src/engine/planning.ts';
import { startQueue } from '../src/engine/queue.ts';
import { listen, type Listening } from '../src/server/listen.ts';
import { upsertPeople } from '../src/store/people.ts';
import { databaseKinds, openTestDatabase, type DatabaseKind } from '../src/store/testing.ts';
import { createOperators, PASSWORD, seedTenant, serverApp, type Tenant } from './support/surfaces.ts';

const chromiumPath = process.env.ROSTER_CHROMIUM ?? '/usr/bin/chromium';
const screenshots = new URL('./.artifacts/screenshots/', import.meta.url);
// The embedded database, as a first user runs it (the API e2e covers both databases);
// ROSTER_BROWSER_DB=postgres or =all runs the browser on PostgreSQL too.
const wanted = process.env.ROSTER_BROWSER_DB ?? 'pglite';
const kinds: readonly DatabaseKind[] = wanted === 'all' ? databaseKinds : databaseKinds.filter((k) => k === wanted);

for (const kind of kinds) {
  describe(`dashboard in a browser (${kind})`, { skip: existsSync(chromiumPath) ? false : `no Chromium at ${chromiumPath}` }, () => {
    let tenant: Tenant;
    let queue: PgBoss;
    let executor: Executor;
    let working: Promise<void>;
    let stopping = false;
    let server: Listening;
    let browser: Browser;

    const signedIn = async (username: string): Promise<Page> => {
      const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
      const page = await context.newPage();
      await page.goto(`${server.origin}/`);
      assert.match(page.url(), /\/login\?next=/, 'reading needs a sign-in');
      await page.fill('#username', username);
      await page.fill('#password', PASSWORD);
      await Promise.all([page.waitForURL(`${server.origin}/`), page.click('button[type=submit]')]);
      return page;
    };
    const shot = async (page: Page, name: string) => {
      if (kind !== 'pglite') return;
      mkdirSync(screenshots, { recursive: true });
      await page.screenshot({ path: new URL(`${name}.png`, screenshots).pathname, fullPage: true });
    };
    /** A POST the page did not offer, from the signed-in browser (its cookie goes along). */
    const forge = (page: Page, path: string, csrf: 'none' | 'own') =>
      page.evaluate(
        async ({ path, csrf }) => {
          const { document } = globalThis as unknown as { document: { body: { getAttribute(name: string): string | null } } };
          const token = (JSON.parse(document.body.getAttribute('hx-headers') ?? '{}') as Record<string, string>)['x-csrf-token'] ?? '';
          const body = new URLSearchParams(csrf === 'own' ? { _csrf: token } : {});
          const response = await fetch(path, { method: 'POST', body, redirect: 'manual' });
          return { status: response.status, text: await response.text() };
        },
        { path, csrf },
      );

    before(async () => {
      tenant = await seedTenant(await openTestDatabase(kind));
      await createOperators(tenant.db, { olga: 'operator', abe: 'approver', vera: 'viewer', ada: 'admin' });
      queue = await startQueue(tenant.db);
      executor = new Executor({
        db: tenant.db,
        boss: queue,
        actor: 'system:worker',
        appFor: (name) => tenant.apps.find((a) => a.name === name),
        connectorFor: (name) => createConnector(tenant.apps.find((a) => a.name === name) ?? assert.fail(`no app ${name}`)),
      });
      working = executor.runUntil(async () => stopping, 100);
      server = await listen(serverApp(tenant, { queue }), '127.0.0.1', 0);
      browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox'] });
    });
    after(async () => {
      await browser?.close();
      await server?.close();
      stopping = true;
      await working?.catch(() => undefined);
      await executor?.close();
      await queue?.stop({ graceful: true, close: false, timeout: 5000 });
      await tenant?.close();
      await tenant?.db.close();
    });

    it('an operator finds a leaver and plans; a viewer sees no approve button and a forged approval is refused; a second person approves; the work completes live', { timeout: 240_000 }, async () => {
      const olga = await signedIn('olga');
      await shot(olga, 'overview');
      assert.equal(await olga.locator('script:not([src])').count(), 0, 'no inline script');
      const csp = (await olga.request.get(`${server.origin}/`)).headers()['content-security-policy'] ?? '';
      assert.match(csp, /script-src 'self'/);

      await olga.goto(`${server.origin}/matrix`);
      await shot(olga, 'matrix');
      await olga.fill('input[name=search]', tenant.leaver.userName.slice(0, 8).toUpperCase());
      await Promise.all([olga.waitForURL(/search=/), olga.click('form.filters button')]);
      await Promise.all([olga.waitForURL(/\/people\//), olga.click(`a[href="/people/${tenant.leaver.id}"]`)]);
      const scimRow = olga.locator('tr#app-scim');
      assert.match(await scimRow.innerText(), /leaver/);
      assert.match(await scimRow.innerText(), /not assigned: inactive in the IdP/, 'why they should not still have it');
      await shot(olga, 'person');

      await Promise.all([olga.waitForURL(/\/plans\/[0-9a-f]+$/), olga.click('text=Plan the changes for')]);
      const planUrl = olga.url();
      const planPath = new URL(planUrl).pathname;
      assert.equal(await olga.locator('button.approve').count(), 0, 'the requester gets no approve button');
      assert.match(await olga.locator('main').innerText(), /You cannot approve: you requested this plan/);
      assert.match(await olga.locator('tr[id="scim/delete/' + tenant.leaver.id + '"]').innerText(), /DELETE \/Users\/[0-9a-f-]+/, 'the exact request is shown');
      await shot(olga, 'plan-held');

      const vera = await signedIn('vera');
      await vera.goto(planUrl);
      assert.equal(await vera.locator('button.approve').count(), 0, 'a viewer sees no approve button');
      assert.equal(await vera.locator('form[action$="/apply"]').count(), 0, 'nor an apply button');
      const noToken = await forge(vera, `${planPath}/approve`, 'none');
      assert.equal(noToken.status, 403, 'a forged POST without the CSRF token is refused');
      const withToken = await forge(vera, `${planPath}/approve`, 'own');
      assert.equal(withToken.status, 403, 'a viewer cannot approve even with her own token');
      assert.match(withToken.text, /may not approve/);

      const abe = await signedIn('abe');
      await abe.goto(planUrl);
      await Promise.all([abe.waitForURL(/done=approved/), abe.click('button.approve')]);
      assert.match(await abe.locator('.notice-ok').innerText(), /Plan approved/);
      assert.equal(await abe.locator('form[action$="/apply"]').count(), 0, 'an approver cannot apply');
      assert.equal(await abe.locator('button.approve').count(), 0, 'nothing left to approve');

      await olga.goto(planUrl);
      await Promise.all([olga.waitForURL(/done=queued/), olga.click('form[action$="/apply"] button')]);
      // The worker carries the changes out; htmx polls the changes into the open page.
      await olga.waitForFunction(
        () => (globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } }).document.querySelectorAll('#plan-changes .state-done').length === 2,
        undefined,
        { timeout: 120_000, polling: 500 },
      );
      assert.equal(tenant.scim.store.findUserByUserName(tenant.leaver.userName), undefined, 'deleted in the SCIM app');
      await shot(olga, 'plan-done');

      await olga.goto(`${server.origin}/operations`);
      assert.match(await olga.locator('#operations-live').innerText(), /2\/2/);
      await shot(olga, 'operations');
      for (const [path, name] of [['/findings', 'findings'], ['/apps', 'apps'], ['/plans', 'plans']] as const) {
        await olga.goto(`${server.origin}${path}`);
        await shot(olga, name);
      }
      await olga.goto(`${server.origin}/audit`);
      await Promise.all([olga.waitForURL(/\/audit\/verify/), olga.click('text=Verify the chain')]);
      assert.match(await olga.locator('.notice-ok').innerText(), /The chain holds/);
      await shot(olga, 'audit');
    });

    it('whoever requested a plan cannot approve it, under any spelling of their name', { timeout: 120_000 }, async () => {
      const ada = await signedIn('ADA');
      await ada.goto(`${server.origin}/people/${encodeURIComponent(tenant.drifted.id)}`);
      await Promise.all([ada.waitForURL(/\/plans\/[0-9a-f]+$/), ada.click('text=Plan the changes for')]);
      assert.match(await ada.locator('main').innerText(), /requested by\s+operator:ada/);
      assert.equal(await ada.locator('button.approve').count(), 0);

      // A second leaver, planned from the CLI by Ada with her name spelled another way: the delete is held.
      const second = tenant.people[6] ?? assert.fail('no seventh person');
      await upsertPeople(tenant.db, [{ ...second, active: false }], 'test');
      const held = await makePlan(tenant.db, tenant.apps, { actor: ' Operator: ADA\u200b', people: [second.userName] });
      assert.ok(held.changes.some((c) => c.approval.length > 0), 'something waits for approval');
      await ada.goto(`${server.origin}/plans/${held.id}`);
      assert.equal(await ada.locator('button.approve').count(), 0, 'no approve button for a plan requested as " Operator: ADA"');
      assert.match(await ada.locator('main').innerText(), /You cannot approve: you requested this plan/);
      const forged = await forge(ada, `/plans/${held.id}/approve`, 'own');
      assert.equal(forged.status, 403);
      assert.match(forged.text, /four-eyes/);
      await ada.reload();
      assert.match(await ada.locator('main').innerText(), /1 waiting for approval/, 'nothing was recorded');
    });
  });
}
