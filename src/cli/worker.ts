import type { Command } from 'commander';
import { Hono } from 'hono';
import { createConnector } from '../connectors/modules.ts';
import { Executor } from '../engine/executor.ts';
import { startQueue } from '../engine/queue.ts';
import { RosterError } from '../errors.ts';
import { readStateFrom } from '../metrics.ts';
import { healthRoutes, Readiness } from '../server/health.ts';
import { listen, type Listening } from '../server/listen.ts';
import { readConfig, withContext, type GlobalOptions } from './context.ts';
import { leaseMsFromEnvironment } from './settings.ts';
import { trapShutdown } from './shutdown.ts';

interface WorkerOptions {
  metricsPort?: string;
  metricsHost: string;
}

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('carry out queued operations until stopped (run several against one PostgreSQL to scale out)')
    .option('--metrics-port <n>', 'serve /metrics, /healthz and /readyz on this port')
    .option('--metrics-host <address>', 'address for --metrics-port', '127.0.0.1')
    .action(async (options: WorkerOptions, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const metricsPort = options.metricsPort === undefined ? undefined : Number(options.metricsPort);
      if (metricsPort !== undefined && (!Number.isInteger(metricsPort) || metricsPort < 0 || metricsPort > 65535)) {
        throw new RosterError('input_invalid', `--metrics-port must be a port number (0-65535), not ${options.metricsPort}`);
      }
      // Settings are read before anything starts: a bad value is one line and changes nothing.
      const leaseMs = leaseMsFromEnvironment();
      const shutdown = trapShutdown('worker');
      try {
        await withContext(
          globals,
          async ({ db, config }) => {
            const readiness = new Readiness(db, { queue: true });
            shutdown.signal.addEventListener('abort', () => readiness.stopping());
            readStateFrom(db);
            let metrics: Listening | undefined;
            if (metricsPort !== undefined) {
              const app = new Hono();
              healthRoutes(app, db, readiness);
              metrics = await listen(app, options.metricsHost, metricsPort);
              console.error(`roster worker: metrics at ${metrics.origin}/metrics`);
            }
            const boss = await startQueue(db);
            readiness.queueStarted();
            const executor = new Executor({
              db,
              leaseMs,
              boss,
              actor: 'system:worker',
              signal: shutdown.signal,
              appFor: (name) => config.apps.find((a) => a.name === name),
              connectorFor: (name) => {
                const app = config.apps.find((a) => a.name === name);
                if (!app) throw new RosterError('config_invalid', `queued work for ${name}, which is not configured`);
                return createConnector(app);
              },
            });
            console.error('roster worker: working the queue (Ctrl-C to stop)');
            readiness.ready();
            try {
              await executor.runUntil(async () => false, 500);
            } finally {
              await executor.close();
              await boss.stop({ graceful: true, close: false, timeout: 5000 });
              await metrics?.close();
              readStateFrom(undefined);
            }
          },
          readConfig(globals, { appSecrets: true }),
        );
      } finally {
        shutdown.dispose();
      }
    });
}
