import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { createToken } from '../src/auth/tokens.ts';
import { queryAudit } from '../src/audit/trail.ts';
import type { Database } from '../src/store/database.ts';
import { openDatabase } from '../src/store/open.ts';
import { openTestDatabase, testPostgresUrl } from '../src/store/testing.ts';
import { cliMain, cliNodeFlags, roster, workspace } from './support/cli.ts';
import { callOk, callRefused, mcpSuite } from './support/mcp-suite.ts';
import { agent, jane, startTenant, type Tenant } from './support/mcp-tenant.ts';

/** `roster mcp` as a client such as Claude Desktop starts it: a child process speaking MCP on stdin/stdout. */
async function connectStdio(cwd: string, env: Record<string, string>): Promise<Client> {
  const client = new Client({ name: 'roster-test', version: '1.0.0' });
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [...cliNodeFlags, cliMain, 'mcp'], cwd, env, stderr: 'ignore' }));
  return client;
}

describe('roster mcp over stdio (postgres, alongside the test)', () => {
  let db: Database;
  mcpSuite(async () => {
    db = await openTestDatabase('postgres');
    const tenant = await startTenant();
    await tenant.sync(db);
    const { value } = await createToken(db, { name: 'helpdesk-bot', kind: 'agent', createdBy: 'operator:alice' });
    const dir = workspace(tenant.yaml);
    const env = { ROSTER_TOKEN: value, DATABASE_URL: testPostgresUrl, ROSTER_DB_SCHEMA: db.schema ?? '', ROSTER_CONFIG: join(dir, 'roster.yaml') };
    return {
      db,
      tenant,
      connect: () => connectStdio(dir, env),
      async close() {
        await tenant.close();
        await db.close();
      },
    };
  });
});

describe('roster mcp refuses to start without a live agent token, in one line', () => {
  it('no token, an unknown one, a revoked one, or an API token: non-zero exit, one line on stderr, nothing on stdout', async () => {
    const tenant = await startTenant();
    const dir = workspace(tenant.yaml);
    const home = join(dir, '.roster');
    try {
      const db = await openDatabase({ home });
      const api = await createToken(db, { name: 'script', kind: 'api', role: 'operator', createdBy: 'operator:alice' });
      const revoked = await createToken(db, { name: 'old-bot', kind: 'agent', createdBy: 'operator:alice' });
      const { revokeToken } = await import('../src/auth/tokens.ts');
      await revokeToken(db, 'old-bot');
      await db.close();
      for (const [token, message] of [
        [undefined, /roster mcp needs an agent token in ROSTER_TOKEN/],
        ['rag_aaaaaaaaaaaa_not-a-real-secret', /not a live roster token/],
        [revoked.value, /not a live roster token/],
        [api.value, /takes agent tokens only/],
      ] as const) {
        const run = await roster(['mcp'], { cwd: dir, env: { ROSTER_HOME: home, ...(token ? { ROSTER_TOKEN: token } : {}) } });
        assert.notEqual(run.code, 0);
        assert.equal(run.stdout, '');
        assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
        assert.match(run.stderr, message);
        for (const secret of [api.value, revoked.value]) assert.ok(!run.stderr.includes(secret), 'the token is never echoed');
      }
    } finally {
      await tenant.close();
    }
  });
});

describe('roster mcp on the embedded database: an offboarding requested over stdio waits for roster approve', () => {
  it('drafted and requested by the agent; roster apply changes nothing; approved by a person with the CLI, applied, done in both apps', async () => {
    const tenant: Tenant = await startTenant();
    const dir = workspace(tenant.yaml);
    const home = join(dir, '.roster');
    writeFileSync(join(dir, 'roster.yaml'), tenant.yaml);
    try {
      const db = await openDatabase({ home });
      await tenant.sync(db);
      const { value } = await createToken(db, { name: 'helpdesk-bot', kind: 'agent', createdBy: 'operator:alice' });
      // The people at the CLI act through API tokens of their own (the CLI acts as a signed-in identity).
      const alice = await createToken(db, { name: 'alice-cli', kind: 'api', role: 'operator', createdBy: 'operator:alice' });
      const bob = await createToken(db, { name: 'bob-cli', kind: 'api', role: 'approver', createdBy: 'operator:bob' });
      await db.close();

      const client = await connectStdio(dir, { ROSTER_TOKEN: value, ROSTER_HOME: home });
      let planId: string;
      try {
        const { tools } = await client.listTools();
        assert.equal(tools.length, 9);
        const why = await callOk(client, 'explain_access', { person: jane.userName, app: 'scim' });
        assert.match(String(why.answer), /deactivate/);
        const draft = await callOk(client, 'draft_plan', { person: jane.userName });
        planId = String(draft.planId);
        assert.equal((await callOk(client, 'request_plan', { planId })).status, 'held_for_approval');
        assert.match(await callRefused(client, 'request_plan', { planId: 'abcd' }), /no plan abcd/);
      } finally {
        await client.close();
      }

      const mark = tenant.mark();
      const env = { ...tenant.env, ROSTER_HOME: home };
      const early = await roster(['apply', planId], { cwd: dir, env: { ...env, ROSTER_TOKEN: alice.value } });
      assert.equal(early.code, 0, early.stderr);
      assert.match(early.stdout, /0 done, 0 failed, 0 skipped, 2 waiting for approval/);
      assert.deepEqual(tenant.writesSince(mark), []);
      const approved = await roster(['approve', planId], { cwd: dir, env: { ...env, ROSTER_TOKEN: bob.value } });
      assert.equal(approved.code, 0, approved.stderr);
      assert.match(approved.stdout, /approved by token:bob-cli; 2 ready, 0 still waiting/);
      const applied = await roster(['apply', planId], { cwd: dir, env: { ...env, ROSTER_TOKEN: alice.value } });
      assert.equal(applied.code, 0, applied.stderr);
      assert.match(applied.stdout, /2 done/);
      assert.equal(tenant.scim.store.findUserByUserName(jane.userName)?.attrs.active, false);
      assert.equal(tenant.netskope.scim.store.findUserByUserName(jane.userName)?.attrs.active, false);

      const after = await openDatabase({ home });
      try {
        const mine = await queryAudit(after, { actor: agent.actor, limit: 100 });
        assert.deepEqual([...new Set(mine.map((e) => e.action))].sort(), ['mcp.tool_called', 'plan.created', 'plan.requested']);
      } finally {
        await after.close();
      }
    } finally {
      await tenant.close();
    }
  });
});
