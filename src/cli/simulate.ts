import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { RosterError } from '../errors.ts';

const vendors = ['scim', 'zscaler', 'netskope'] as const;

export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description(`run a simulated vendor app on 127.0.0.1 until Ctrl-C (${vendors.join(', ')}); options go to the simulator, e.g. --port 9001 --users 1000`)
    .argument('<vendor>', vendors.join(' | '))
    .allowUnknownOption()
    .helpOption(false)
    .argument('[options...]')
    .action(async (vendor: string, args: string[]) => {
      const main = fileURLToPath(new URL(`../../simulators/${vendor}/main.ts`, import.meta.url));
      if (!vendors.includes(vendor as (typeof vendors)[number]) || !existsSync(main)) throw new RosterError('input_invalid', `no simulator for ${vendor}; choose one of ${vendors.filter((v) => existsSync(fileURLToPath(new URL(`../../simulators/${v}/main.ts`, import.meta.url)))).join(', ')}`);
      const child = spawn(process.execPath, [main, ...args], { stdio: 'inherit' });
      for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => child.kill(signal));
      const code = await new Promise<number>((resolve) => child.on('exit', (exitCode) => resolve(exitCode ?? 0)));
      if (code !== 0) throw new RosterError('input_invalid', `the ${vendor} simulator stopped with exit code ${code}`);
    });
}
