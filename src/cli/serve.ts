import type { Command } from 'commander';
import { createConnector } from '../connectors/modules.ts';
import { Executor } from '../engine/executor.ts';
import { FanOut } from '../engine/inbound.ts';
import { startQueue } from '../engine/queue.ts';
import { RosterError } from '../errors.ts';
import { createServerApp } from '../server/app.ts';
import { listen } from '../server/listen.ts';
import { readConfig, withContext, type GlobalOptions } from './context.ts';

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
      await withContext(
        globals,
        async ({ db }) => {
          const queue = config.apps.length > 0 ? await startQueue(db) : undefined;
          const fanOut = new FanOut({ db, apps: config.apps, connectorFor: createConnector, queue });
          const app = createServerApp({ db, fanOut, auth: { oidc: config.auth.oidc } });
          const server = await listen(app, host, port);
          let stopping = false;
          const stopped = new Promise<void>((resolve) => {
            for (const signal of ['SIGINT', 'SIGTERM'] as const) {
              process.once(signal, () => {
                stopping = true;
                resolve();
              });
            }
          });
          console.error(`roster serve: SCIM at ${server.origin}/scim/v2${options.worker ? ', carrying out queued work' : ' (no worker: run roster worker)'} (Ctrl-C to stop)`);
          let executor: Executor | undefined;
          let working: Promise<void> = Promise.resolve();
          if (options.worker && queue) {
            executor = new Executor({
              db,
              boss: queue,
              actor: 'system:worker',
              appFor: (name) => config.apps.find((a) => a.name === name),
              connectorFor: (name) => {
                const found = config.apps.find((a) => a.name === name);
                if (!found) throw new RosterError('config_invalid', `queued work for ${name}, which is not configured`);
                return createConnector(found);
              },
            });
            working = executor.runUntil(async () => stopping, 100);
          }
          try {
            await stopped;
          } finally {
            await server.close();
            await fanOut.idle();
            await working.catch(() => undefined);
            await executor?.close();
            await queue?.stop({ graceful: true, close: false, timeout: 5000 });
          }
        },
        config,
      );
    });
}
