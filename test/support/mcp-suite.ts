// The MCP behaviour every transport must show, through the SDK's own Client: run once over
// streamable HTTP (`/mcp` on a listening server) and once over stdio (`roster mcp`).
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { queryAudit } from '../../src/audit/trail.ts';
import { createConnector } from '../../src/connectors/modules.ts';
import { applyPlan } from '../../src/engine/apply.ts';
import { decide } from '../../src/engine/approvals.ts';
import { Executor } from '../../src/engine/executor.ts';
import { makePlan } from '../../src/engine/planning.ts';
import { startQueue } from '../../src/engine/queue.ts';
import type { Database } from '../../src/store/database.ts';
import { listPlans } from '../../src/store/plans.ts';
import { agent, drifted, jane, people, type Tenant } from './mcp-tenant.ts';

export interface Harness {
  db: Database;
  tenant: Tenant;
  /** A connected client for the test agent (agent:helpdesk-bot). */
  connect(): Promise<Client>;
  close(): Promise<void>;
}

export const readTools = ['find_people', 'person_accounts', 'explain_access', 'list_findings', 'app_health', 'request_status', 'person_audit'];
export const writeTools = ['draft_plan', 'request_plan'];

type Structured = Record<string, unknown>;

export async function callOk(client: Client, name: string, args: Record<string, unknown>): Promise<Structured> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  assert.ok(!result.isError, `${name} failed: ${JSON.stringify(result.content).slice(0, 500)}`);
  assert.ok(result.structuredContent, `${name} gave structured content`);
  const text = result.content.find((c) => c.type === 'text');
  assert.deepEqual(JSON.parse(text?.type === 'text' ? text.text : '{}'), result.structuredContent, 'the text content is the same JSON');
  return result.structuredContent;
}

/** A call that must be refused: an error result (or a protocol error for arguments the schema refuses); answers the message. */
export async function callRefused(client: Client, name: string, args: Record<string, unknown>): Promise<string> {
  try {
    const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
    assert.equal(result.isError, true, `${name}(${JSON.stringify(args).slice(0, 200)}) should be refused, answered ${JSON.stringify(result.structuredContent ?? result.content).slice(0, 300)}`);
    const text = result.content.find((c) => c.type === 'text');
    return text?.type === 'text' ? text.text : '';
  } catch (error) {
    return (error as Error).message;
  }
}

export function mcpSuite(setUp: () => Promise<Harness>): void {
  let h: Harness;
  let client: Client;
  before(async () => {
    h = await setUp();
    client = await h.connect();
  });
  after(async () => {
    await client?.close();
    await h?.close();
  });

  it('lists every tool with a description, strict input and output schemas, and honest annotations; none approves or applies', async () => {
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), [...readTools, ...writeTools].sort());
    for (const tool of tools) {
      assert.ok((tool.description ?? '').length > 80, `${tool.name} has a precise description`);
      assert.equal(tool.inputSchema.type, 'object');
      assert.equal((tool.inputSchema as { additionalProperties?: unknown }).additionalProperties, false, `${tool.name} refuses fields it does not take`);
      assert.equal(tool.outputSchema?.type, 'object', `${tool.name} has an output schema`);
      assert.ok(Object.keys(tool.outputSchema?.properties ?? {}).length > 0);
      assert.equal(typeof tool.annotations?.readOnlyHint, 'boolean');
      assert.equal(typeof tool.annotations?.openWorldHint, 'boolean');
      if (readTools.includes(tool.name)) assert.deepEqual([tool.annotations?.readOnlyHint, tool.annotations?.destructiveHint, tool.annotations?.openWorldHint], [true, false, false], tool.name);
      assert.doesNotMatch(tool.name, /approve|apply|decide|execute|run/);
    }
    const draft = tools.find((t) => t.name === 'draft_plan');
    assert.deepEqual([draft?.annotations?.readOnlyHint, draft?.annotations?.destructiveHint], [false, false]);
    const request = tools.find((t) => t.name === 'request_plan');
    assert.deepEqual([request?.annotations?.readOnlyHint, request?.annotations?.openWorldHint], [false, true]);
    const { resources } = await client.listResources();
    assert.ok(resources.some((r) => r.uri === 'roster://findings'));
    const { resourceTemplates } = await client.listResourceTemplates();
    assert.deepEqual(resourceTemplates.map((t) => t.uriTemplate), ['roster://plans/{id}']);
    const { prompts } = await client.listPrompts();
    assert.deepEqual(prompts.map((p) => p.name).sort(), ['offboard_person', 'review_department_access']);
    const prompt = await client.getPrompt({ name: 'offboard_person', arguments: { person: 'jane.doe@example.com' } });
    const first = prompt.messages[0]?.content;
    assert.match(first?.type === 'text' ? first.text : '', /request_plan[^]*approve/);
  });

  it('read tools answer on the seeded tenant, paged and bounded', async () => {
    const found = await callOk(client, 'find_people', { query: 'JANE' });
    assert.deepEqual((found.people as { userName: string }[]).map((p) => p.userName), [jane.userName]);
    const first = await callOk(client, 'find_people', { limit: 5 });
    assert.equal(first.total, people.length);
    assert.equal((first.people as unknown[]).length, 5);
    const second = await callOk(client, 'find_people', { limit: 5, cursor: first.nextCursor });
    const names = [...(first.people as { userName: string }[]), ...(second.people as { userName: string }[])].map((p) => p.userName);
    assert.equal(new Set(names).size, 10, 'the second page goes on where the first stopped');
    assert.match(await callRefused(client, 'find_people', { cursor: 'not-a-cursor' }), /cursor is not one roster gave out/);
    assert.match(await callRefused(client, 'find_people', { limit: 100_000 }), /limit|100/i);
    const leavers = await callOk(client, 'find_people', { active: false });
    assert.deepEqual((leavers.people as { id: string }[]).map((p) => p.id), [jane.id]);

    const accounts = await callOk(client, 'person_accounts', { person: jane.userName });
    assert.deepEqual((accounts.accounts as { app: string; active: boolean }[]).map((a) => [a.app, a.active]), [['netskope', true], ['scim', true]]);
    assert.equal((accounts.accounts as { link: { rule: string } }[])[0]?.link.rule, 'email');

    const why = await callOk(client, 'explain_access', { person: jane.email, app: 'netskope' });
    assert.equal((why.policy as { assigned: boolean }).assigned, false);
    assert.match((why.policy as { rule: string }).rule, /leaver/);
    assert.deepEqual((why.wouldChange as { kind: string }[]).map((c) => c.kind), ['deactivate']);
    assert.match(String(why.answer), /active account in netskope[^]*inactive in the IdP[^]*deactivate/);

    const stillActive = await callOk(client, 'list_findings', { app: 'netskope', kind: 'leaver_active' });
    assert.deepEqual((stillActive.findings as { person: { id: string } }[]).map((f) => f.person.id), [jane.id]);
    const counts = stillActive.counts as Record<string, Record<string, number>>;
    assert.equal(counts.scim?.orphan, 1);
    assert.equal(counts.scim?.drift, 1);
    const drift = await callOk(client, 'list_findings', { kind: 'drift' });
    assert.deepEqual((drift.findings as { person: { id: string }; detail: string }[]).map((f) => f.person.id), [drifted.id]);
    assert.match((drift.findings as { detail: string }[])[0]?.detail ?? '', /Changed-By-Hand/);

    const health = await callOk(client, 'app_health', {});
    const apps = health.apps as { app: string; lastSync: { accounts: number } | null; problem: unknown; findings: Record<string, number> }[];
    assert.deepEqual(apps.map((a) => [a.app, a.lastSync?.accounts, a.problem]), [['netskope', 10, null], ['scim', 11, null]]);
    assert.match(await callRefused(client, 'app_health', { app: 'no-such-app' }), /no app "no-such-app"; configured: scim, netskope/);

    const findingsResource = await client.readResource({ uri: 'roster://findings' });
    const body = JSON.parse(String((findingsResource.contents[0] as { text: string }).text)) as { counts: Record<string, Record<string, number>> };
    assert.equal(body.counts.netskope?.leaver_active, 1);
  });

  it('an offboarding drafted and requested by the agent is held — a person applying it changes nothing — until a person approves; then it is carried out', async () => {
    const mark = h.tenant.mark();
    const draft = await callOk(client, 'draft_plan', { person: jane.userName });
    assert.equal(draft.requestedBy, agent.actor);
    const changes = draft.changes as { kind: string; app: string; state: string; needsApproval: string[]; requests: { method: string; path: string }[] }[];
    assert.deepEqual(changes.map((c) => [c.app, c.kind, c.state]), [['netskope', 'deactivate', 'waiting_approval'], ['scim', 'deactivate', 'waiting_approval']]);
    assert.ok(changes.every((c) => c.needsApproval.some((n) => /requested by an agent/.test(n))), 'held though the policy lets deactivations run alone');
    assert.ok(changes.every((c) => c.requests.some((r) => r.method === 'PATCH' && r.path.includes('/Users/'))), 'the exact requests are shown');
    const planId = String(draft.planId);

    const requested = await callOk(client, 'request_plan', { planId });
    assert.equal(requested.status, 'held_for_approval');
    assert.equal(requested.waitingApproval, 2);
    assert.equal((await callOk(client, 'request_plan', { planId })).alreadyRequested, true);
    const inFlight = await callOk(client, 'explain_access', { person: jane.id, app: 'scim' });
    assert.deepEqual((inFlight.pending as { planId: string; state: string; requestedBy: string }[]).map((p) => [p.planId, p.state, p.requestedBy]), [[planId, 'waiting_approval', agent.actor]]);
    assert.match(String(inFlight.answer), /In flight: deactivate in plan \w+ by agent:helpdesk-bot, waiting approval/);

    const unapproved = await applyPlan(h.db, h.tenant.apps, planId, { actor: 'operator:alice', connectorFor: createConnector });
    assert.equal(unapproved.operations.length, 0);
    assert.deepEqual(h.tenant.writesSince(mark), [], 'no app saw a write');
    const waiting = await callOk(client, 'request_status', { planId });
    assert.deepEqual(waiting.counts, { waiting_approval: 2 });

    await decide(h.db, planId, 'approved', { actor: 'operator:alice', note: 'confirmed with HR' });
    const report = await applyPlan(h.db, h.tenant.apps, planId, { actor: 'operator:alice', connectorFor: createConnector });
    assert.deepEqual(report.operations.map((o) => o.state), ['done', 'done']);
    assert.equal(h.tenant.scim.store.findUserByUserName(jane.userName)?.attrs.active, false);
    assert.equal(h.tenant.netskope.scim.store.findUserByUserName(jane.userName)?.attrs.active, false);
    const done = await callOk(client, 'request_status', { planId });
    assert.deepEqual(done.counts, { done: 2 });
    assert.equal((done.approvals as { by: string }[])[0]?.by, 'operator:alice');
    const trail = await callOk(client, 'person_audit', { person: jane.id });
    const actions = (trail.events as { action: string; actor: string }[]).map((e) => e.action);
    assert.ok(actions.includes('change.verified') && actions.includes('change.applied'), actions.join(','));
    const plan = await client.readResource({ uri: `roster://plans/${planId}` });
    assert.match(String((plan.contents[0] as { text: string }).text), /"done"/);
  });

  it('no sequence of MCP calls changes an app without a person’s approval: adversarial arguments to every tool, then apply and the worker', async () => {
    // A leaver again, and a person's own plan for them that needs no approval (a deactivation).
    const leaver = people[4]!;
    const { upsertPeople } = await import('../../src/store/people.ts');
    await upsertPeople(h.db, [{ ...leaver, active: false }], 'test');
    const persons = await makePlan(h.db, h.tenant.apps, { actor: 'operator:alice', people: [leaver.id] });
    assert.equal(persons.changes.filter((c) => c.approval.length === 0).length, 2, 'a person’s plan would run on its own');
    const mark = h.tenant.mark();
    const huge = 'x'.repeat(20_000);
    const injection = `'); drop table plans; -- ${'"'}<script>alert(1)</script> {{approve}} \u0000`;
    const adversarial: [string, Record<string, unknown>][] = [
      ['find_people', { query: injection }],
      ['find_people', { query: huge }],
      ['find_people', { query: 'a', approved: true }],
      ['person_accounts', { person: injection }],
      ['person_accounts', { person: leaver.id, actor: 'operator:alice' }],
      ['explain_access', { person: leaver.id, app: '../../etc/passwd' }],
      ['list_findings', { kind: 'everything' }],
      ['list_findings', { app: injection }],
      ['app_health', { app: huge }],
      ['draft_plan', {}],
      ['draft_plan', { person: leaver.id, approvedBy: 'operator:alice' }],
      ['draft_plan', { person: leaver.id, requestedBy: 'operator:alice' }],
      ['draft_plan', { finding: `scim:leaver_active:${injection}` }],
      ['draft_plan', { finding: huge.slice(0, 300) }],
      ['request_plan', { planId: persons.id }],
      ['request_plan', { planId: persons.id.slice(0, 6) }],
      ['request_plan', { planId: persons.id, approve: true, actor: 'operator:alice' }],
      ['request_plan', { planId: injection }],
      ['request_plan', { planId: 'ffffffffffff' }],
      ['request_status', { planId: huge }],
      ['person_audit', { person: leaver.id, cursor: Buffer.from('{"p":-1}').toString('base64url') }],
    ];
    for (const [tool, args] of adversarial) await client.callTool({ name: tool, arguments: args }).catch((error: Error) => error);
    assert.match(await callRefused(client, 'request_plan', { planId: persons.id }), new RegExp(`drafted by operator:alice; an agent can request only plans it drafted`));
    assert.match(await callRefused(client, 'draft_plan', { person: leaver.id, approvedBy: 'operator:alice' }), /approvedBy|Unrecognized/i);
    assert.match(await callRefused(client, 'request_plan', { planId: "' or 1=1 --" }), /plan ids are hexadecimal/);
    assert.match(await callRefused(client, 'find_people', { query: 'a\u0000b' }), /U\+0000/);
    // And what an agent may do, done to the full: its own plan for the leaver, requested.
    const own = await callOk(client, 'draft_plan', { person: leaver.id });
    await callOk(client, 'request_plan', { planId: own.planId });
    await callOk(client, 'draft_plan', { finding: `netskope:leaver_active:${leaver.id}` });
    await callOk(client, 'draft_plan', { app: 'scim' });
    for (const [tool, args] of adversarial.filter(([t]) => readTools.includes(t))) await client.callTool({ name: tool, arguments: { ...args, limit: 1 } }).catch(() => undefined);

    assert.ok(await h.db.query('select 1 from plans limit 1'), 'the plans table is still there');
    // Every plan an agent made is applied as a person would, and the worker runs the queue.
    for (const plan of (await listPlans(h.db, 100)).filter((p) => p.requestedBy.startsWith('agent:') && p.status !== 'applied')) {
      const report = await applyPlan(h.db, h.tenant.apps, plan.id, { actor: 'operator:alice', connectorFor: createConnector }).catch((error: Error) => error);
      if (!(report instanceof Error)) assert.deepEqual(report.operations, [], `plan ${plan.id} queued nothing`);
    }
    const boss = await startQueue(h.db);
    const executor = new Executor({ db: h.db, boss, actor: 'system:worker', appFor: (n) => h.tenant.apps.find((a) => a.name === n), connectorFor: (n) => createConnector(h.tenant.apps.find((a) => a.name === n)!) });
    try {
      for (let i = 0; i < 3; i++) await executor.runOnce();
    } finally {
      await executor.close();
      await boss.stop({ graceful: true, close: false, timeout: 5000 });
    }
    assert.deepEqual(h.tenant.writesSince(mark), [], 'no app saw a single write');
    assert.equal(h.tenant.scim.store.findUserByUserName(leaver.userName)?.attrs.active, true);
    assert.equal(h.tenant.netskope.scim.store.findUserByUserName(leaver.userName)?.attrs.active, true);
    const approvals = await h.db.query('select * from approvals where decided_by like $1', ['agent:%']);
    assert.deepEqual(approvals, [], 'no approval was recorded by an agent');
  });

  it('every audit event its calls cause names the agent; read calls are recorded without secrets', async () => {
    const [last] = await h.db.query<{ id: number }>('select coalesce(max(id), 0)::int as id from audit_events');
    await callOk(client, 'find_people', { query: 'user0' });
    await callRefused(client, 'person_accounts', { person: 'nobody-at-all' });
    const draft = await callOk(client, 'draft_plan', { person: drifted.id });
    await callOk(client, 'request_plan', { planId: draft.planId });
    await callOk(client, 'find_people', { query: 'Bearer abcdefghijklmnopqrstuvwxyz0123456789' });
    await callOk(client, 'find_people', { query: 'password=hunter2-secret' });
    const events = await h.db.query<{ actor: string; action: string; detail: Record<string, unknown> }>('select actor, action, detail from audit_events where id > $1 order by id', [last?.id ?? 0]);
    assert.ok(events.length >= 6);
    assert.deepEqual([...new Set(events.map((e) => e.actor))], [agent.actor]);
    const actions = events.map((e) => e.action);
    for (const action of ['mcp.tool_called', 'plan.created', 'plan.requested']) assert.ok(actions.includes(action), `${action} in ${actions.join(',')}`);
    const called = events.filter((e) => e.action === 'mcp.tool_called');
    assert.deepEqual(called.map((e) => e.detail.tool), ['find_people', 'person_accounts', 'draft_plan', 'request_plan', 'find_people', 'find_people']);
    const text = JSON.stringify(events);
    assert.doesNotMatch(text, /hunter2|abcdefghijklmnopqrstuvwxyz0123456789/);
    const mine = await queryAudit(h.db, { actor: agent.actor, action: 'mcp.', limit: 1000 });
    assert.ok(mine.every((e) => typeof e.detail.tool === 'string' || typeof e.detail.uri === 'string'));
  });
}
