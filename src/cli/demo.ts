import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { startScimSimulator } from '../../simulators/scim/index.ts';
import { recordAudit } from '../audit/trail.ts';
import { parseConfig } from '../config/load.ts';
import { generateOrganisation } from '../core/sample-org.ts';
import { appStatuses } from '../engine/findings.ts';
import { RosterError } from '../errors.ts';
import { countPeople, upsertPeople } from '../store/people.ts';
import { withContext, type GlobalOptions } from './context.ts';
import { messyTenant } from './demo/messy-tenant.ts';
import { formatStatus, formatSyncResult } from './format.ts';
import { syncApps } from './sync.ts';

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
    const config = parseConfig({ apps: { 'acme-scim': { type: 'scim', baseUrl: simulator.baseUrl, auth: { type: 'bearer', token: `env:${tokenEnv}` } } } }, undefined);
    const shownHome = relative(process.cwd(), home) || '.';
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
        const [result] = await syncApps(db, config.apps, 'operator:demo');
        if (!result) throw new Error('demo app not synced');
        console.log(`3. Synced. ${formatSyncResult(result)}`);
        if (!result.ok) throw new RosterError('app_unreachable', `demo sync failed: ${result.error}`);
        console.log('4. Findings:\n');
        console.log(indent(formatStatus(await appStatuses(db))));
      }, config);
    } finally {
      if (savedUrl !== undefined) process.env.DATABASE_URL = savedUrl;
    }
    console.log(`
Planted in the tenant: ${tenant.planted.orphans} orphans, ${tenant.planted.missing} missing, ${tenant.planted.leaversActive} leavers still active, ${tenant.planted.drifted} drifted.

Where to look next:
  ./bin/roster status --home ${shownHome}                      these findings again (--json for all of them)
  ./bin/roster audit --home ${shownHome} --action app.read     every request roster made to the app
  ./bin/roster simulate scim --users 1000                        run a simulated app yourself
  roster.example.yaml                                            connect your own apps, then ./bin/roster sync`);
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
