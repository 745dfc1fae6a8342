import type { Command } from 'commander';
import { queryAudit, verifyAudit } from '../audit/trail.ts';
import { RosterError } from '../errors.ts';
import { withContext, type GlobalOptions } from './context.ts';

export function registerAudit(program: Command): void {
  const audit = program
    .command('audit')
    .description('query the audit trail, newest first')
    .option('--action <prefix>', 'actions starting with this, e.g. sync or app.read')
    .option('--app <name>', 'one app')
    .option('--actor <actor>', 'one actor, e.g. operator:alice')
    .option('--since <time>', 'ISO date or time')
    .option('--limit <n>', 'at most this many', '50')
    .option('--json', 'one JSON object per line')
    .action(async (options: { action?: string; app?: string; actor?: string; since?: string; limit: string; json?: boolean }, command: Command) => {
      const since = options.since ? new Date(options.since) : undefined;
      if (since && Number.isNaN(since.getTime())) throw new RosterError('input_invalid', `--since must be an ISO date or time, not ${options.since}`);
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new RosterError('input_invalid', `--limit must be a positive whole number, not ${options.limit}`);
      await withContext(command.optsWithGlobals<GlobalOptions>(), async ({ db }) => {
        const events = await queryAudit(db, { action: options.action, appName: options.app, actor: options.actor, since, limit });
        for (const e of events) {
          if (options.json) console.log(JSON.stringify(e));
          else console.log(`${e.at.toISOString()}  ${e.actor.padEnd(18)} ${e.action.padEnd(16)} ${e.outcome.padEnd(7)} ${e.appName ?? '-'}  ${e.target ?? ''}  ${JSON.stringify(e.detail)}`);
        }
        if (!options.json && events.length === 0) console.log('no audit events match');
      });
    });

  audit
    .command('verify')
    .description('check the hash chain of the whole trail; names the first event that was edited, deleted or reordered')
    .action(async (_options: unknown, command: Command) => {
      await withContext(command.optsWithGlobals<GlobalOptions>(), async ({ db }) => {
        const result = await verifyAudit(db);
        const before = result.unchained > 0 ? ` (${result.unchained} older events predate the chain)` : '';
        if (result.broken) throw new RosterError('input_invalid', `audit trail broken at event ${result.broken.id}: ${result.broken.problem}; ${result.verified} events before it verified${before}`);
        console.log(`audit trail intact: ${result.verified} events verified${before}; head ${result.head ?? 'none'}${result.pending > 0 ? `; ${result.pending} newer events not chained yet (written meanwhile)` : ''}`);
      });
    });
}
