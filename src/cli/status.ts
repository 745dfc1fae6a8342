import type { Command } from 'commander';
import { appStatuses } from '../engine/findings.ts';
import { countPeople } from '../store/people.ts';
import { withContext, type GlobalOptions } from './context.ts';
import { formatStatus, statusAsJson } from './format.ts';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('per app: linked, orphaned, missing, leavers still active, drift — from the last good sync')
    .option('--json', 'machine-readable output')
    .option('--limit <n>', 'examples shown per finding', '5')
    .action(async (options: { json?: boolean; limit: string }, command: Command) => {
      await withContext(command.optsWithGlobals<GlobalOptions>(), async ({ db }) => {
        const statuses = await appStatuses(db);
        if (options.json) {
          console.log(JSON.stringify({ people: await countPeople(db), apps: statusAsJson(statuses) }, null, 2));
          return;
        }
        const people = await countPeople(db);
        console.log(`${people.total.toLocaleString('en-US')} people (${people.active.toLocaleString('en-US')} active)\n`);
        console.log(formatStatus(statuses, { limit: Math.max(0, Number(options.limit) || 5) }));
      });
    });
}
