import type { Command } from 'commander';
import { createConnector } from '../connectors/modules.ts';
import { pullSource, pullSourcesNamed, type PullReport } from '../engine/pull.ts';
import { RosterError } from '../errors.ts';
import { readConfig, withContext, type GlobalOptions } from './context.ts';
import { requireIdentity } from './identity.ts';

export function formatPullReport(r: PullReport): string {
  const lines = [
    `${r.source}: ${r.mode} pull${r.fellBack ? ` (${r.fellBack})` : ''}: read ${r.read.people} people, ${r.read.groups} groups, ${r.read.assignments} app assignments in ${r.requests} requests (fewest possible ${r.minimumRequests})`,
    `${r.source}: ${r.changed.length} people changed (${r.created} new, ${r.updated} updated), ${r.leavers.length} leaver${r.leavers.length === 1 ? '' : 's'}`,
  ];
  for (const l of r.leavers.slice(0, 20)) lines.push(`  leaver ${l.userName}: ${l.reason}`);
  if (r.leavers.length > 20) lines.push(`  … and ${r.leavers.length - 20} more leavers`);
  for (const c of r.conflicts.slice(0, 10)) lines.push(`  conflict: ${c}`);
  for (const p of r.problems.slice(0, 10)) lines.push(`  not taken: ${p}`);
  if (r.plan) {
    lines.push(`${r.source}: plan ${r.plan.id}: ${r.plan.changes} change${r.plan.changes === 1 ? '' : 's'}, ${r.plan.queued} queued for roster worker, ${r.plan.waitingApproval} waiting for approval`);
    for (const held of r.plan.held) lines.push(`  ! ${held}`);
  } else if (r.notPlanned) lines.push(`${r.source}: not planned: ${r.notPlanned}`);
  if (r.planError) lines.push(`${r.source}: planning FAILED: ${r.planError}`);
  return lines.join('\n');
}

export function registerPull(program: Command): void {
  program
    .command('pull')
    .description('read people, groups and app assignments from the Entra ID / Okta sources in roster.yaml (what changed since the last pull), then plan for the people who changed and queue what policy allows')
    .option('--source <name>', 'only this source')
    .option('--full', 'read everything, not only what changed (also finds people deleted from the IdP)')
    .option('--no-plan', 'only read: do not plan or queue')
    .action(async (options: { source?: string; full?: boolean; plan: boolean }, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const config = readConfig(globals, { appSecrets: true });
      const sources = pullSourcesNamed(config.sources, options.source);
      await withContext(
        globals,
        async ({ db, home }) => {
          const identity = await requireIdentity({ db, home }, 'plan');
          const failed: string[] = [];
          const planFailed: string[] = [];
          for (const source of sources) {
            let lastAt = 0;
            const report = await pullSource(db, source, {
              actor: identity.actor,
              full: options.full,
              apps: config.apps,
              plan: options.plan,
              connectorFor: createConnector,
              onProgress: (p) => {
                if (Date.now() - lastAt < 1000) return;
                lastAt = Date.now();
                process.stderr.write(`${p.source}: reading ${p.phase}: ${p.read}\n`);
              },
            }).catch((error: unknown) => {
              failed.push(`${source.name}: ${error instanceof Error ? error.message : String(error)}`);
              return undefined;
            });
            if (report) console.log(formatPullReport(report));
            if (report?.planError) planFailed.push(`${source.name}: ${report.planError}`);
          }
          if (failed.length > 0) throw new RosterError('app_unreachable', `pull failed (the stored cursors are kept, nothing changed): ${failed.join('; ')}`);
          if (planFailed.length > 0) throw new RosterError('app_error', `people were pulled, but planning for them failed (run roster plan once it is fixed): ${planFailed.join('; ')}`);
        },
        config,
      );
    });
}
