import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { stringify } from 'yaml';
import type { Command } from 'commander';
import { startScimSimulator } from '../../simulators/scim/index.ts';
import { recordAudit } from '../audit/trail.ts';
import { parseConfig } from '../config/load.ts';
import { generateOrganisation } from '../core/sample-org.ts';
import { appStatuses } from '../engine/findings.ts';
import { makePlan } from '../engine/planning.ts';
import { RosterError } from '../errors.ts';
import { countPeople, upsertPeople } from '../store/people.ts';
import { withContext, type GlobalOptions } from './context.ts';
import { messyTenant } from './demo/messy-tenant.ts';
import { formatStatus, formatSyncResult } from './format.ts';
import { syncApps } from '../engine/sync.ts';

const tokenEnv = 'ROSTER_DEMO_SCIM_TOKEN';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('no setup needed: start a simulated SCIM app with a messy tenant, import a sample organisation, sync, and show what is wrong')
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
  const tenant = messyTenant(people);
  const token = randomBytes(24).toString('base64url');
  process.env[tokenEnv] = token;
  const simulator = await startScimSimulator({ token, maxPageSize: 100 });
  try {
    simulator.store.seedUsers(tenant.users);
    const raw = { home: '.', apps: { 'acme-scim': { type: 'scim', baseUrl: simulator.baseUrl, auth: { type: 'bearer', token: `env:${tokenEnv}` } } } };
    // Kept beside the demo's database so status, plan and audit can be run on it afterwards.
    const configFile = join(home, 'roster.yaml');
    mkdirSync(home, { recursive: true });
    writeFileSync(configFile, `# Written by roster demo. The simulated app stopped when the demo ended: status, plan and audit work; sync and apply need it running.\n${stringify(raw)}`);
    const config = parseConfig(raw, configFile);
    const shown = relative(process.cwd(), configFile);
    console.log('roster demo: a simulated SCIM app with a messy tenant, checked against a sample directory\n');
    console.log(`1. Started a simulated SCIM 2.0 app at ${simulator.baseUrl} with ${tenant.users.length} accounts (at most 100 a page)`);
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
        const [result] = await syncApps(db, config.apps, { actor: 'operator:demo' });
        if (!result) throw new Error('demo app not synced');
        console.log(`3. Synced. ${formatSyncResult(result)}`);
        if (!result.ok) throw new RosterError('app_unreachable', `demo sync failed: ${result.error}`);
        console.log('4. Findings:\n');
        console.log(indent(formatStatus(await appStatuses(db))));
        const plan = await makePlan(db, config.apps, { actor: 'operator:demo' });
        const kinds = new Map<string, number>();
        for (const change of plan.changes) kinds.set(change.kind, (kinds.get(change.kind) ?? 0) + 1);
        const held = plan.changes.filter((c) => c.approval.length > 0).length;
        console.log(`\n5. What roster would change to fix them (plan ${plan.id}): ${[...kinds].map(([kind, n]) => `${n} ${kind}`).join(', ') || 'nothing'}${held ? `; ${held} held for a second person's approval` : ''}`);
      }, config);
    } finally {
      if (savedUrl !== undefined) process.env.DATABASE_URL = savedUrl;
    }
    console.log(`
Planted in the tenant: ${tenant.planted.orphans} orphans, ${tenant.planted.missing} missing, ${tenant.planted.leaversActive} leavers still active, ${tenant.planted.drifted} drifted.

Where to look next:
  ./bin/roster status -c ${shown}                    these findings again (--json for all of them)
  ./bin/roster plan -c ${shown} --requests           the fixes, change by change, down to the HTTP requests
  ./bin/roster audit -c ${shown} --action app.read   every request roster made to the app
  ./bin/roster simulate scim --users 1000                            run a simulated app yourself
  roster.example.yaml                                                connect your own apps, then ./bin/roster sync`);
  } finally {
    await simulator.close();
  }
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => (line ? `   ${line}` : line))
    .join('\n');
}
