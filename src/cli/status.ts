import type { Command } from 'commander';
import { appStatuses } from '../engine/findings.ts';
import { countPeople } from '../store/people.ts';
import { sourceSummaries, type SourceSummary } from '../store/sources.ts';
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
          console.log(JSON.stringify({ people: await countPeople(db), sources: await sourceSummaries(db), apps: statusAsJson(statuses) }, null, 2));
          return;
        }
        const people = await countPeople(db);
        console.log(`${people.total.toLocaleString('en-US')} people (${people.active.toLocaleString('en-US')} active)`);
        for (const line of (await sourceSummaries(db)).map(formatSource)) console.log(`  ${line}`);
        console.log('');
        console.log(formatStatus(statuses, { limit: Math.max(0, Number(options.limit) || 5) }));
      });
    });
}

/** One line per people source: how many people it brought, and its last pull. */
function formatSource(s: SourceSummary): string {
  const people = `${s.source}: ${s.people.toLocaleString('en-US')} people (${s.active.toLocaleString('en-US')} active)`;
  const pull = s.lastPull;
  if (!pull) return people;
  const when = pull.finishedAt.toISOString().replace(/\.\d+Z$/, 'Z');
  return pull.status === 'failed'
    ? `${people}; last pull FAILED at ${when}: ${pull.error ?? 'unknown error'}`
    : `${people}; last ${pull.mode} pull ${when}: ${pull.peopleChanged} changed, ${pull.requests} requests (fewest possible ${pull.minimumRequests})`;
}
