import type { Command } from 'commander';
import { verifyToken } from '../auth/tokens.ts';
import { createConnector } from '../connectors/modules.ts';
import { Executor } from '../engine/executor.ts';
import { FanOut } from '../engine/inbound.ts';
import { startQueue } from '../engine/queue.ts';
import { RosterError } from '../errors.ts';
import { readStateFrom } from '../metrics.ts';
import { usageLimitsFromEnvironment } from '../mcp/limits.ts';
import { createServerApp } from '../server/app.ts';
import { Readiness } from '../server/health.ts';
import { listen } from '../server/listen.ts';
import { readConfig, withContext, type GlobalOptions } from './context.ts';
import { leaseMsFromEnvironment } from './settings.ts';
import { trapShutdown } from './shutdown.ts';

interface ServeOptions {
  port?: string;
  host?: string;
  worker: boolean;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve inbound SCIM 2.0 at /scim/v2 for Entra ID and Okta; each change is planned at once and carried out by the worker inside')
    .option('--port <n>', 'port to listen on (default: server.port in roster.yaml, else 8080)')
    .option('--host <address>', 'address to listen on (default: server.host, else 127.0.0.1)')
    .option('--no-worker', 'only queue the work (leave it to roster worker processes on a shared PostgreSQL)')
    .action(async (options: ServeOptions, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const config = readConfig(globals, { appSecrets: true });
      const port = options.port === undefined ? config.server.port : Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RosterError('input_invalid', `--port must be a port number (0-65535), not ${options.port}`);
      const host = options.host ?? config.server.host;
      // Settings are read before anything starts: a bad value is one line and changes nothing.
      const leaseMs = leaseMsFromEnvironment();
      const shutdown = trapShutdown('serve');
      try {
        await withContext(
          globals,
          async ({ db }) => {
            const readiness = new Readiness(db, { queue: config.apps.length > 0 });
            shutdown.signal.addEventListener('abort', () => readiness.stopping());
            readStateFrom(db);
            const queue = config.apps.length > 0 ? await startQueue(db) : undefined;
            if (queue) readiness.queueStarted();
            const fanOut = new FanOut({ db, apps: config.apps, connectorFor: createConnector, queue });
            const server = await listen(createServerApp({ db, fanOut, readiness, apps: config.apps, queue, auth: { oidc: config.auth.oidc }, mcp: { db, apps: config.apps, verify: verifyToken, limits: usageLimitsFromEnvironment() } }), host, port);
            console.error(`roster serve: dashboard at ${server.origin}/, API at ${server.origin}/api (OpenAPI: /api/openapi.json), SCIM at ${server.origin}/scim/v2, MCP at ${server.origin}/mcp${options.worker ? ', carrying out queued work' : ' (no worker: run roster worker)'} (Ctrl-C to stop)`);
            let executor: Executor | undefined;
            let working: Promise<void> = Promise.resolve();
            if (options.worker && queue) {
              executor = new Executor({
                db,
                leaseMs,
                boss: queue,
                actor: 'system:worker',
                signal: shutdown.signal,
                appFor: (name) => config.apps.find((a) => a.name === name),
                connectorFor: (name) => {
                  const found = config.apps.find((a) => a.name === name);
                  if (!found) throw new RosterError('config_invalid', `queued work for ${name}, which is not configured`);
                  return createConnector(found);
                },
              });
              working = executor.runUntil(async () => false, 100);
            }
            readiness.ready();
            try {
              await shutdown.requested;
            } finally {
              // New connections are refused; requests in flight finish (and their fan-out with them).
              await server.close();
              await fanOut.idle();
              await working.catch(() => undefined);
              await executor?.close();
              await queue?.stop({ graceful: true, close: false, timeout: 5000 });
              readStateFrom(undefined);
            }
          },
          config,
          // Requests are answered while the embedded database works on its own thread. Should the
          // thread die, every statement fails from then on: stop, and exit non-zero, so that a
          // supervisor starts roster again (its committed work is on disk).
          { thread: true, onLost: (error) => shutdown.fail(error.message) },
        );
        if (shutdown.failure) throw new Error(`roster serve stopped: ${shutdown.failure}`);
      } finally {
        shutdown.dispose();
      }
    });
}
