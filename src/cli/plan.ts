import type { Command } from 'commander';
import { createConnector } from '../connectors/modules.ts';
import type { Change } from '../core/plan.ts';
import { applyPlan } from '../engine/apply.ts';
import { decide, planGate } from '../engine/approvals.ts';
import { makePlan } from '../engine/planning.ts';
import { restoreSnapshot } from '../engine/restore.ts';
import { RosterError } from '../errors.ts';
import type { StoredPlan } from '../store/plans.ts';
import { readConfig, withContext, type GlobalOptions } from './context.ts';
import { requireIdentity } from './identity.ts';
import { leaseMsFromEnvironment } from './settings.ts';
import { trapShutdown } from './shutdown.ts';

export function formatPlan(plan: StoredPlan, options: { requests?: boolean } = {}): string {
  const lines = [`plan ${plan.id} (requested by ${plan.requestedBy}, ${plan.status}): ${plan.changes.length} change${plan.changes.length === 1 ? '' : 's'}`];
  for (const held of plan.held) lines.push(`  ! ${held.reason}`);
  const byApp = new Map<string, Change[]>();
  for (const change of plan.changes) byApp.set(change.app, [...(byApp.get(change.app) ?? []), change]);
  for (const [app, changes] of byApp) {
    lines.push(`\n${app}:`);
    for (const c of changes) {
      const mark = c.approval.length > 0 ? '!' : c.kind === 'create' || c.kind === 'add-member' || c.kind === 'activate' ? '+' : c.kind === 'update' ? '~' : '-';
      lines.push(`  ${mark} ${c.kind.padEnd(13)} ${c.subject}${c.group ? ` → ${c.group}` : ''}`);
      lines.push(`      ${c.reason}`);
      if (c.attributes && c.kind === 'update') lines.push(`      set ${Object.entries(c.attributes).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}`);
      if (c.approval.length > 0) lines.push(`      needs approval: ${c.approval.join('; ')}`);
      if (options.requests) for (const r of c.requests) lines.push(`      ${r.method} ${r.path}${r.body === undefined ? '' : ` ${JSON.stringify(r.body)}`}${r.merged ? '  (one request for the batch’s members of this group)' : ''}`);
    }
  }
  if (plan.changes.length === 0) lines.push(plan.held.length > 0 ? '\nNothing to apply: what is left is not planned, for the reasons above.' : '\nNothing to change: every app matches the policy.');
  else lines.push(`\nApply with: roster apply ${plan.id}${plan.changes.some((c) => c.approval.length > 0) ? `  (held changes wait for: roster approve ${plan.id} — by someone else)` : ''}`);
  return lines.join('\n');
}

export function registerPlanCommands(program: Command): void {
  program
    .command('plan')
    .description('show what roster would change in each app to match the policy, and save it as a plan')
    .option('--app <name...>', 'only these apps')
    .option('--person <userName...>', 'only changes for these people')
    .option('--requests', 'show the HTTP requests each change will make')
    .option('--json', 'machine-readable output')
    .action(async (options: { app?: string[]; person?: string[]; requests?: boolean; json?: boolean }, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      await withContext(globals, async ({ db, config, home }) => {
        const identity = await requireIdentity({ db, home }, 'plan');
        const progress = process.stderr.isTTY ? ({ app, planned, of, changes }: { app: string; planned: number; of: number; changes: number }) => process.stderr.write(`planned ${app} (${planned}/${of}): ${changes} changes\n`) : undefined;
        const plan = await makePlan(db, config.apps, { actor: identity.actor, apps: options.app, people: options.person, onApp: progress });
        console.log(options.json ? JSON.stringify(plan, null, 2) : formatPlan(plan, { requests: options.requests }));
      });
    });

  program
    .command('apply')
    .description('carry out a saved plan: changes that need no approval, and approved ones; resumes an interrupted apply')
    .argument('<plan>', 'plan id (or its first characters)')
    .option('--no-wait', 'queue the work for `roster worker` instead of doing it here')
    .option('--retries <n>', 'retries of a failing change before it is escalated (default 5)')
    .action(async (planId: string, options: { wait: boolean; retries?: string }, command: Command) => {
      const retries = options.retries === undefined ? undefined : Number(options.retries);
      if (retries !== undefined && (!Number.isInteger(retries) || retries < 0 || retries > 50)) throw new RosterError('input_invalid', `--retries must be a whole number from 0 to 50, not ${options.retries}`);
      const globals = command.optsWithGlobals<GlobalOptions>();
      // Settings are read before anything starts: a bad value is one line and changes nothing.
      const leaseMs = leaseMsFromEnvironment();
      const shutdown = trapShutdown('apply');
      await withContext(
        globals,
        async ({ db, config, home }) => {
          const identity = await requireIdentity({ db, home }, 'apply');
          const progress = progressLine();
          const report = await applyPlan(db, config.apps, planId, { actor: identity.actor, connectorFor: createConnector, wait: options.wait, signal: shutdown.signal, leaseMs, onProgress: progress.update, ...(retries === undefined ? {} : { retry: { limit: retries, delaySeconds: 1 } }) });
          progress.end();
          if (shutdown.signal.aborted) console.log(`plan ${report.plan.id}: stopped by a signal; what is left is queued (roster worker, or roster apply ${report.plan.id} again, carries it on)`);
          if (report.alreadyApplied) {
            console.log(`plan ${report.plan.id} was applied already; nothing to do (roster audit --action change shows what it did)`);
            return;
          }
          const ops = report.operations;
          const inState = (state: string) => ops.filter((o) => o.state === state);
          const done = inState('done');
          const failed = inState('failed');
          const skipped = inState('skipped');
          const notLive = inState('staged');
          const already = done.filter((o) => o.result?.alreadyDone === true).length;
          console.log(
            `plan ${report.plan.id}: ${done.length} done${already ? ` (${already} already in place)` : ''}, ${failed.length} failed, ${skipped.length} skipped, ${report.gate.waiting.length} waiting for approval, ${report.gate.rejected.length} rejected`,
          );
          for (const op of failed) console.log(`  failed ${op.changeId}: ${op.lastError}`);
          for (const op of skipped.slice(0, 20)) console.log(`  skipped ${op.changeId}: ${op.lastError}`);
          for (const op of notLive) console.log(`  not live yet ${op.changeId}: ${op.lastError ?? 'written, awaiting activation'}`);
          for (const w of report.gate.waiting.slice(0, 10)) console.log(`  waiting ${w.change.id}: ${w.why.join('; ')}`);
          if (!options.wait) console.log(`  ${inState('queued').length} queued for roster worker`);
          else if (report.deferred.length > 0) {
            const first = report.deferred[0];
            console.log(`  ${report.deferred.length} deferred (${first?.why}; until ${first?.until.toISOString()}): roster worker, or roster apply ${report.plan.id} again later, carries them out`);
          }
          const problems: string[] = [];
          if (failed.length > 0) problems.push(`${failed.length} change${failed.length > 1 ? 's' : ''} failed (roster audit --action change.escalated)`);
          if (options.wait && report.leaversNotDone.length > 0) problems.push(`${report.leaversNotDone.length} leaver change${report.leaversNotDone.length > 1 ? 's' : ''} not done: ${report.leaversNotDone.slice(0, 5).map((o) => o.changeId).join(', ')}${report.leaversNotDone.length > 5 ? ', …' : ''}`);
          if (options.wait && notLive.length > 0) problems.push(`${notLive.length} change${notLive.length > 1 ? 's are' : ' is'} written but not live`);
          if (problems.length > 0) throw new RosterError('app_error', `plan ${report.plan.id}: ${problems.join('; ')}`);
        },
        readConfig(globals, { appSecrets: true }),
      ).finally(() => shutdown.dispose());
    });

  for (const decision of ['approve', 'reject'] as const) {
    program
      .command(decision)
      .description(`${decision} a plan, or some of its changes (four eyes: not by the person who requested it)`)
      .argument('<plan>', 'plan id (or its first characters)')
      .option('--change <id...>', 'only these changes')
      .option('--note <text>', 'why')
      .action(async (planId: string, options: { change?: string[]; note?: string }, command: Command) => {
        await withContext(command.optsWithGlobals<GlobalOptions>(), async ({ db, home }) => {
          const identity = await requireIdentity({ db, home }, 'approve');
          const plan = await decide(db, planId, decision === 'approve' ? 'approved' : 'rejected', { actor: identity.actor, onBehalfOf: identity.owner, changeIds: options.change, note: options.note });
          const gate = await planGate(db, plan);
          console.log(`plan ${plan.id}: ${decision === 'approve' ? 'approved' : 'rejected'} by ${identity.actor}; ${gate.ready.length} ready, ${gate.waiting.length} still waiting, ${gate.rejected.length} rejected`);
        });
      });
  }

  program
    .command('restore')
    .description('re-create a deleted account from the snapshot taken before it was deleted')
    .argument('<snapshot>', 'snapshot id (roster audit --action snapshot.taken lists them)')
    .action(async (snapshotId: string, _options: unknown, command: Command) => {
      const id = Number(snapshotId);
      if (!Number.isInteger(id) || id < 1) throw new RosterError('input_invalid', `snapshot ids are whole numbers, not ${snapshotId}`);
      const globals = command.optsWithGlobals<GlobalOptions>();
      await withContext(
        globals,
        async ({ db, config, home }) => {
          const identity = await requireIdentity({ db, home }, 'apply');
          const restored = await restoreSnapshot(db, id, (name) => {
            const app = config.apps.find((a) => a.name === name);
            if (!app) throw new RosterError('config_invalid', `snapshot ${id} is of app ${name}, which is not configured`);
            return createConnector(app);
          }, identity.actor);
          console.log(`restored ${restored.userName ?? restored.email} as account ${restored.remoteId}`);
        },
        readConfig(globals, { appSecrets: true }),
      );
    });
}

/** Progress of a long apply on stderr: redrawn in place on a terminal, a line every few seconds elsewhere. */
function progressLine(): { update: (p: { finished: number; total: number; done: number; failed: number; skipped: number }) => void; end: () => void } {
  let last = '';
  let lastAt = 0;
  let drawn = false;
  return {
    update({ finished, total, done, failed, skipped }) {
      const line = `applying: ${finished}/${total} finished (${done} done, ${failed} failed, ${skipped} skipped)`;
      if (line === last || total === 0) return;
      if (process.stderr.isTTY) {
        process.stderr.write(`\r${line}`);
        drawn = true;
      } else if (Date.now() - lastAt > 2000) {
        process.stderr.write(`${line}\n`);
        lastAt = Date.now();
      }
      last = line;
    },
    end() {
      if (drawn) process.stderr.write('\n');
    },
  };
}
