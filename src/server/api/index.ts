// The REST API under /api: every route declared with @hono/zod-openapi, so the zod schemas that
// check input and output are also the OpenAPI 3.1 document served at /api/openapi.json.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { HTTPException } from 'hono/http-exception';
import { verifyAudit } from '../../audit/trail.ts';
import type { Identity } from '../../auth/identity.ts';
import { SESSION_COOKIE } from '../../auth/middleware.ts';
import { log } from '../../log.ts';
import { activeQuarantines } from '../../store/accounts.ts';
import { searchAudit } from '../read/audit.ts';
import { listFindings } from '../read/findings.ts';
import { appHealth } from '../read/health.ts';
import { cachedStateCounts, keepStatistics } from '../read/freshness.ts';
import { matrixPage } from '../read/matrix.ts';
import { operationsView } from '../read/operations.ts';
import { overview } from '../read/overview.ts';
import { personDetail } from '../read/person.ts';
import { listPlanSummaries, planView } from '../read/plans.ts';
import { decidePlan, draftPlan, queuePlan } from '../plan-actions.ts';
import { assignRules, type SurfaceEnv, type SurfaceOptions } from '../surface-options.ts';
import { ApiError, apiErrorResponse, describeIssues, errorSchema, toApiError } from './errors.ts';
import { allow, errorResponses, json } from './route-kit.ts';
import * as s from './schemas.ts';

export function createApi(options: SurfaceOptions): OpenAPIHono<SurfaceEnv> {
  const { db } = options;
  const assign = assignRules(options.apps);
  const api = new OpenAPIHono<SurfaceEnv>({
    defaultHook: (result, c) => {
      if (!result.success) return c.json({ error: { code: 'invalid_request', message: describeIssues(result.error.issues) } }, 400);
      return undefined;
    },
  });
  api.onError((error, c) => {
    const known = toApiError(error);
    if (known) return apiErrorResponse(c, known);
    if (error instanceof HTTPException && error.status < 500) return apiErrorResponse(c, new ApiError(error.status === 401 ? 'unauthenticated' : error.status === 403 ? 'forbidden' : 'invalid_request', error.message || 'bad request'));
    log.error({ err: error.message, path: c.req.path }, 'api request failed');
    return apiErrorResponse(c, new ApiError('internal', 'roster failed to handle the request; nothing was changed'));
  });
  api.use('*', async (c, next) => {
    if (c.req.method === 'GET') await keepStatistics(db);
    await next();
  });
  api.openAPIRegistry.registerComponent('securitySchemes', 'session', { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: 'The session cookie set by signing in at /login (state-changing requests also need the CSRF token).' });
  api.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', description: 'A roster API token: Authorization: Bearer <token>.' });
  const security: Record<string, string[]>[] = [{ session: [] }, { bearer: [] }];
  const who = (identity: Identity | undefined): Identity => {
    if (!identity) throw new ApiError('unauthenticated', 'sign in first');
    return identity;
  };

  api.openapi(
    createRoute({ method: 'get', path: '/overview', tags: ['overview'], summary: 'Counts per app and state, plans, operations, and day-by-day activity', security, middleware: [allow('read')], responses: { 200: json(s.overviewSchema, 'The overview'), ...errorResponses() } }),
    async (c) => c.json(s.overviewSchema.parse(await overview(db, assign)), 200),
  );

  api.openapi(
    createRoute({ method: 'get', path: '/people', tags: ['people'], summary: 'People, searched and filtered, with their problems per app', security, middleware: [allow('read')], request: { query: s.peopleQuery }, responses: { 200: json(s.peoplePageSchema, 'A page of people'), ...errorResponses() } }),
    async (c) => {
      const q = c.req.valid('query');
      const page = await matrixPage(db, assign, { search: q.search, department: q.department, app: q.app, problem: q.problem, limit: q.limit, after: q.cursor, offset: q.offset });
      return c.json(s.peoplePageSchema.parse({ people: page.people.map(({ cells, ...p }) => ({ ...p, problems: cells.filter((cell) => cell.state !== 'linked' && cell.state !== 'none' && cell.state !== 'deactivated') })), nextCursor: page.nextCursor }), 200);
    },
  );

  api.openapi(
    createRoute({ method: 'get', path: '/matrix', tags: ['people'], summary: 'People × apps: a cell per account with its state', security, middleware: [allow('read')], request: { query: s.peopleQuery }, responses: { 200: json(s.matrixSchema, 'A page of the matrix'), ...errorResponses() } }),
    async (c) => {
      const q = c.req.valid('query');
      const page = await matrixPage(db, assign, { search: q.search, department: q.department, app: q.app, problem: q.problem, limit: q.limit, after: q.cursor, offset: q.offset });
      return c.json(s.matrixSchema.parse({ apps: page.apps, rows: page.people, nextCursor: page.nextCursor }), 200);
    },
  );

  api.openapi(
    createRoute({
      method: 'get',
      path: '/people/{id}',
      tags: ['people'],
      summary: 'One person: accounts per app with why they have each, IdP groups, timeline',
      security,
      middleware: [allow('read')],
      request: { params: z.object({ id: z.string().min(1).max(300).openapi({ param: { name: 'id', in: 'path' }, description: 'id or userName' }) }) },
      responses: { 200: json(s.personDetailSchema, 'The person'), ...errorResponses(404) },
    }),
    async (c) => {
      const detail = await personDetail(db, options.apps, assign, c.req.valid('param').id);
      if (!detail) throw new ApiError('not_found', `no person ${c.req.valid('param').id} (by id or userName)`);
      return c.json(s.personDetailSchema.parse(detail), 200);
    },
  );

  api.openapi(
    createRoute({ method: 'get', path: '/findings', tags: ['findings'], summary: 'What is wrong, by app and kind, with the plan change that would fix each', security, middleware: [allow('read')], request: { query: s.findingsQuery }, responses: { 200: json(s.findingsSchema, 'Counts and a page of findings'), ...errorResponses() } }),
    async (c) => {
      const q = c.req.valid('query');
      const [{ counts }, findings] = [await cachedStateCounts(db, assign), await listFindings(db, assign, { app: q.app, kind: q.kind, limit: q.limit, offset: q.offset ?? 0 })];
      return c.json(s.findingsSchema.parse({ counts, findings }), 200);
    },
  );

  api.openapi(
    createRoute({ method: 'get', path: '/apps', tags: ['apps'], summary: 'Each app with its health: syncs, errors, quarantine, rate-budget use', security, middleware: [allow('read')], responses: { 200: json(z.array(s.appHealthSchema), 'Every app'), ...errorResponses() } }),
    async (c) => c.json(z.array(s.appHealthSchema).parse(await appHealth(db, options.apps)), 200),
  );

  api.openapi(
    createRoute({
      method: 'get',
      path: '/apps/{name}',
      tags: ['apps'],
      summary: "One app's health",
      security,
      middleware: [allow('read')],
      request: { params: z.object({ name: z.string().min(1).max(200).openapi({ param: { name: 'name', in: 'path' } }) }) },
      responses: { 200: json(s.appHealthSchema, 'The app'), ...errorResponses(404) },
    }),
    async (c) => {
      const name = c.req.valid('param').name;
      const found = (await appHealth(db, options.apps)).find((a) => a.name === name);
      if (!found) throw new ApiError('not_found', `no app ${name}`);
      return c.json(s.appHealthSchema.parse(found), 200);
    },
  );

  api.openapi(
    createRoute({
      method: 'get',
      path: '/plans',
      tags: ['plans'],
      summary: 'Plans, newest first',
      security,
      middleware: [allow('read')],
      request: { query: z.object({ status: z.enum(['planned', 'applying', 'applied', 'rejected']).optional(), ...s.pagingQuery }) },
      responses: { 200: json(z.object({ plans: z.array(s.planSummarySchema) }), 'A page of plans'), ...errorResponses() },
    }),
    async (c) => {
      const q = c.req.valid('query');
      return c.json({ plans: z.array(s.planSummarySchema).parse(await listPlanSummaries(db, { status: q.status, limit: q.limit, offset: q.offset ?? 0 })) }, 200);
    },
  );

  api.openapi(
    createRoute({ method: 'get', path: '/plans/{id}', tags: ['plans'], summary: 'One plan: each change with its exact HTTP requests, its approval state and its operation', security, middleware: [allow('read')], request: { params: s.planIdParam }, responses: { 200: json(s.planSchema, 'The plan'), ...errorResponses(404, 422) } }),
    async (c) => c.json(s.planSchema.parse(await planView(db, options.apps, c.req.valid('param').id, c.var.identity)), 200),
  );

  api.openapi(
    createRoute({
      method: 'post',
      path: '/plans',
      tags: ['plans'],
      summary: 'Draft and save a plan (for some apps, some people); the same state gives the same plan',
      security,
      middleware: [allow('plan')],
      request: { body: { required: false, content: { 'application/json': { schema: s.draftPlanBody } } } },
      responses: { 201: json(s.planSchema, 'The plan'), ...errorResponses(409, 422) },
    }),
    async (c) => {
      const body = c.req.header('content-type')?.includes('application/json') ? c.req.valid('json') : {};
      const plan = await draftPlan(options, who(c.var.identity), body);
      return c.json(s.planSchema.parse(await planView(db, options.apps, plan.id, c.var.identity)), 201);
    },
  );

  for (const [verb, decision, summary] of [
    ['approve', 'approved', 'Approve a plan or some of its changes (four eyes: not its requester)'],
    ['reject', 'rejected', 'Reject a plan or some of its changes (four eyes: not its requester)'],
  ] as const) {
    api.openapi(
      createRoute({
        method: 'post',
        path: `/plans/{id}/${verb}`,
        tags: ['plans'],
        summary,
        security,
        middleware: [allow('approve')],
        request: { params: s.planIdParam, body: { required: false, content: { 'application/json': { schema: s.decisionBody } } } },
        responses: { 200: json(s.planSchema, 'The plan after the decision'), ...errorResponses(404, 409, 422) },
      }),
      async (c) => {
        const body = c.req.header('content-type')?.includes('application/json') ? c.req.valid('json') : {};
        const plan = await decidePlan(options, who(c.var.identity), c.req.valid('param').id, decision, body);
        return c.json(s.planSchema.parse(await planView(db, options.apps, plan.id, c.var.identity)), 200);
      },
    );
  }

  api.openapi(
    createRoute({
      method: 'post',
      path: '/plans/{id}/apply',
      tags: ['plans'],
      summary: 'Queue what the plan allows (safe and approved changes) for the worker; answers at once',
      security,
      middleware: [allow('apply')],
      request: { params: s.planIdParam },
      responses: { 202: json(s.applyResultSchema, 'Queued'), ...errorResponses(404, 409, 422) },
    }),
    async (c) => c.json(s.applyResultSchema.parse(await queuePlan(options, who(c.var.identity), c.req.valid('param').id)), 202),
  );

  api.openapi(
    createRoute({ method: 'get', path: '/operations', tags: ['operations'], summary: 'Work in flight with progress, failures with reasons, deferred work, quarantined apps', security, middleware: [allow('read')], responses: { 200: json(s.operationsSchema, 'Operations'), ...errorResponses() } }),
    async (c) => {
      const view = await operationsView(db);
      const quarantined = [...(await activeQuarantines(db)).entries()].map(([app, q]) => ({ app, until: q.until.toISOString(), reason: q.reason }));
      return c.json(s.operationsSchema.parse({ ...view, quarantined }), 200);
    },
  );

  api.openapi(
    createRoute({ method: 'get', path: '/audit', tags: ['audit'], summary: 'The audit trail, searched, newest first, paged by id', security, middleware: [allow('read')], request: { query: s.auditQuery }, responses: { 200: json(s.auditPageSchema, 'A page of events'), ...errorResponses() } }),
    async (c) => c.json(s.auditPageSchema.parse(await searchAudit(db, c.req.valid('query'))), 200),
  );

  api.openapi(
    createRoute({ method: 'get', path: '/audit/verify', tags: ['audit'], summary: "Walk the trail's hash chain: the first broken link, if any, and the head hash", security, middleware: [allow('read')], responses: { 200: json(s.verificationSchema, 'The verification'), ...errorResponses() } }),
    async (c) => {
      const result = await verifyAudit(db);
      return c.json(s.verificationSchema.parse({ ok: !result.broken, verified: result.verified, unchained: result.unchained, head: result.head, broken: result.broken ?? null }), 200);
    },
  );

  documentSessionRoutes(api);
  api.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'roster API', version: '1', description: "roster's people, accounts, findings, plans, operations and audit trail. Errors are { error: { code, message } }." },
    servers: [{ url: '/api' }],
    security,
  });
  api.all('/*', (c) => apiErrorResponse(c, new ApiError('not_found', `no API endpoint ${c.req.method} ${c.req.path}; see /api/openapi.json`)));
  return api;
}

/** /api/session is served by the sign-in routes (src/server/auth-routes.ts); documented here with the rest. */
function documentSessionRoutes(api: OpenAPIHono<SurfaceEnv>): void {
  const identity = z.object({ kind: z.enum(['user', 'token', 'agent']), actor: z.string(), role: z.enum(['viewer', 'operator', 'approver', 'admin']) }).openapi('Identity');
  const session = z.object({ identity, csrfToken: z.string().optional().openapi({ description: 'Send as x-csrf-token (or form field _csrf) with every state-changing cookie request.' }) }).openapi('Session');
  const credentials = z.object({ username: z.string(), password: z.string() }).openapi('Credentials');
  const error = (description: string) => ({ description, content: { 'application/json': { schema: errorSchema } } });
  api.openAPIRegistry.registerPath({ method: 'get', path: '/session', tags: ['session'], summary: 'Who is asking, and the CSRF token of a browser session', security: [{ session: [] }, { bearer: [] }], responses: { 200: json(session, 'The identity'), 401: error('Nobody signed in') } });
  api.openAPIRegistry.registerPath({
    method: 'post',
    path: '/session',
    tags: ['session'],
    summary: 'Sign in with a username and password: sets the session cookie and answers the CSRF token',
    security: [],
    request: { body: { required: true, content: { 'application/json': { schema: credentials } } } },
    responses: { 200: json(session.extend({ expiresAt: z.string() }), 'Signed in'), 400: error('Not {username, password}'), 401: error('Wrong username or password'), 403: error('Account disabled, or a cross-site request'), 429: error('Too many attempts: wait (Retry-After)') },
  });
  api.openAPIRegistry.registerPath({ method: 'delete', path: '/session', tags: ['session'], summary: 'Sign out (end this browser session)', security: [{ session: [] }], responses: { 200: json(z.object({ signedOut: z.boolean() }), 'Signed out'), 401: error('No session'), 403: error('Missing or wrong CSRF token') } });
}
