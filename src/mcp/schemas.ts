// The tools' input and output schemas. Inputs are strict: a field a tool does not take (an
// "approvedBy", an "actor") is refused, never ignored.
import { z } from 'zod';
import { findingKinds } from './read-model.ts';
import { nextCursorOutput, pageInput } from './paging.ts';

/** Text an agent sends: bounded, and never U+0000 or a lone surrogate (no database stores them). */
export const text = (max: number, min = 0) =>
  z
    .string()
    .min(min)
    .max(max)
    .refine((v) => !v.includes('\u0000') && v.isWellFormed(), 'must not hold U+0000 or lone surrogates');

const personKey = text(320, 1).describe('the person’s id, userName or email');
const appName = text(100, 1).describe('the app’s name as configured in roster.yaml (app_health lists them)');
const planId = text(64, 4).describe('a plan id (or its first characters) from draft_plan');

export const findPeopleInput = z.strictObject({
  query: text(200).optional().describe('part of a userName, display name or email (case-insensitive)'),
  department: text(200).optional().describe('exact department (case-insensitive)'),
  active: z.boolean().optional().describe('true: only active people; false: only leavers'),
  ...pageInput,
});

const personSummary = z.object({
  id: z.string(),
  userName: z.string(),
  displayName: z.string().optional(),
  email: z.string().optional(),
  active: z.boolean(),
  department: z.string().optional(),
  title: z.string().optional(),
});

export const findPeopleOutput = z.object({ people: z.array(personSummary), total: z.number().int(), nextCursor: nextCursorOutput });

export const personInput = z.strictObject({ person: personKey });

const personRef = z.object({ id: z.string(), userName: z.string(), displayName: z.string().optional(), active: z.boolean() });

const account = z.object({
  app: z.string(),
  remoteId: z.string(),
  userName: z.string().optional(),
  email: z.string().optional(),
  active: z.boolean(),
  pending: z.string().optional().describe('why the account is not in use yet (an invitation not accepted)'),
  role: z.string().optional(),
  groups: z.array(z.string()),
  link: z.object({ rule: z.string().describe('externalId, email, userName, manual or created'), reason: z.string() }),
});

export const personAccountsOutput = z.object({ person: personRef, accounts: z.array(account), noAccountIn: z.array(z.string()) });

export const explainInput = z.strictObject({ person: personKey, app: appName });

const event = z.object({
  id: z.number().int(),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  app: z.string().optional(),
  target: z.string().optional(),
  outcome: z.string(),
  detail: z.record(z.string(), z.unknown()),
});

const pendingChange = z.object({ planId: z.string(), changeId: z.string(), kind: z.string(), requestedBy: z.string(), planStatus: z.string(), state: z.string(), why: z.array(z.string()).optional() });

export const explainOutput = z.object({
  person: personSummary,
  app: z.string(),
  account: account.nullable(),
  policy: z.object({ assigned: z.boolean(), rule: z.string(), leaver: z.string(), role: z.string().optional(), groups: z.array(z.string()) }),
  wouldChange: z.array(z.object({ id: z.string(), kind: z.string(), reason: z.string(), needsApproval: z.array(z.string()) })),
  lastChange: event.nullable(),
  pending: z.array(pendingChange),
  lastSync: z.string().nullable(),
  answer: z.string().describe('the explanation in plain words'),
});

export const findingsInput = z.strictObject({
  app: appName.optional(),
  kind: z.enum(findingKinds).optional().describe('leaver_active, orphan, missing, drift or pending'),
  ...pageInput,
});

const finding = z.object({
  id: z.string().describe('pass to draft_plan as finding to draft its fix'),
  app: z.string(),
  kind: z.enum(findingKinds),
  person: personRef.optional(),
  account: z.object({ remoteId: z.string(), userName: z.string().optional(), email: z.string().optional(), active: z.boolean() }).optional(),
  detail: z.string(),
});

export const findingsOutput = z.object({
  findings: z.array(finding),
  total: z.number().int().describe('findings matching the filter'),
  counts: z.record(z.string(), z.record(z.string(), z.number())).describe('per app, per kind, before the filter'),
  nextCursor: nextCursorOutput,
});

export const appHealthInput = z.strictObject({ app: appName.optional() });

export const appHealthOutput = z.object({
  apps: z.array(
    z.object({
      app: z.string(),
      type: z.string(),
      configured: z.boolean(),
      lastSync: z.object({ at: z.string().nullable(), status: z.string(), accounts: z.number() }).nullable(),
      problem: z.object({ status: z.string(), at: z.string(), error: z.string().nullable() }).nullable(),
      quarantine: z.object({ until: z.string(), reason: z.string() }).nullable(),
      operations24h: z.record(z.string(), z.number()),
      findings: z.record(z.string(), z.number()),
    }),
  ),
});

export const draftInput = z.strictObject({
  person: personKey.optional().describe('draft the changes for this person (id, userName or email)'),
  app: appName.optional().describe('only this app (with person: that person in that app; alone: the whole app)'),
  finding: text(400, 3).optional().describe('a finding id from list_findings: draft its fix'),
});

const change = z.object({
  id: z.string(),
  app: z.string(),
  kind: z.string(),
  subject: z.string(),
  reason: z.string(),
  risk: z.string(),
  needsApproval: z.array(z.string()),
  state: z.string(),
  error: z.string().optional(),
  requests: z.array(z.object({ method: z.string(), path: z.string(), body: z.string().optional() })).describe('the HTTP requests the change will make (secrets never shown)'),
});

export const planOutput = z.object({
  planId: z.string(),
  requestedBy: z.string(),
  createdAt: z.string(),
  status: z.string(),
  totalChanges: z.number().int(),
  counts: z.record(z.string(), z.number()).describe('changes per state'),
  held: z.array(z.string()),
  approvals: z.array(z.object({ decision: z.string(), by: z.string(), at: z.string(), change: z.string().nullable() })),
  requested: z.boolean(),
  changes: z.array(change),
  nextCursor: nextCursorOutput,
  note: z.string().optional(),
});

export const requestInput = z.strictObject({ planId });

export const requestOutput = z.object({
  planId: z.string(),
  status: z.literal('held_for_approval'),
  alreadyRequested: z.boolean(),
  waitingApproval: z.number().int(),
  message: z.string(),
});

export const statusInput = z.strictObject({ planId, ...pageInput });

export const personAuditInput = z.strictObject({ person: personKey, ...pageInput });

export const personAuditOutput = z.object({ person: z.object({ id: z.string(), userName: z.string() }), events: z.array(event), nextCursor: nextCursorOutput });
