import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { connectorTypes } from '../connectors/modules.ts';
import { RosterError } from '../errors.ts';

const simulatorMain = (vendor: string) => fileURLToPath(new URL(`../../simulators/${vendor}/main.ts`, import.meta.url));
/** The identity providers roster reads people from (and oidc, for single sign-on), each with a simulator. */
const identityProviders = ['entra', 'okta', 'oidc'] as const;
/** The connector types and IdPs that have a simulator (simulators/<type>/main.ts). */
const vendors = [...connectorTypes, ...identityProviders].filter((type) => existsSync(simulatorMain(type)));

export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description(`run a simulated vendor app or IdP on 127.0.0.1 until Ctrl-C (${vendors.join(', ')}); options go to the simulator, e.g. --port 9001 --users 1000`)
    .argument('<vendor>', vendors.join(' | '))
    .allowUnknownOption()
    .helpOption(false)
    .argument('[options...]')
    .action(async (vendor: string, args: string[]) => {
      if (!(vendors as readonly string[]).includes(vendor)) throw new RosterError('input_invalid', `no simulator for ${vendor}; choose one of ${vendors.join(', ')}`);
      const main = simulatorMain(vendor);
      const child = spawn(process.execPath, [main, ...args], { stdio: 'inherit' });
      for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => child.kill(signal));
      const code = await new Promise<number>((resolve) => child.on('exit', (exitCode) => resolve(exitCode ?? 0)));
      if (code !== 0) throw new RosterError('input_invalid', `the ${vendor} simulator stopped with exit code ${code}`);
    });
}
