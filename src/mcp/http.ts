// /mcp over streamable HTTP, stateless: each POST carries its Bearer agent token, is answered by a
// server made for that identity, and leaves nothing behind. No session to keep or share, so any
// `roster serve` behind a balancer answers any call, and a revoked token stops at its next request.
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { Hono, type Context } from 'hono';
import type { Identity } from '../auth/identity.ts';
import type { ResolvedApp } from '../config/load.ts';
import { log } from '../log.ts';
import type { Database, Queryable } from '../store/database.ts';
import { defaultUsageLimits, UsageMeter, type UsageLimits } from './limits.ts';
import { createRosterMcpServer } from './server.ts';

/** Resolves a presented token to who it is (src/auth/tokens.ts verifyToken), or undefined. */
export type VerifyToken = (db: Queryable, presented: string) => Promise<Identity | undefined>;

export interface McpHttpOptions {
  db: Database;
  apps: readonly ResolvedApp[];
  verify: VerifyToken;
  limits?: UsageLimits | undefined;
}

/** Largest request body /mcp reads (a tool call's arguments are small; the schemas cap every string). */
const maxBodyBytes = 256 * 1024;

const unauthorized = (c: Context, message: string) => c.json({ error: { code: 'unauthenticated', message } }, 401, { 'www-authenticate': 'Bearer realm="roster-mcp"' });

export function mcpRoutes(options: McpHttpOptions): Hono {
  const routes = new Hono();
  routes.all('/', async (c) => {
    const header = c.req.header('authorization') ?? '';
    const presented = /^bearer\s+(\S+)\s*$/i.exec(header)?.[1];
    if (!presented) return unauthorized(c, 'send a roster agent token as Authorization: Bearer <token> (roster token create <name> --kind agent)');
    const identity = await options.verify(options.db, presented);
    if (!identity) return unauthorized(c, 'the bearer token is not a live roster token');
    if (identity.kind !== 'agent') return unauthorized(c, 'the bearer token is not an agent token; /mcp takes agent tokens only (roster token create <name> --kind agent)');
    if (c.req.method !== 'POST') return c.json({ error: { code: 'method_not_allowed', message: '/mcp is stateless: send each JSON-RPC message as a POST' } }, 405, { allow: 'POST' });
    const server = createRosterMcpServer({ db: options.db, apps: options.apps, identity, meter: new UsageMeter(options.db, identity.id, options.limits ?? defaultUsageLimits) });
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true, maxRequestBodySize: maxBodyBytes });
    try {
      await server.connect(transport);
      return await transport.handleRequest(c.req.raw);
    } catch (error) {
      log.error({ err: error instanceof Error ? error.message : String(error) }, 'MCP request failed');
      return c.json({ jsonrpc: '2.0', error: { code: -32603, message: 'roster failed to handle the request; nothing was changed' }, id: null }, 500);
    } finally {
      await server.close().catch(() => undefined);
    }
  });
  return routes;
}
