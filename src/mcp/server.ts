// roster's MCP server: what an AI agent may ask (read, draft, request) and nothing more. No tool
// approves or applies; a plan an agent requests waits for a person (enforced in the engine).
import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ErrorCode, McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { recordAudit } from '../audit/trail.ts';
import { can, type Identity, type Permission } from '../auth/identity.ts';
import type { ResolvedApp } from '../config/load.ts';
import { redact } from '../core/redact.ts';
import { isRosterError } from '../errors.ts';
import { log } from '../log.ts';
import type { Database } from '../store/database.ts';
import { listPlans } from '../store/plans.ts';
import { LimitExceeded, type UsageMeter } from './limits.ts';
import { BadCursor, maxPageSize } from './paging.ts';
import { registerPrompts } from './prompts.ts';
import { accountsOf, appHealth, bounded, configuredApp, explainAccess, findPeople, findings, personAudit, planView, resolvePerson } from './read-model.ts';
import * as schemas from './schemas.ts';
import { draftPlan, requestPlan, planFor } from './writes.ts';

export interface McpContext {
  db: Database;
  apps: readonly ResolvedApp[];
  identity: Identity;
  meter: UsageMeter;
  /** Checked before every call: throws when the caller's token is no longer good (revoked while connected). */
  recheck?: (() => Promise<void>) | undefined;
}

export const serverInfo = { name: 'roster', version: '1.0.0' };

const instructions = `roster keeps people's access to security SaaS apps in step with the identity provider.
Read with find_people, person_accounts, explain_access, list_findings, app_health, person_audit.
To change access: draft_plan, then request_plan. A requested plan is held: nothing in it runs until a person (not an agent) approves it with roster approve. No tool approves or applies.
Lists are paged: pass nextCursor back as cursor. People and apps are named by id, userName or email.`;

/** A refusal the agent can act on (bad input, unknown person, limits), as opposed to a failure of roster. */
class Refusal extends Error {}

export function createRosterMcpServer(context: McpContext): McpServer {
  const server = new McpServer(serverInfo, { instructions, capabilities: { logging: {} } });
  const { db, apps, identity } = context;

  const audit = (action: string, detail: Record<string, unknown>, outcome: 'ok' | 'failed' = 'ok') =>
    recordAudit(db, { actor: identity.actor, action, outcome, detail: bounded(redact(detail)) as Record<string, unknown> }).catch((error: Error) => log.error({ err: error.message }, 'MCP audit record not written'));

  /** Every call: permission, limits, then the work; the answer counted against the budget and the call in the trail. */
  const call = async (tool: string, permission: Permission, args: unknown, work: () => Promise<object>): Promise<CallToolResult> => {
    try {
      await context.recheck?.();
      if (!can(identity, permission)) throw new Refusal(`${identity.actor} may not ${permission}; nothing was done`);
      await context.meter.admit();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await audit('mcp.tool_refused', { tool, arguments: args, reason: message }, 'failed');
      return toolError(message, error instanceof LimitExceeded ? { retryAfterSeconds: error.retryAfterSeconds } : undefined);
    }
    try {
      const structured = JSON.parse(JSON.stringify(await work())) as Record<string, unknown>;
      const text = JSON.stringify(structured);
      await context.meter.spend(text.length);
      await audit('mcp.tool_called', { tool, arguments: args, resultChars: text.length });
      return { content: [{ type: 'text', text }], structuredContent: structured };
    } catch (error) {
      const known = isRosterError(error) || error instanceof Refusal || error instanceof BadCursor;
      const message = known ? (error as Error).message : 'roster failed to answer; nothing was changed (the server log has the details)';
      if (!known) log.error({ err: error instanceof Error ? error.message : String(error), tool }, 'MCP tool failed');
      await context.meter.spend(message.length);
      await audit('mcp.tool_called', { tool, arguments: args, error: message }, 'failed');
      return toolError(message);
    }
  };

  const read = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false } as const;

  server.registerTool(
    'find_people',
    {
      title: 'Find people',
      description: `Searches the people roster knows (from the IdP or an import) by part of their userName, display name or email, optionally by department and active state. Answers one page (at most ${maxPageSize}) ordered by userName, with the total and a cursor for the next page.`,
      inputSchema: schemas.findPeopleInput,
      outputSchema: schemas.findPeopleOutput,
      annotations: { title: 'Find people', ...read },
    },
    (args) =>
      call('find_people', 'read', args, async () => {
        const page = await findPeople(db, { text: args.query, department: args.department, active: args.active, limit: args.limit, cursor: args.cursor });
        return { people: page.items, total: page.total, nextCursor: page.nextCursor };
      }),
  );

  server.registerTool(
    'person_accounts',
    {
      title: 'A person’s accounts',
      description: 'Lists the accounts one person holds across the configured apps, as each app’s last good sync read them: state (active, inactive, pending invitation), role, groups, and the rule that links the account to the person. Apps where they hold no linked account are listed apart.',
      inputSchema: schemas.personInput,
      outputSchema: schemas.personAccountsOutput,
      annotations: { title: 'A person’s accounts', ...read },
    },
    (args) =>
      call('person_accounts', 'read', args, async () => {
        const person = await resolvePerson(db, args.person);
        const accounts = await accountsOf(db, person.id);
        const held = new Set(accounts.map((a) => a.app));
        return { person: { id: person.id, userName: person.userName, displayName: person.displayName, active: person.active }, accounts, noAccountIn: apps.map((a) => a.name).filter((n) => !held.has(n)) };
      }),
  );

  server.registerTool(
    'explain_access',
    {
      title: 'Explain access',
      description:
        'Explains why a person has (or lacks) access to one app, e.g. "why does this person still have Netskope?": the account and the rule linking it to them, the policy rule that assigns the app (or why it does not), what a plan made now would change and why, the last change roster made to that account, and pending work (plans and operations not finished, and what they wait for). Ends with a plain-words answer.',
      inputSchema: schemas.explainInput,
      outputSchema: schemas.explainOutput,
      annotations: { title: 'Explain access', ...read },
    },
    (args) => call('explain_access', 'read', args, async () => explainAccess(db, apps, args.person, args.app)),
  );

  server.registerTool(
    'list_findings',
    {
      title: 'List findings',
      description:
        'What is wrong in the apps, from each app’s last good sync measured against the people: leaver_active (left in the IdP, account still active — "which leavers are still active in Netskope?"), orphan (an account no person owns), missing (an active person with no account), drift (attributes changed in the app behind the IdP’s back), pending (an invitation not yet accepted). Filter by app and kind; one page at a time, with counts per app and kind.',
      inputSchema: schemas.findingsInput,
      outputSchema: schemas.findingsOutput,
      annotations: { title: 'List findings', ...read },
    },
    (args) =>
      call('list_findings', 'read', args, async () => {
        if (args.app) configuredApp(apps, args.app);
        const page = await findings(db, args);
        return { findings: page.items, total: page.total, counts: page.counts, nextCursor: page.nextCursor };
      }),
  );

  server.registerTool(
    'app_health',
    {
      title: 'App health',
      description: 'Per app (or one): its last good sync (when, accounts read), a newer sync that failed or was interrupted (with a short excerpt of the error, never the vendor’s whole answer), a quarantine in force, operations of the last 24 hours by state, and findings by kind.',
      inputSchema: schemas.appHealthInput,
      outputSchema: schemas.appHealthOutput,
      annotations: { title: 'App health', ...read },
    },
    (args) => call('app_health', 'read', args, async () => ({ apps: await appHealth(db, apps, args.app) })),
  );

  server.registerTool(
    'draft_plan',
    {
      title: 'Draft a plan',
      description:
        'Drafts (computes and saves) the plan that brings one person, one app, or one finding in line with the policy — onboarding a joiner, offboarding a leaver, fixing drift — and shows each change with its reason and the exact HTTP requests it will make. roster plans from the IdP’s truth: to offboard someone they must be disabled in the IdP first. Drafting changes nothing in any app. The plan is yours (you are its requester); request_plan asks for it to be carried out, and every change then waits for a person’s approval. Changes page with request_status.',
      inputSchema: schemas.draftInput,
      outputSchema: schemas.planOutput,
      annotations: { title: 'Draft a plan', readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    (args) => call('draft_plan', 'plan', args, async () => draftPlan(db, apps, identity, args)),
  );

  server.registerTool(
    'request_plan',
    {
      title: 'Request a plan',
      description:
        'Asks for a plan you drafted to be carried out. Nothing runs yet: every change of a plan an agent requested waits until a person other than you approves it (roster approve <plan>), even changes the policy would let run on their own; then a person or the worker applies it. Only your own drafted plans can be requested. Follow it with request_status.',
      inputSchema: schemas.requestInput,
      outputSchema: schemas.requestOutput,
      // What it asks for may deactivate or delete accounts once a person approves: clients should confirm with their user first.
      annotations: { title: 'Request a plan', readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
    },
    (args) => call('request_plan', 'request', args, async () => requestPlan(db, apps, identity, args.planId)),
  );

  server.registerTool(
    'request_status',
    {
      title: 'Request status',
      description: 'Where a plan stands: requested or not, its approvals, and each change’s state — waiting_approval (with what it waits for), ready, rejected, queued, running, staged (written, not live yet), done, failed (with a short excerpt of the error) or skipped. One page of changes at a time.',
      inputSchema: schemas.statusInput,
      outputSchema: schemas.planOutput,
      annotations: { title: 'Request status', ...read },
    },
    (args) => call('request_status', 'read', args, async () => planView(db, await planFor(db, args.planId), args)),
  );

  server.registerTool(
    'person_audit',
    {
      title: 'A person’s audit trail',
      description: 'The audit trail about one person, newest first: changes to their accounts (with the actor who asked: a person, the IdP, an agent), IdP pushes about them and reads of their accounts. Details are redacted and cut short. One page at a time.',
      inputSchema: schemas.personAuditInput,
      outputSchema: schemas.personAuditOutput,
      annotations: { title: 'A person’s audit trail', ...read },
    },
    (args) =>
      call('person_audit', 'read', args, async () => {
        const person = await resolvePerson(db, args.person);
        const page = await personAudit(db, person.id, args);
        return { person: { id: person.id, userName: person.userName }, events: page.items, nextCursor: page.nextCursor };
      }),
  );

  const readResource = async (uri: URL, work: () => Promise<object>) => {
    try {
      await context.recheck?.();
      if (!can(identity, 'read')) throw new Refusal(`${identity.actor} may not read`);
      await context.meter.admit();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await audit('mcp.resource_refused', { uri: uri.href, reason: message }, 'failed');
      throw new McpError(ErrorCode.InvalidRequest, message);
    }
    let text: string;
    try {
      text = JSON.stringify(await work(), null, 1);
    } catch (error) {
      const known = isRosterError(error);
      const message = known ? error.message : 'roster failed to answer; nothing was changed';
      await audit('mcp.resource_read', { uri: uri.href, error: message }, 'failed');
      throw new McpError(known && error.code === 'not_found' ? ErrorCode.InvalidParams : ErrorCode.InternalError, message);
    }
    await context.meter.spend(text.length);
    await audit('mcp.resource_read', { uri: uri.href, resultChars: text.length });
    return { contents: [{ uri: uri.href, mimeType: 'application/json', text }] };
  };

  server.registerResource(
    'findings',
    'roster://findings',
    { title: 'Current findings', description: `Counts of findings per app and kind, and the first ${maxPageSize} findings (list_findings pages through the rest).`, mimeType: 'application/json' },
    (uri) =>
      readResource(uri, async () => {
        const page = await findings(db, { limit: maxPageSize });
        return { counts: page.counts, total: page.total, findings: page.items, more: page.nextCursor ? 'list_findings pages through the rest' : undefined };
      }),
  );

  server.registerResource(
    'plan',
    new ResourceTemplate('roster://plans/{id}', {
      list: async () => {
        if (!can(identity, 'read')) return { resources: [] };
        return { resources: (await listPlans(db, 20)).map((p) => ({ uri: `roster://plans/${p.id}`, name: `plan ${p.id}`, description: `requested by ${p.requestedBy}, ${p.status}`, mimeType: 'application/json' })) };
      },
    }),
    { title: 'A plan', description: `A plan with its approvals and the state of its first ${maxPageSize} changes (request_status pages through the rest).`, mimeType: 'application/json' },
    (uri, variables) => readResource(uri, async () => planView(db, await planFor(db, String(variables.id ?? '')), { limit: maxPageSize })),
  );

  registerPrompts(server);
  return server;
}

function toolError(message: string, extra?: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text: message }], isError: true, ...(extra ? { _meta: { roster: extra } } : {}) };
}
