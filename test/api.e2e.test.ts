import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createToken, revokeToken } from '../src/auth/tokens.ts';
import { makePlan } from '../src/engine/planning.ts';
import { databaseKinds, openTestDatabase } from '../src/store/testing.ts';
import { createCallers, createOperators, PASSWORD, seedTenant, serverApp, type Callers, type Tenant, type Who } from './support/surfaces.ts';

type Body = Record<string, unknown> & { error?: { code: string; message: string } };

for (const kind of databaseKinds) {
  describe(`REST API on a seeded tenant (${kind})`, () => {
    let tenant: Tenant;
    let app: ReturnType<typeof serverApp>;
    let callers: Callers;
    const call = async (who: Who | undefined, method: string, path: string, body?: unknown, extra: Record<string, string> = {}): Promise<{ status: number; body: Body }> => {
      const headers: Record<string, string> = { ...extra };
      if (who) headers.authorization = `Bearer ${callers[who].token}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const response = await app.request(`http://127.0.0.1${path}`, { method, headers, ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }) });
      const text = await response.text();
      return { status: response.status, body: text ? (JSON.parse(text) as Body) : {} };
    };

    before(async () => {
      tenant = await seedTenant(await openTestDatabase(kind));
      callers = await createCallers(tenant.db);
      await createOperators(tenant.db, { olga: 'operator', abe: 'approver' });
      app = serverApp(tenant);
    });
    after(async () => {
      await tenant.close();
      await tenant.db.close();
    });

    it('answers nobody signed in with 401 on every route, in the API error shape', async () => {
      for (const [method, path] of [['GET', '/api/people'], ['GET', '/api/overview'], ['POST', '/api/plans'], ['GET', '/api/audit/verify'], ['POST', '/api/plans/abcd/approve']] as const) {
        const answer = await call(undefined, method, path);
        assert.equal(answer.status, 401, `${method} ${path}`);
        assert.equal(answer.body.error?.code, 'unauthenticated');
      }
    });

    it('finds people by part of a name or email, filters by department and problem, pages with a cursor', async () => {
      const someone = tenant.people[5];
      assert.ok(someone?.email);
      const byEmail = await call('viewer', 'GET', `/api/people?search=${encodeURIComponent(someone.email.slice(0, 6).toUpperCase())}`);
      assert.equal(byEmail.status, 200);
      assert.ok((byEmail.body.people as { id: string }[]).some((p) => p.id === someone.id));

      const dept = tenant.people[0]?.department ?? '';
      const inDept = (await call('viewer', 'GET', `/api/people?department=${encodeURIComponent(dept)}&limit=500`)).body.people as { department: string }[];
      assert.ok(inDept.length > 0 && inDept.every((p) => p.department === dept));

      const missing = (await call('viewer', 'GET', '/api/people?problem=missing&app=scim&limit=100')).body.people as { id: string; problems: { app: string; state: string }[] }[];
      assert.deepEqual(missing.map((p) => p.id).sort(), tenant.joiners.map((p) => p.id).sort(), 'the joiners have no SCIM account');
      const drift = (await call('viewer', 'GET', '/api/people?problem=drift&app=scim')).body.people as { id: string }[];
      assert.deepEqual(drift.map((p) => p.id), [tenant.drifted.id]);
      const leavers = (await call('viewer', 'GET', '/api/people?problem=leaver')).body.people as { id: string }[];
      assert.deepEqual(leavers.map((p) => p.id), [tenant.leaver.id]);

      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { status: number; body: Body } = await call('viewer', 'GET', `/api/matrix?limit=7${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        assert.equal(page.status, 200);
        const rows = page.body.rows as { id: string; cells: { app: string }[] }[];
        assert.ok(rows.length <= 7);
        assert.ok(rows.every((r) => r.cells.map((c) => c.app).join() === 'netskope,scim'));
        seen.push(...rows.map((r) => r.id));
        cursor = page.body.nextCursor as string | null;
      } while (cursor);
      assert.equal(seen.length, tenant.people.length, 'every person once across pages');
      assert.equal(new Set(seen).size, seen.length);
    });

    it('refuses bad input with 400 naming the problem, and unknown things with 404', async () => {
      const tooMany = await call('viewer', 'GET', '/api/people?limit=100000');
      assert.equal(tooMany.status, 400);
      assert.equal(tooMany.body.error?.code, 'invalid_request');
      assert.match(tooMany.body.error?.message ?? '', /limit/);
      const badProblem = await call('viewer', 'GET', '/api/findings?kind=everything');
      assert.equal(badProblem.status, 400);
      assert.match(badProblem.body.error?.message ?? '', /kind/);
      assert.equal((await call('viewer', 'GET', '/api/people/nobody-at-all')).status, 404);
      assert.equal((await call('viewer', 'GET', '/api/plans/ffffffff')).status, 404);
      assert.equal((await call('viewer', 'GET', '/api/plans/not-hex')).status, 400);
      assert.equal((await call('viewer', 'GET', '/api/nothing-here')).body.error?.code, 'not_found');
      const malformed = await call('operator', 'POST', '/api/plans', '{"apps": [');
      assert.equal(malformed.status, 400);
      const unknownApp = await call('operator', 'POST', '/api/plans', { apps: ['nope'] });
      assert.equal(unknownApp.status, 422);
      assert.match(unknownApp.body.error?.message ?? '', /no app named nope/);
    });

    it('says why a person has each account: link rule, policy rule, and what is planned', async () => {
      const answer = await call('viewer', 'GET', `/api/people/${encodeURIComponent(tenant.leaver.userName)}`);
      assert.equal(answer.status, 200);
      const accounts = answer.body.accounts as { app: string; state: string; link: { rule: string } | null; policy: { assigned: boolean; rule: string } }[];
      const scim = accounts.find((a) => a.app === 'scim');
      assert.equal(scim?.state, 'leaver');
      assert.ok(scim?.link?.rule);
      assert.equal(scim?.policy.assigned, false);
      assert.match(scim?.policy.rule ?? '', /leaver/);
    });

    it('lets each role do exactly what it should with a plan, four eyes included', async () => {
      assert.equal((await call('viewer', 'POST', '/api/plans', { people: [tenant.leaver.userName] })).status, 403, 'a viewer cannot plan');
      assert.equal((await call('approver', 'POST', '/api/plans', { people: [tenant.leaver.userName] })).status, 403, 'an approver cannot plan');
      const drafted = await call('operator', 'POST', '/api/plans', { people: [tenant.leaver.userName] });
      assert.equal(drafted.status, 201);
      const planId = drafted.body.id as string;
      const changes = drafted.body.changes as { app: string; kind: string; decision: string; requests: { method: string; path: string }[] }[];
      assert.deepEqual(changes.map((c) => [c.app, c.kind, c.decision]), [['netskope', 'deactivate', 'ready'], ['scim', 'delete', 'waiting']]);
      assert.ok(changes.every((c) => c.requests.length > 0), 'each change shows its requests');
      assert.equal(changes.find((c) => c.app === 'scim')?.requests[0]?.method, 'DELETE');
      assert.doesNotMatch(JSON.stringify(drafted.body), new RegExp(tenant.scim.settings.token), 'no credential in the answer');
      assert.deepEqual(drafted.body.you, { mayApprove: false, mayApply: true, why: 'you requested this plan: another person must approve it (four eyes)' });
      assert.equal(drafted.body.requestedBy, callers.operator.actor, 'the trail names the token that asked');

      assert.equal((await call('viewer', 'POST', `/api/plans/${planId}/approve`)).status, 403, 'a viewer cannot approve');
      assert.equal((await call('operator', 'POST', `/api/plans/${planId}/approve`)).status, 403, 'an operator cannot approve');
      assert.equal((await call('approver', 'POST', `/api/plans/${planId}/apply`)).status, 403, 'an approver cannot apply');
      assert.equal((await call('agent', 'POST', `/api/plans/${planId}/approve`)).status, 403, 'an agent never approves, whatever its role');

      const own = await makePlan(tenant.db, tenant.apps, { actor: callers.admin.actor, people: [tenant.leaver.userName, tenant.drifted.userName] });
      const selfApproval = await call('admin', 'POST', `/api/plans/${own.id}/approve`);
      assert.equal(selfApproval.status, 403, 'the requester cannot approve their own plan');
      assert.match(selfApproval.body.error?.message ?? '', /four-eyes/);

      const approved = await call('approver', 'POST', `/api/plans/${planId}/approve`, { note: 'leaver confirmed by HR' });
      assert.equal(approved.status, 200);
      assert.deepEqual(approved.body.gate, { ready: 2, waiting: 0, rejected: 0 });
      const again = await call('admin', 'POST', `/api/plans/${planId}/approve`);
      assert.equal(again.status, 409, 'already approved');
      assert.match(again.body.error?.message ?? '', /already approved/);

      const queued = await call('operator', 'POST', `/api/plans/${planId}/apply`);
      assert.equal(queued.status, 202);
      assert.equal(queued.body.queued, 2);
      const ops = await call('viewer', 'GET', '/api/operations');
      const progress = (ops.body.inFlight as { planId: string; total: number }[]).find((p) => p.planId === planId);
      assert.equal(progress?.total, 2);

      const rejectDone = await call('approver', 'POST', `/api/plans/${own.id}/reject`, { note: 'not now' });
      assert.equal(rejectDone.status, 200);
      assert.equal(rejectDone.body.status, 'rejected');
      assert.equal((await call('operator', 'POST', `/api/plans/${own.id}/apply`)).status, 409, 'a rejected plan is not applied');
    });

    it('refuses cookie writes without the session CSRF token, and a revoked token at once', async () => {
      const signIn = await app.request('http://127.0.0.1/api/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'olga', password: PASSWORD }) });
      assert.equal(signIn.status, 200);
      const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      const { csrfToken } = (await signIn.json()) as { csrfToken: string };
      const read = await call(undefined, 'GET', '/api/plans', undefined, { cookie });
      assert.equal(read.status, 200, 'a session reads without a CSRF token');
      const forged = await call(undefined, 'POST', '/api/plans', { people: [tenant.drifted.userName] }, { cookie });
      assert.equal(forged.status, 403);
      assert.equal(forged.body.error?.code, 'csrf_failed');
      const wrong = await call(undefined, 'POST', '/api/plans', { people: [tenant.drifted.userName] }, { cookie, 'x-csrf-token': `${csrfToken}x` });
      assert.equal(wrong.status, 403);
      const crossSite = await call(undefined, 'POST', '/api/plans', { people: [tenant.drifted.userName] }, { cookie, 'x-csrf-token': csrfToken, origin: 'https://evil.example' });
      assert.equal(crossSite.status, 403);
      const planned = await call(undefined, 'POST', '/api/plans', { people: [tenant.drifted.userName] }, { cookie, 'x-csrf-token': csrfToken });
      assert.equal(planned.status, 201);
      assert.equal(planned.body.requestedBy, 'operator:olga');

      const soon = await createToken(tenant.db, { name: 'soon-revoked', kind: 'api', role: 'admin', createdBy: 'operator:setup' });
      const withToken = (method: string, path: string) => app.request(`http://127.0.0.1${path}`, { method, headers: { authorization: `Bearer ${soon.value}` } });
      assert.equal((await withToken('GET', '/api/plans')).status, 200);
      await revokeToken(tenant.db, 'soon-revoked');
      const revoked = await withToken('GET', '/api/plans');
      assert.equal(revoked.status, 401, 'a revoked token is refused at once');
      assert.equal((await withToken('POST', `/api/plans/${String(planned.body.id)}/apply`)).status, 401);
    });

    it('refuses the requester under any spelling of their name, and records the refusal', async () => {
      // The last: the person who owns the approver's token; a token acts for its owner.
      const spellings = ['token: TEST-approver', ' Token:test-approver\u200b', 'TOKEN:Test-Approver\t', 'operator:Owner-Of-Approver'];
      for (const requestedBy of spellings) {
        const plan = await makePlan(tenant.db, tenant.apps, { actor: requestedBy, people: [tenant.drifted.userName, tenant.leaver.userName] });
        const answer = await call('approver', 'POST', `/api/plans/${plan.id}/approve`);
        assert.equal(answer.status, 403, JSON.stringify(requestedBy));
        assert.match(answer.body.error?.message ?? '', /four-eyes/);
        const view = await call('approver', 'GET', `/api/plans/${plan.id}`);
        assert.equal((view.body.you as { mayApprove: boolean }).mayApprove, false);
        assert.equal((view.body.gate as { waiting: number }).waiting, 1, 'still waiting');
        await call('admin', 'POST', `/api/plans/${plan.id}/reject`);
      }
      const refusals = await call('viewer', 'GET', `/api/audit?action=plan.approve_refused&actor=${encodeURIComponent(callers.approver.actor)}`);
      assert.ok((refusals.body.events as unknown[]).length >= spellings.length);
    });

    it('shows findings with the change that would fix them, apps with health, and the trail with its chain verified', async () => {
      const drafted = await call('operator', 'POST', '/api/plans', { apps: ['scim'] });
      assert.equal(drafted.status, 201);
      const findings = await call('viewer', 'GET', '/api/findings?app=scim&kind=missing');
      const list = findings.body.findings as { person: { id: string }; fix: { planId: string; kind: string } | null }[];
      assert.equal(list.length, tenant.joiners.length);
      assert.ok(list.every((f) => f.fix?.kind === 'create'), 'each missing account has its create in the open plan');
      const orphans = (await call('viewer', 'GET', '/api/findings?kind=orphan')).body.findings as { account: { userName: string } }[];
      assert.ok(orphans.some((o) => o.account.userName === 'ghost@example.com'));

      const apps = (await call('viewer', 'GET', '/api/apps')).body as unknown as { name: string; currentSync: { status: string } | null; budget: { rules: unknown[] } }[];
      assert.deepEqual(apps.map((a) => [a.name, a.currentSync?.status]), [['netskope', 'succeeded'], ['scim', 'succeeded']]);
      assert.doesNotMatch(JSON.stringify(apps), /netskope-scim-token/);

      const audit = await call('viewer', 'GET', '/api/audit?action=plan&limit=2');
      assert.equal((audit.body.events as unknown[]).length, 2);
      assert.ok(audit.body.nextBefore);
      const older = await call('viewer', 'GET', `/api/audit?action=plan&limit=2&before=${String(audit.body.nextBefore)}`);
      assert.ok((older.body.events as { id: number }[]).every((e) => e.id < Number(audit.body.nextBefore)));
      const byActor = (await call('viewer', 'GET', `/api/audit?actor=${encodeURIComponent(callers.approver.actor)}`)).body.events as { actor: string }[];
      assert.ok(byActor.length > 0 && byActor.every((e) => e.actor === callers.approver.actor));
      const verify = await call('viewer', 'GET', '/api/audit/verify');
      assert.equal(verify.body.ok, true);
      assert.ok(Number(verify.body.verified) > 0);
    });
  });
}
