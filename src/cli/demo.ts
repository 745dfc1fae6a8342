import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { stringify } from 'yaml';
import type { Command } from 'commander';
import { recordAudit } from '../audit/trail.ts';
import { parseConfig } from '../config/load.ts';
import { generateOrganisation } from '../core/sample-org.ts';
import { appStatuses } from '../engine/findings.ts';
import { applyPlan } from '../engine/apply.ts';
import { makePlan } from '../engine/planning.ts';
import { createConnector } from '../connectors/modules.ts';
import { RosterError } from '../errors.ts';
import { countPeople, upsertPeople } from '../store/people.ts';
import { withContext, type GlobalOptions } from './context.ts';
import { startDemoApps } from './demo/apps.ts';
import { formatStatus, formatSyncResult } from './format.ts';
import { syncApps } from '../engine/sync.ts';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('no setup needed: start simulated apps with messy tenants, import a sample organisation, sync, show what is wrong, and apply the safe part of the fix')
    .option('--size <n>', 'people in the sample organisation', '250')
    .action(async (options: { size: string }, command: Command) => {
      const size = Number(options.size);
      if (!Number.isInteger(size) || size < 10 || size > 200_000) throw new RosterError('input_invalid', `--size must be a whole number from 10 to 200000, not ${options.size}`);
      const globals = command.optsWithGlobals<GlobalOptions>();
      // The demo always starts from nothing, in a home of its own, so it never touches real data.
      const home = resolve(globals.home ?? '.roster/demo');
      rmSync(home, { recursive: true, force: true });
      await runDemo(home, size);
    });
}

async function runDemo(home: string, size: number): Promise<void> {
  const people = generateOrganisation({ size, seed: 1 });
  const apps = await startDemoApps(people);
  try {
    for (const app of apps) Object.assign(process.env, app.env);
    const raw = { home: '.', apps: Object.fromEntries(apps.map((app) => [app.name, app.config])) };
    // Kept beside the demo's database so status, plan and audit can be run on it afterwards.
    const configFile = join(home, 'roster.yaml');
    mkdirSync(home, { recursive: true });
    writeFileSync(configFile, `# Written by roster demo. The simulated apps stopped when the demo ended: status, plan and audit work; sync and apply need them running.\n${stringify(raw)}`);
    const config = parseConfig(raw, configFile, { env: process.env });
    const shown = relative(process.cwd(), configFile);
    console.log(`roster demo: ${apps.length} simulated apps, each with a messy tenant, checked against a sample directory\n`);
    console.log('1. Started:');
    for (const app of apps) console.log(`     ${app.name.padEnd(10)} ${app.title}, ${app.accounts} accounts, at ${String(app.config.baseUrl)}`);
    // The demo runs embedded even when DATABASE_URL is set: it must never write to a real database.
    const savedUrl = process.env.DATABASE_URL;
    delete process.env.DATABASE_URL;
    try {
      await withContext({ home }, async ({ db }) => {
        await db.transaction(async (tx) => {
          await upsertPeople(tx, people, 'sample');
          await recordAudit(tx, { actor: 'operator:demo', action: 'people.imported', target: 'sample organisation', detail: { total: people.length } });
        });
        const counts = await countPeople(db);
        console.log(`2. Imported a sample organisation: ${counts.total} people, ${counts.active} active (roster generate writes one out)`);
        const results = await syncApps(db, config.apps, { actor: 'operator:demo' });
        console.log('3. Synced:');
        for (const result of results) console.log(`     ${formatSyncResult(result)}`);
        const failed = results.filter((r) => !r.ok);
        if (failed.length > 0) throw new RosterError('app_unreachable', `demo sync failed: ${failed.map((r) => `${r.appName}: ${r.error}`).join('; ')}`);
        console.log('4. Findings:\n');
        console.log(indent(formatStatus(await appStatuses(db))));
        const plan = await makePlan(db, config.apps, { actor: 'operator:demo' });
        const held = plan.changes.filter((c) => c.approval.length > 0);
        console.log(`\n5. The plan to fix them (plan ${plan.id}): ${plan.changes.length} changes, ${held.length} held for a second person's approval`);
        for (const app of apps) {
          const kinds = new Map<string, number>();
          for (const change of plan.changes.filter((c) => c.app === app.name)) kinds.set(change.kind, (kinds.get(change.kind) ?? 0) + 1);
          console.log(`     ${app.name.padEnd(10)} ${[...kinds].map(([kind, n]) => `${n} ${kind}`).join(', ') || 'nothing to change'}`);
        }
        const report = await applyPlan(db, config.apps, plan.id, { actor: 'operator:demo', connectorFor: createConnector });
        const inState = (state: string) => report.operations.filter((o) => o.state === state).length;
        console.log(`6. Applied the safe part: ${inState('done')} done, ${inState('failed')} failed, ${inState('skipped')} skipped; ${report.gate.waiting.length} wait for approval (${[...new Set(report.gate.waiting.flatMap((w) => w.why))].join('; ') || 'none'})`);
        for (const op of report.operations.filter((o) => o.state === 'failed').slice(0, 5)) console.log(`     failed ${op.changeId}: ${op.lastError}`);
        console.log(`\nPlanted in the tenant: ${apps[0]?.planted.orphans} orphans, ${apps[0]?.planted.missing} missing, ${apps[0]?.planted.leaversActive} leavers still active, ${apps[0]?.planted.drifted} drifted.`);
        for (const app of apps.slice(1)) console.log(`Planted in ${app.name}: ${count(app.planted.orphans, 'orphan')}, ${app.planted.missing} missing, ${count(app.planted.leaversActive, 'leaver')} still active, ${app.planted.drifted} drifted.`);
        console.log(`
Where to look next:
  ./bin/roster status -c ${shown}                    what is still wrong (--json for all of it)
  ./bin/roster user add me --role admin -c ${shown}  then ./bin/roster login -c ${shown}: plan, apply and approve act as a signed-in person
  ./bin/roster plan -c ${shown} --requests           the fixes, change by change, down to the HTTP requests
  ./bin/roster audit -c ${shown} --action change     every change made, verified and held
  ./bin/roster audit verify -c ${shown}              the trail's hash chain, checked end to end
  ./bin/roster simulate scim --users 1000                            run a simulated app yourself
  roster.example.yaml                                                connect your own apps, then ./bin/roster sync`);
      }, config);
    } finally {
      if (savedUrl !== undefined) process.env.DATABASE_URL = savedUrl;
    }
  } finally {
    await Promise.all(apps.map((app) => app.close()));
  }
}

function count(n: number | undefined, noun: string): string {
  return `${n ?? 0} ${noun}${n === 1 ? '' : 's'}`;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => (line ? `   ${line}` : line))
    .join('\n');
}
