import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createToken, revokeToken } from '../src/auth/tokens.ts';
import { decide } from '../src/engine/approvals.ts';
import type { Database } from '../src/store/database.ts';
import { openTestDatabase, testPostgresUrl } from '../src/store/testing.ts';
import { roster, spawnRoster, workspace } from './support/cli.ts';
import { callOk } from './support/mcp-suite.ts';
import { jane, startTenant, type Tenant } from './support/mcp-tenant.ts';

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

describe('/mcp on roster serve, with real agent tokens and the worker running (postgres)', () => {
  let db: Database;
  let tenant: Tenant;
  let server: ChildProcess | undefined;
  let origin: string;
  let env: Record<string, string>;
  let dir: string;

  before(async () => {
    db = await openTestDatabase('postgres');
    tenant = await startTenant();
    await tenant.sync(db);
    dir = workspace(tenant.yaml);
    env = { ...tenant.env, DATABASE_URL: testPostgresUrl, ROSTER_DB_SCHEMA: db.schema ?? '', ROSTER_CONFIG: join(dir, 'roster.yaml') };
    server = spawnRoster(['serve', '--port', '0'], { cwd: dir, env });
    origin = await new Promise<string>((resolve, reject) => {
      let text = '';
      server?.stderr?.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        const found = /MCP at (http:\/\/127\.0\.0\.1:\d+)\/mcp/.exec(text);
        if (found?.[1]) resolve(found[1]);
      });
      server?.once('exit', (code) => reject(new Error(`roster serve exited ${code}: ${text}`)));
    });
  });
  after(async () => {
    if (server && server.exitCode === null) {
      server.kill('SIGTERM');
      await new Promise((resolve) => server?.once('exit', resolve));
    }
    await tenant.close();
    await db.close();
  });

  it('the serve worker carries out nothing of a requested plan until a person approves; a revoked token is refused at its next request', async () => {
    const { value } = await createToken(db, { name: 'helpdesk-bot', kind: 'agent', createdBy: 'operator:alice' });
    const api = await createToken(db, { name: 'script', kind: 'api', role: 'admin', createdBy: 'operator:alice' });
    const operator = await createToken(db, { name: 'alice-cli', kind: 'api', role: 'operator', createdBy: 'operator:alice' });
    const refused = await fetch(`${origin}/mcp`, { method: 'POST', headers: { authorization: `Bearer ${api.value}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: '{"jsonrpc":"2.0","id":1,"method":"tools/list"}' });
    assert.equal(refused.status, 401, 'an admin API token is no agent token');

    const client = new Client({ name: 'roster-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${origin}/mcp`), { requestInit: { headers: { authorization: `Bearer ${value}` } } }));
    try {
      const mark = tenant.mark();
      const draft = await callOk(client, 'draft_plan', { person: jane.userName });
      const planId = String(draft.planId);
      await callOk(client, 'request_plan', { planId });
      const queued = await roster(['apply', planId, '--no-wait'], { cwd: dir, env: { ...env, ROSTER_TOKEN: operator.value } });
      assert.equal(queued.code, 0, queued.stderr);
      assert.match(queued.stdout, /2 waiting for approval/);
      assert.match(queued.stdout, /0 queued for roster worker/);
      assert.deepEqual(tenant.writesSince(mark), []);

      await decide(db, planId, 'approved', { actor: 'operator:bob' });
      const approved = await roster(['apply', planId, '--no-wait'], { cwd: dir, env: { ...env, ROSTER_TOKEN: operator.value } });
      assert.equal(approved.code, 0, approved.stderr);
      await until(() => tenant.scim.store.findUserByUserName(jane.userName)?.attrs.active === false && tenant.netskope.scim.store.findUserByUserName(jane.userName)?.attrs.active === false, 'the approved deactivations, by the worker inside roster serve');
      // The apps show the change as soon as it is made; the operation is done once it is read back and recorded.
      const states = async () => ((await callOk(client, 'request_status', { planId })).changes as { state: string }[] | undefined)?.map((c) => c.state).sort();
      await until(async () => (await states())?.every((state) => state !== 'queued' && state !== 'running') ?? false, 'both operations to finish');
      assert.deepEqual(await states(), ['done', 'done']);

      await revokeToken(db, 'helpdesk-bot');
      await assert.rejects(client.callTool({ name: 'app_health', arguments: {} }), /401|not a live roster token/);
    } finally {
      await client.close().catch(() => undefined);
    }
  });
});
