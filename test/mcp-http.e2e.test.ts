import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { UsageLimits } from '../src/mcp/limits.ts';
import { createServerApp } from '../src/server/app.ts';
import { listen, type Listening } from '../src/server/listen.ts';
import type { Database } from '../src/store/database.ts';
import { databaseKinds, openTestDatabase } from '../src/store/testing.ts';
import { callOk, callRefused, mcpSuite } from './support/mcp-suite.ts';
import { agentToken, operatorToken, otherAgentToken, startTenant, testVerify, type Tenant } from './support/mcp-tenant.ts';

async function connect(origin: string, token: string): Promise<Client> {
  const client = new Client({ name: 'roster-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${origin}/mcp`), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  return client;
}

async function serve(db: Database, tenant: Tenant, limits?: UsageLimits): Promise<Listening> {
  return listen(createServerApp({ db, mcp: { db, apps: tenant.apps, verify: testVerify, limits } }), '127.0.0.1', 0);
}

for (const kind of databaseKinds) {
  describe(`MCP over streamable HTTP at /mcp (${kind})`, () => {
    mcpSuite(async () => {
      const db = await openTestDatabase(kind);
      const tenant = await startTenant();
      await tenant.sync(db);
      const server = await serve(db, tenant);
      return {
        db,
        tenant,
        connect: () => connect(server.origin, agentToken),
        async close() {
          await server.close();
          await tenant.close();
          await db.close();
        },
      };
    });
  });
}

describe('/mcp refuses callers without an agent token, and limits each agent token (pglite)', () => {
  it('401 in JSON without a token, with an unknown one, or with a token that is not an agent’s', async () => {
    const db = await openTestDatabase('pglite');
    const tenant = await startTenant();
    const server = await serve(db, tenant);
    try {
      const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
      const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
      for (const [authorization, message] of [
        [undefined, /send a roster agent token as Authorization: Bearer/],
        ['Bearer not-a-token', /not a live roster token/],
        [`Bearer ${operatorToken}`, /not an agent token/],
      ] as const) {
        const response = await fetch(`${server.origin}/mcp`, { method: 'POST', body, headers: { ...headers, ...(authorization ? { authorization } : {}) } });
        assert.equal(response.status, 401);
        assert.match(response.headers.get('www-authenticate') ?? '', /^Bearer/);
        const answer = (await response.json()) as { error: { code: string; message: string } };
        assert.equal(answer.error.code, 'unauthenticated');
        assert.match(answer.error.message, message);
        assert.doesNotMatch(JSON.stringify(answer), new RegExp(operatorToken));
      }
      assert.deepEqual(await db.query('select * from audit_events'), [], 'nothing recorded, nothing done');
    } finally {
      await server.close();
      await tenant.close();
      await db.close();
    }
  });

  it('calls per minute and result characters per hour, counted per token in the database across stateless requests', async () => {
    const db = await openTestDatabase('pglite');
    const tenant = await startTenant();
    await tenant.sync(db);
    const server = await serve(db, tenant, { callsPerMinute: 3, resultCharsPerHour: 1_000_000 });
    const budgeted = await serve(db, tenant, { callsPerMinute: 1000, resultCharsPerHour: 1500 });
    const clients: Client[] = [];
    try {
      const agent = await connect(server.origin, agentToken);
      const other = await connect(server.origin, otherAgentToken);
      clients.push(agent, other);
      // A minute boundary between the calls would reset the count: start just after one.
      const secondsIntoMinute = new Date().getSeconds();
      if (secondsIntoMinute > 50) await new Promise((resolve) => setTimeout(resolve, (61 - secondsIntoMinute) * 1000));
      for (let i = 0; i < 3; i++) await callOk(agent, 'app_health', {});
      const refused = await callRefused(agent, 'app_health', {});
      assert.match(refused, /rate limit: this agent token made more than 3 calls this minute; nothing was done — try again in \d+ s/);
      await callOk(other, 'app_health', {});
      const before = (await db.query('select count(*)::int as n from plans'))[0];
      assert.match(await callRefused(agent, 'draft_plan', { person: 'jane.doe@example.com' }), /rate limit/);
      assert.deepEqual((await db.query('select count(*)::int as n from plans'))[0], before, 'a refused call does nothing');

      const spender = await connect(budgeted.origin, otherAgentToken);
      clients.push(spender);
      await callOk(spender, 'find_people', { limit: 20 });
      assert.match(await callRefused(spender, 'find_people', { limit: 1 }), /token budget: this agent token was sent \d+ characters of results this hour \(budget 1500\)/);
      const refusals = await db.query<{ actor: string }>("select actor from audit_events where action = 'mcp.tool_refused'");
      assert.deepEqual(refusals.map((r) => r.actor).sort(), ['agent:helpdesk-bot', 'agent:helpdesk-bot', 'agent:other-bot']);
    } finally {
      for (const c of clients) await c.close();
      await server.close();
      await budgeted.close();
      await tenant.close();
      await db.close();
    }
  });
});
