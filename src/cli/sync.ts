import type { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import type { AccountPage } from '../connectors/connector.ts';
import { syncApps, type SyncAppsOptions } from '../engine/sync.ts';
import { RosterError } from '../errors.ts';
import { readConfig, withContext, type GlobalOptions } from './context.ts';
import { requireIdentity } from './identity.ts';
import { formatSyncResult } from './format.ts';

/** A progress bar per app, when the terminal shows one. */
function progressBars(output: NodeJS.WriteStream): Pick<SyncAppsOptions, 'onPage' | 'onAppDone'> {
  if (!output.isTTY) return {};
  let bar: SingleBar | undefined;
  return {
    onPage(appName: string, page: AccountPage) {
      if (!bar) {
        bar = new SingleBar({ format: `${appName} [{bar}] {value}/{total} accounts`, stream: output, hideCursor: true }, Presets.shades_classic);
        bar.start(page.total ?? page.readSoFar, 0);
      }
      bar.setTotal(Math.max(page.total ?? 0, page.readSoFar));
      bar.update(page.readSoFar);
    },
    onAppDone() {
      bar?.stop();
      bar = undefined;
    },
  };
}

export function registerSync(program: Command): void {
  program
    .command('sync')
    .description('read every account from every configured app, link accounts to people, record it all in the audit trail')
    .option('--app <name...>', 'only these apps')
    .action(async (options: { app?: string[] }, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      await withContext(globals, async ({ db, config, home }) => {
        if (config.apps.length === 0) throw new RosterError('config_invalid', `no apps configured${config.path ? ` in ${config.path}` : ' (no roster.yaml here)'}; see roster.example.yaml, or run npm start for the demo`);
        const unknown = (options.app ?? []).filter((name) => !config.apps.some((a) => a.name === name));
        if (unknown.length > 0) throw new RosterError('input_invalid', `no app named ${unknown.join(', ')}; configured: ${config.apps.map((a) => a.name).join(', ')}`);
        const apps = options.app ? config.apps.filter((a) => options.app?.includes(a.name)) : config.apps;
        const identity = await requireIdentity({ db, home }, 'plan');
        const results = await syncApps(db, apps, { actor: identity.actor, ...progressBars(process.stderr) });
        for (const result of results) {
          console.log(formatSyncResult(result));
          if (result.events && 'error' in result.events) console.log(`${result.appName}: reading the app's audit events FAILED: ${result.events.error}`);
          else if (result.events) console.log(`${result.appName}: read ${result.events.read} of the app's own audit events, ${result.events.recorded} new in roster's trail`);
        }
        const failed = results.filter((r) => !r.ok || (r.events !== undefined && 'error' in r.events));
        if (failed.length > 0) {
          throw new RosterError('app_unreachable', `${failed.length} of ${results.length} app${results.length > 1 ? 's' : ''} failed to sync (${failed.map((f) => f.appName).join(', ')}); the last good state is kept`);
        }
      }, readConfig(globals, { appSecrets: true }));
    });
}
