// The API's shapes: each validates what comes in or goes out and is what /api/openapi.json documents.
import { z } from '@hono/zod-openapi';
import { cellStates, problemStates } from '../read/matrix.ts';

const maxLimit = 500;

export const pagingQuery = {
  limit: z.coerce.number().int().min(1).max(maxLimit).default(50).openapi({ description: `Rows per page (1-${maxLimit}).` }),
  offset: z.coerce.number().int().min(0).max(1_000_000).optional().openapi({ description: 'Rows to skip (use cursor on large tables).' }),
};

export const peopleQuery = z.object({
  search: z.string().max(200).optional().openapi({ description: 'Part of a name, userName or email.' }),
  department: z.string().max(200).optional(),
  app: z.string().max(200).optional().openapi({ description: 'Only this app (cells and problem).' }),
  problem: z.enum(problemStates).optional().openapi({ description: 'Only people with this problem in some app (or in `app`).' }),
  cursor: z.string().max(400).optional().openapi({ description: 'nextCursor of the previous page.' }),
  ...pagingQuery,
});

export const cellSchema = z.object({ app: z.string(), state: z.enum(cellStates), remoteId: z.string().nullable() }).openapi('Cell');

export const personRowSchema = z
  .object({
    id: z.string(),
    userName: z.string(),
    displayName: z.string().nullable(),
    email: z.string().nullable(),
    department: z.string().nullable(),
    title: z.string().nullable(),
    active: z.boolean(),
  })
  .openapi('PersonSummary');

export const peoplePageSchema = z
  .object({ people: z.array(personRowSchema.extend({ problems: z.array(cellSchema) })), nextCursor: z.string().nullable() })
  .openapi('PeoplePage');

export const matrixSchema = z
  .object({ apps: z.array(z.string()), rows: z.array(personRowSchema.extend({ cells: z.array(cellSchema) })), nextCursor: z.string().nullable() })
  .openapi('Matrix');

const timelineEventSchema = z
  .object({ id: z.number().int(), at: z.string(), actor: z.string(), action: z.string(), app: z.string().nullable(), target: z.string().nullable(), outcome: z.string(), summary: z.string() })
  .openapi('TimelineEvent');

export const personDetailSchema = z
  .object({
    person: z.object({
      id: z.string(),
      userName: z.string(),
      displayName: z.string().nullable(),
      email: z.string().nullable(),
      emails: z.array(z.string()),
      active: z.boolean(),
      department: z.string().nullable(),
      title: z.string().nullable(),
      managerId: z.string().nullable(),
      source: z.string(),
      sourceStatus: z.string().nullable(),
      sourceReason: z.string().nullable(),
      groups: z.array(z.string()),
      updatedAt: z.string(),
    }),
    accounts: z.array(
      z.object({
        app: z.string(),
        state: z.enum(cellStates),
        account: z
          .object({ remoteId: z.string(), userName: z.string().nullable(), email: z.string().nullable(), displayName: z.string().nullable(), active: z.boolean(), role: z.string().nullable(), groups: z.array(z.string()), pending: z.string().nullable() })
          .nullable(),
        link: z.object({ rule: z.string(), reason: z.string(), since: z.string() }).nullable().openapi({ description: 'How roster tied the account to the person.' }),
        policy: z.object({ assigned: z.boolean(), rule: z.string() }).openapi({ description: 'Whether the policy gives the person this app, and by which rule.' }),
        lastChange: z.object({ at: z.string(), action: z.string(), outcome: z.string(), change: z.string() }).nullable(),
        planned: z.array(z.object({ planId: z.string(), changeId: z.string(), kind: z.string(), reason: z.string(), status: z.string() })),
      }),
    ),
    timeline: z.array(timelineEventSchema),
  })
  .openapi('Person');

export const findingsQuery = z.object({
  app: z.string().max(200).optional(),
  kind: z.enum(problemStates).optional().openapi({ description: 'missing, orphan, drift, pending, leaver (still active) or held.' }),
  ...pagingQuery,
});

export const findingSchema = z
  .object({
    app: z.string(),
    kind: z.enum(problemStates),
    person: personRowSchema.nullable(),
    account: z.object({ remoteId: z.string(), userName: z.string().nullable(), email: z.string().nullable(), active: z.boolean() }).nullable(),
    fix: z
      .object({ planId: z.string(), changeId: z.string(), kind: z.string(), reason: z.string(), status: z.string() })
      .nullable()
      .openapi({ description: 'The change of an open plan that fixes it; null: none yet (POST /api/plans drafts one).' }),
  })
  .openapi('Finding');

export const findingsSchema = z
  .object({ counts: z.array(z.object({ app: z.string(), counts: z.record(z.string(), z.number().int()) })), findings: z.array(findingSchema) })
  .openapi('Findings');

const syncSchema = z.object({ id: z.number().int(), status: z.string(), startedAt: z.string(), finishedAt: z.string().nullable(), accountsRead: z.number().int(), error: z.string().nullable() });

export const appHealthSchema = z
  .object({
    name: z.string(),
    type: z.string(),
    configured: z.boolean(),
    currentSync: syncSchema.nullable(),
    latestProblem: syncSchema.nullable(),
    quarantine: z.object({ until: z.string(), reason: z.string() }).nullable(),
    errors: z.object({ last24h: z.number().int(), recent: z.array(z.object({ at: z.string(), action: z.string(), reason: z.string() })) }),
    budget: z.object({ paced: z.boolean(), rules: z.array(z.object({ limit: z.number(), windowSeconds: z.number(), used: z.number().int(), share: z.number() })) }),
  })
  .openapi('AppHealth');

export const requestPreviewSchema = z
  .object({ method: z.string(), path: z.string(), body: z.unknown().optional(), once: z.boolean().optional(), merged: z.boolean().optional() })
  .openapi('RequestPreview');

export const planSummarySchema = z
  .object({ id: z.string(), createdAt: z.string(), requestedBy: z.string(), status: z.enum(['planned', 'applying', 'applied', 'rejected']), changes: z.number().int(), held: z.number().int(), apps: z.array(z.string()) })
  .openapi('PlanSummary');

export const planSchema = z
  .object({
    id: z.string(),
    createdAt: z.string(),
    requestedBy: z.string(),
    status: z.enum(['planned', 'applying', 'applied', 'rejected']),
    digest: z.string(),
    stale: z.string().nullable().openapi({ description: 'Why the plan no longer fits the state it would apply to; null when it does.' }),
    changes: z.array(
      z.object({
        id: z.string(),
        app: z.string(),
        kind: z.string(),
        personId: z.string().nullable(),
        subject: z.string(),
        remoteId: z.string().nullable(),
        group: z.string().nullable(),
        attributes: z.record(z.string(), z.unknown()).nullable(),
        reason: z.string(),
        risk: z.enum(['low', 'high']),
        approval: z.array(z.string()).openapi({ description: 'Why a second person must approve it; empty: it applies on its own.' }),
        decision: z.enum(['ready', 'waiting', 'rejected']),
        operation: z.object({ state: z.string(), attempts: z.number().int(), reason: z.string().nullable() }).nullable(),
        requests: z.array(requestPreviewSchema),
      }),
    ),
    held: z.array(z.object({ app: z.string(), reason: z.string(), changes: z.array(z.string()).optional() })),
    approvals: z.array(z.object({ changeId: z.string().nullable(), decision: z.enum(['approved', 'rejected']), decidedBy: z.string(), decidedAt: z.string(), note: z.string().nullable() })),
    gate: z.object({ ready: z.number().int(), waiting: z.number().int(), rejected: z.number().int() }),
    you: z.object({ mayApprove: z.boolean(), mayApply: z.boolean(), why: z.string().nullable() }).openapi({ description: 'What the caller may do with this plan now.' }),
  })
  .openapi('Plan');

export const planIdParam = z.object({ id: z.string().regex(/^[0-9a-f]{4,64}$/i, 'plan ids are hexadecimal, at least 4 characters').openapi({ param: { name: 'id', in: 'path' }, example: '3f9a1c2b7d4e' }) });

export const draftPlanBody = z
  .object({
    apps: z.array(z.string().min(1).max(200)).max(100).optional().openapi({ description: 'Only these apps (default: every configured app).' }),
    people: z.array(z.string().min(1).max(300)).max(1000).optional().openapi({ description: 'Only changes for these people (userName or id).' }),
  })
  .strict()
  .openapi('DraftPlan');

export const decisionBody = z
  .object({ changes: z.array(z.string().min(1).max(1000)).max(10_000).optional().openapi({ description: 'Only these change ids (default: the whole plan).' }), note: z.string().max(2000).optional() })
  .strict()
  .openapi('Decision');

export const applyResultSchema = z
  .object({ planId: z.string(), queued: z.number().int(), waiting: z.number().int(), rejected: z.number().int(), alreadyApplied: z.boolean() })
  .openapi('ApplyResult');

const operationSchema = z
  .object({ key: z.string(), planId: z.string(), changeId: z.string(), app: z.string(), kind: z.string(), state: z.string(), attempts: z.number().int(), notBefore: z.string().nullable(), reason: z.string().nullable(), updatedAt: z.string() })
  .openapi('Operation');

export const operationsSchema = z
  .object({
    inFlight: z.array(
      z.object({ planId: z.string(), planStatus: z.string(), requestedBy: z.string(), total: z.number().int(), queued: z.number().int(), running: z.number().int(), staged: z.number().int(), done: z.number().int(), failed: z.number().int(), skipped: z.number().int(), updatedAt: z.string() }),
    ),
    failures: z.array(operationSchema),
    deferred: z.array(operationSchema),
    quarantined: z.array(z.object({ app: z.string(), until: z.string(), reason: z.string() })),
  })
  .openapi('Operations');

export const auditQuery = z.object({
  action: z.string().max(200).optional().openapi({ description: 'An action or its prefix: `plan` finds plan.created, plan.approved, …' }),
  actor: z.string().max(300).optional(),
  app: z.string().max(200).optional(),
  target: z.string().max(1000).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
  before: z.coerce.number().int().min(1).optional().openapi({ description: 'Events older than this id (the nextBefore of the previous page).' }),
  limit: pagingQuery.limit,
});

export const auditPageSchema = z
  .object({
    events: z.array(z.object({ id: z.number().int(), at: z.string(), actor: z.string(), action: z.string(), app: z.string().nullable(), target: z.string().nullable(), outcome: z.string(), detail: z.record(z.string(), z.unknown()) })),
    nextBefore: z.number().int().nullable(),
  })
  .openapi('AuditPage');

export const verificationSchema = z
  .object({ ok: z.boolean(), verified: z.number().int(), unchained: z.number().int(), head: z.string().nullable(), broken: z.object({ id: z.number().int(), problem: z.string() }).nullable() })
  .openapi('AuditVerification');

export const overviewSchema = z
  .object({
    people: z.object({ total: z.number().int(), active: z.number().int() }),
    apps: z.array(z.object({ app: z.string(), counts: z.record(z.string(), z.number().int()) })),
    countsAsOf: z.string().openapi({ description: 'When the per-app counts were computed (they are cached for a few seconds while the trail keeps moving).' }),
    plans: z.object({ open: z.number().int(), waitingApproval: z.number().int() }),
    operations: z.object({ inFlight: z.number().int(), failed: z.number().int() }),
    activity: z.array(z.object({ day: z.string(), planned: z.number().int(), held: z.number().int(), verified: z.number().int(), failed: z.number().int(), skipped: z.number().int() })),
  })
  .openapi('Overview');
