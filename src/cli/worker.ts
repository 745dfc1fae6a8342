import type { Command } from 'commander';
import { createConnector } from '../connectors/modules.ts';
import { Executor } from '../engine/executor.ts';
import { startQueue } from '../engine/queue.ts';
import { RosterError } from '../errors.ts';
import { readConfig, withContext, type GlobalOptions } from './context.ts';

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('carry out queued operations until stopped (run several against one PostgreSQL to scale out)')
    .action(async (_options: unknown, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      await withContext(
        globals,
        async ({ db, config }) => {
          const boss = await startQueue(db);
          const executor = new Executor({
            db,
            boss,
            actor: 'system:worker',
            appFor: (name) => config.apps.find((a) => a.name === name),
            connectorFor: (name) => {
              const app = config.apps.find((a) => a.name === name);
              if (!app) throw new RosterError('config_invalid', `queued work for ${name}, which is not configured`);
              return createConnector(app);
            },
          });
          let stopping = false;
          for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => (stopping = true));
          console.error('roster worker: working the queue (Ctrl-C to stop)');
          try {
            await executor.runUntil(async () => stopping, 500);
          } finally {
            await executor.close();
            await boss.stop({ graceful: true, close: false, timeout: 5000 });
          }
        },
        readConfig(globals, { appSecrets: true }),
      );
    });
}
