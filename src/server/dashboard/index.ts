// The dashboard: server-rendered pages over the same read models and plan actions as the API.
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { html } from 'hono/html';
import { secureHeaders } from 'hono/secure-headers';
import { can, type Permission } from '../../auth/identity.ts';
import { verifyAudit } from '../../audit/trail.ts';
import { activeQuarantines } from '../../store/accounts.ts';
import { toApiError } from '../api/errors.ts';
import { searchAudit, type AuditSearch } from '../read/audit.ts';
import { listFindings } from '../read/findings.ts';
import { keepStatistics } from '../read/freshness.ts';
import { appHealth } from '../read/health.ts';
import { departments, matrixPage as readMatrix, problemStates, type Problem } from '../read/matrix.ts';
import { operationsView } from '../read/operations.ts';
import { overview } from '../read/overview.ts';
import { personDetail } from '../read/person.ts';
import { listPlanSummaries, planView } from '../read/plans.ts';
import { decidePlan, draftPlan, queuePlan } from '../plan-actions.ts';
import { assignRules, type SurfaceEnv, type SurfaceOptions } from '../surface-options.ts';
import { appsPage } from './apps-page.ts';
import { auditPage } from './audit-page.ts';
import { csrfTokenOf } from './csrf.ts';
import { findingsPage } from './findings-page.ts';
import { page, type PageContext } from './layout.ts';
import { matrixPage } from './matrix-page.ts';
import { operationsLive, operationsPage } from './operations-page.ts';
import { overviewPage } from './overview-page.ts';
import { personPage } from './person-page.ts';
import { planPage, plansPage } from './plans-page.ts';
import { staticFile } from './static.ts';

/** Only roster's own scripts and styles: no inline script, no inline style, no framing. */
const securityHeaders = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", 'data:'],
    connectSrc: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
    baseUri: ["'none'"],
    objectSrc: ["'none'"],
  },
  referrerPolicy: 'same-origin',
});

const planStatuses = ['planned', 'applying', 'applied', 'rejected'] as const;
const text = (value: string | undefined, max = 300) => (value === undefined || value === '' ? undefined : value.slice(0, max));
const whole = (value: string | undefined, fallback: number, max: number) => {
  const n = Number(value);
  return Number.isInteger(n) && n >= 0 ? Math.min(n, max) : fallback;
};

export function createDashboard(options: SurfaceOptions): Hono<SurfaceEnv> {
  const { db } = options;
  const assign = assignRules(options.apps);
  const dash = new Hono<SurfaceEnv>();
  const ctxOf = (c: Context<SurfaceEnv>): PageContext => ({ identity: c.var.identity, csrfToken: csrfTokenOf(c), path: c.req.path });

  /** Signed in with the permission; readers who are not signed in are sent to sign in. */
  const need = (permission: Permission): MiddlewareHandler<SurfaceEnv> => async (c, next) => {
    const identity = c.var.identity;
    if (!identity) {
      if (c.req.method === 'GET') return c.redirect(`/login?next=${encodeURIComponent(c.req.path)}`, 303);
      return c.html(page(ctxOf(c), 'Sign in first', html`<p><a href="/login">Sign in</a> to do this.</p>`), 401);
    }
    if (!can(identity, permission)) return c.html(page(ctxOf(c), 'Not allowed', html`<p>${identity.actor} (role ${identity.role}) may not ${permission}.</p>`), 403);
    await next();
  };
  const fresh: MiddlewareHandler<SurfaceEnv> = async (_c, next) => {
    await keepStatistics(db);
    await next();
  };
  const read = [securityHeaders, need('read'), fresh] as const;

  dash.get('/static/:file', (c) => {
    const file = staticFile(c.req.param('file'));
    if (!file) return c.text('not found', 404);
    return c.body(file.body, 200, { 'content-type': file.type, 'cache-control': 'public, max-age=3600', 'x-content-type-options': 'nosniff' });
  });

  dash.get('/', ...read, async (c) => c.html(overviewPage(ctxOf(c), await overview(db, assign), await appHealth(db, options.apps))));

  dash.get('/matrix', ...read, async (c) => {
    const q = c.req.query();
    const problem = problemStates.find((p) => p === q.problem && p !== 'orphan') as Problem | undefined;
    const filter = { search: text(q.search, 200), department: text(q.department), app: text(q.app), problem, cursor: text(q.cursor, 400) };
    const data = await readMatrix(db, assign, { ...filter, after: filter.cursor, limit: 50 });
    const apps = (await db.query<{ name: string }>('select name from apps order by name')).map((r) => r.name);
    return c.html(matrixPage(ctxOf(c), data, filter, { departments: await departments(db), apps }));
  });
  dash.get('/people', ...read, (c) => c.redirect(`/matrix${new URL(c.req.url).search}`, 303));

  dash.get('/people/:id', ...read, async (c) => {
    const detail = await personDetail(db, options.apps, assign, c.req.param('id'));
    if (!detail) return c.html(page(ctxOf(c), 'No such person', html`<p>No person ${c.req.param('id')}. <a href="/matrix">Find someone</a>.</p>`), 404);
    return c.html(personPage(ctxOf(c), detail));
  });

  dash.post('/people/:id/plan', securityHeaders, need('plan'), async (c) => {
    const detail = await personDetail(db, options.apps, assign, c.req.param('id'));
    if (!detail) return c.html(page(ctxOf(c), 'No such person', html`<p>No person ${c.req.param('id')}.</p>`), 404);
    try {
      const plan = await draftPlan(options, c.var.identity!, { people: [detail.person.id] });
      return c.redirect(`/plans/${plan.id}`, 303);
    } catch (error) {
      const known = toApiError(error);
      if (!known) throw error;
      return c.html(page(ctxOf(c), 'Not planned', html`<p>${known.message}</p><p><a href="/people/${encodeURIComponent(detail.person.id)}">Back</a></p>`), 422);
    }
  });

  dash.get('/findings', ...read, async (c) => {
    const q = c.req.query();
    const filter = { app: text(q.app), kind: problemStates.find((k) => k === q.kind), offset: whole(q.offset, 0, 1_000_000), limit: 50 };
    const apps = (await db.query<{ name: string }>('select name from apps order by name')).map((r) => r.name);
    return c.html(findingsPage(ctxOf(c), await listFindings(db, assign, filter), filter, apps));
  });

  dash.get('/plans', ...read, async (c) => {
    const q = c.req.query();
    const filter = { status: planStatuses.find((s) => s === q.status), offset: whole(q.offset, 0, 1_000_000), limit: 50 };
    return c.html(plansPage(ctxOf(c), await listPlanSummaries(db, filter), filter));
  });

  const showPlan = async (c: Context<SurfaceEnv>, message?: { kind: 'ok' | 'error'; text: string }, status: 200 | 400 | 403 | 404 | 409 | 422 = 200) => {
    try {
      return c.html(planPage(ctxOf(c), await planView(db, options.apps, c.req.param('id') ?? '', c.var.identity), message), status);
    } catch (error) {
      const known = toApiError(error);
      if (!known) throw error;
      return c.html(page(ctxOf(c), 'No such plan', html`<p>${known.message}</p><p><a href="/plans">All plans</a></p>`), known.status === 404 ? 404 : 400);
    }
  };
  const doneMessage = (done: string | undefined) => (done && /^(approved|rejected|queued \d+ changes)$/.test(done) ? { kind: 'ok' as const, text: `Plan ${done}.` } : undefined);
  dash.get('/plans/:id', ...read, (c) => showPlan(c, doneMessage(c.req.query('done'))));
  dash.get('/plans/:id/changes', ...read, (c) => showPlan(c));

  /** Runs a plan action from a form: back to the plan with what happened, or the engine's refusal and its status. */
  const act = (permission: Permission, run: (c: Context<SurfaceEnv>) => Promise<string>) => [
    securityHeaders,
    need(permission),
    async (c: Context<SurfaceEnv>) => {
      try {
        const done = await run(c);
        return c.redirect(`/plans/${c.req.param('id')}?done=${encodeURIComponent(done)}`, 303);
      } catch (error) {
        const known = toApiError(error);
        if (!known) throw error;
        const status = known.status === 403 || known.status === 404 || known.status === 409 || known.status === 422 ? known.status : 400;
        return showPlan(c, { kind: 'error', text: known.message }, status);
      }
    },
  ] as const;
  const formNote = async (c: Context<SurfaceEnv>) => {
    const body = await c.req.parseBody();
    return typeof body.note === 'string' && body.note.trim() !== '' ? body.note.slice(0, 2000) : undefined;
  };
  dash.post('/plans/:id/approve', ...act('approve', async (c) => {
    await decidePlan(options, c.var.identity!, c.req.param('id') ?? '', 'approved', { note: await formNote(c) });
    return 'approved';
  }));
  dash.post('/plans/:id/reject', ...act('approve', async (c) => {
    await decidePlan(options, c.var.identity!, c.req.param('id') ?? '', 'rejected', { note: await formNote(c) });
    return 'rejected';
  }));
  dash.post('/plans/:id/apply', ...act('apply', async (c) => {
    const result = await queuePlan(options, c.var.identity!, c.req.param('id') ?? '');
    return `queued ${result.queued} changes`;
  }));
  dash.post('/plans', securityHeaders, need('plan'), async (c) => {
    try {
      const plan = await draftPlan(options, c.var.identity!, {});
      return c.redirect(`/plans/${plan.id}`, 303);
    } catch (error) {
      const known = toApiError(error);
      if (!known) throw error;
      const filter = { offset: 0, limit: 50 };
      return c.html(plansPage(ctxOf(c), await listPlanSummaries(db, filter), filter, { kind: 'error', text: known.message }), 422);
    }
  });

  const liveOperations = async () => operationsLive(await operationsView(db), [...(await activeQuarantines(db)).entries()].map(([app, q]) => ({ app, until: q.until.toISOString(), reason: q.reason })));
  dash.get('/operations', ...read, async (c) => c.html(operationsPage(ctxOf(c), await liveOperations())));
  dash.get('/operations/live', ...read, async (c) => c.html(await liveOperations()));

  dash.get('/apps', ...read, async (c) => c.html(appsPage(ctxOf(c), await appHealth(db, options.apps))));

  const auditFilter = (c: Context<SurfaceEnv>): Omit<AuditSearch, 'limit'> => {
    const q = c.req.query();
    const time = (value: string | undefined) => (value && !Number.isNaN(Date.parse(value)) ? value : undefined);
    const before = whole(q.before, 0, Number.MAX_SAFE_INTEGER);
    return { action: text(q.action, 200), actor: text(q.actor), app: text(q.app), target: text(q.target, 1000), since: time(q.since), until: time(q.until), before: before > 0 ? before : undefined };
  };
  dash.get('/audit', ...read, async (c) => {
    const filter = auditFilter(c);
    const { events, nextBefore } = await searchAudit(db, { ...filter, limit: 100 });
    return c.html(auditPage(ctxOf(c), events, nextBefore, filter));
  });
  dash.get('/audit/verify', ...read, async (c) => {
    const result = await verifyAudit(db);
    const { events, nextBefore } = await searchAudit(db, { limit: 100 });
    return c.html(auditPage(ctxOf(c), events, nextBefore, {}, { ok: !result.broken, verified: result.verified, unchained: result.unchained, head: result.head, broken: result.broken ?? null }));
  });

  return dash;
}
