import type { Command } from 'commander';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { verifyToken } from '../auth/tokens.ts';
import { RosterError } from '../errors.ts';
import { usageLimitsFromEnvironment, UsageMeter } from '../mcp/limits.ts';
import { createRosterMcpServer } from '../mcp/server.ts';
import { readConfig, withContext, type GlobalOptions } from './context.ts';

export function registerMcp(program: Command): void {
  program
    .command('mcp')
    .description('serve MCP over stdio for an AI agent; its identity is ROSTER_TOKEN, an agent token (roster token create <name> --kind agent)')
    .action(async (_options: unknown, command: Command) => {
      const presented = process.env.ROSTER_TOKEN?.trim();
      if (!presented) throw new RosterError('input_invalid', 'roster mcp needs an agent token in ROSTER_TOKEN (roster token create <name> --kind agent); it serves no one without one');
      const limits = (() => {
        try {
          return usageLimitsFromEnvironment();
        } catch (error) {
          throw new RosterError('input_invalid', (error as Error).message);
        }
      })();
      const globals = command.optsWithGlobals<GlobalOptions>();
      // No app credentials are read: MCP drafts and reads, and never talks to an app.
      const config = readConfig(globals);
      await withContext(
        globals,
        async ({ db }) => {
          const identity = await verifyToken(db, presented);
          if (!identity) throw new RosterError('forbidden', 'ROSTER_TOKEN is not a live roster token (unknown, revoked or mistyped)');
          if (identity.kind !== 'agent') throw new RosterError('forbidden', `ROSTER_TOKEN is a ${identity.kind} token; roster mcp takes agent tokens only (roster token create <name> --kind agent)`);
          const server = createRosterMcpServer({
            db,
            apps: config.apps,
            identity,
            meter: new UsageMeter(db, identity.id, limits),
            // A token revoked while the agent is connected stops working at its next call.
            recheck: async () => {
              if (!(await verifyToken(db, presented))) throw new RosterError('forbidden', 'this agent token was revoked; nothing was done');
            },
          });
          const transport = new StdioServerTransport();
          const closed = new Promise<void>((resolve) => {
            transport.onclose = () => resolve();
            process.stdin.once('end', () => resolve());
            for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve());
          });
          await server.connect(transport);
          process.stderr.write(`roster mcp: serving ${identity.actor} over stdio (${config.apps.length} app${config.apps.length === 1 ? '' : 's'})\n`);
          await closed;
          await server.close().catch(() => undefined);
        },
        config,
      );
    });
}
