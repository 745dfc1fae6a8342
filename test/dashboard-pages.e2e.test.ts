// The dashboard's pages as HTML (no browser): everything escaped, strict security headers, each
// role shown only what it may do, and forms refused without their CSRF token.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { makePlan } from '../src/engine/planning.ts';
import { planOperations } from '../src/store/operations.ts';
import { upsertPeople } from '../src/store/people.ts';
import { openTestDatabase } from '../src/store/testing.ts';
import { createCallers, createOperators, PASSWORD, seedTenant, serverApp, type Callers, type Tenant, type Who } from './support/surfaces.ts';

describe('dashboard pages (pglite)', () => {
  let tenant: Tenant;
  let callers: Callers;
  let app: ReturnType<typeof serverApp>;
  const get = async (who: Who | undefined, path: string) => {
    const response = await app.request(`http://127.0.0.1${path}`, { headers: who ? { authorization: `Bearer ${callers[who].token}` } : {} });
    return { status: response.status, headers: response.headers, html: await response.text() };
  };

  before(async () => {
    tenant = await seedTenant(await openTestDatabase('pglite'));
    callers = await createCallers(tenant.db);
    await createOperators(tenant.db, { olga: 'operator' });
    const someone = tenant.people[4] ?? assert.fail('no fifth person');
    await upsertPeople(tenant.db, [{ ...someone, displayName: '<script>alert(1)</script>', department: '"><img src=x onerror=alert(1)>' }], 'test');
    app = serverApp(tenant);
  });
  after(async () => {
    await tenant.close();
    await tenant.db.close();
  });

  it('escapes what people and apps wrote, on every page that shows it', async () => {
    const someone = tenant.people[4] ?? assert.fail('no fifth person');
    for (const path of ['/matrix', `/people/${someone.id}`, `/matrix?search=${encodeURIComponent('<script>')}`]) {
      const page = await get('viewer', path);
      assert.equal(page.status, 200, path);
      assert.doesNotMatch(page.html, /<script>alert|<img src=x/, path);
      assert.match(page.html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/, path);
    }
  });

  it('sends a CSP with only its own scripts, and no-framing headers; sends readers who are not signed in to sign in', async () => {
    const page = await get('viewer', '/');
    assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'self'; script-src 'self'; style-src 'self'/);
    assert.match(page.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
    assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
    assert.doesNotMatch(page.html, /<script>(?!<\/script>)|<style>|style="/, 'no inline script or style');
    const anonymous = await app.request('http://127.0.0.1/plans', { headers: { accept: 'text/html' } });
    assert.equal(anonymous.status, 303);
    assert.equal(anonymous.headers.get('location'), '/login?next=%2Fplans');
  });

  it('shows Approve only to who may approve (not the requester), Apply only to who may apply', async () => {
    const plan = await makePlan(tenant.db, tenant.apps, { actor: callers.operator.actor, people: [tenant.leaver.userName] });
    const asRequester = await get('operator', `/plans/${plan.id}`);
    assert.doesNotMatch(asRequester.html, /class="approve"/);
    assert.match(asRequester.html, /you requested this plan/);
    assert.match(asRequester.html, /action="\/plans\/[0-9a-f]+\/apply"/);
    const asViewer = await get('viewer', `/plans/${plan.id}`);
    assert.doesNotMatch(asViewer.html, /class="approve"|\/apply"/);
    const asApprover = await get('approver', `/plans/${plan.id}`);
    assert.match(asApprover.html, /class="approve"/);
    assert.doesNotMatch(asApprover.html, /\/apply"/);
  });

  it('refuses a form posted with the session cookie but without its CSRF token, and records nothing', async () => {
    const plan = await makePlan(tenant.db, tenant.apps, { actor: 'operator:someone-else', people: [tenant.leaver.userName, tenant.drifted.userName] });
    const signIn = await app.request('http://127.0.0.1/login', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ username: 'olga', password: PASSWORD, next: '/' }) });
    assert.equal(signIn.status, 303);
    const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const form = (fields: Record<string, string>) => ({ method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields) });
    const forged = await app.request(`http://127.0.0.1/plans/${plan.id}/apply`, form({}));
    assert.equal(forged.status, 403);
    assert.deepEqual(await planOperations(tenant.db, plan.id), [], 'nothing queued');
    const page = await app.request(`http://127.0.0.1/plans/${plan.id}`, { headers: { cookie } });
    const html = await page.text();
    const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? assert.fail('no CSRF field on the page');
    assert.match(html, /hx-headers="\{&quot;x-csrf-token&quot;:&quot;[^&]+&quot;\}"/, 'htmx requests carry it too');
    const apply = await app.request(`http://127.0.0.1/plans/${plan.id}/apply`, form({ _csrf: token }));
    assert.equal(apply.status, 303);
    assert.match(apply.headers.get('location') ?? '', /done=queued/);
    assert.ok((await planOperations(tenant.db, plan.id)).length > 0);
  });
});
