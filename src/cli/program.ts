import { Command, CommanderError } from 'commander';
import { isRosterError } from '../errors.ts';
import { registerAudit } from './audit.ts';
import { registerDemo } from './demo.ts';
import { registerGenerate } from './generate.ts';
import { registerImport } from './import.ts';
import { registerLogin } from './login.ts';
import { registerMcp } from './mcp.ts';
import { registerPull } from './pull.ts';
import { registerSimulate } from './simulate.ts';
import { registerStatus } from './status.ts';
import { registerSync } from './sync.ts';
import { registerPlanCommands } from './plan.ts';
import { registerServe } from './serve.ts';
import { registerToken } from './token.ts';
import { registerUser } from './user.ts';
import { registerWorker } from './worker.ts';

export function buildProgram(): Command {
  const program = new Command('roster')
    .description('keeps people’s access to security SaaS apps in step with the identity provider, and proves it')
    .option('-c, --config <file>', 'config file (default: $ROSTER_CONFIG or ./roster.yaml)')
    .option('--home <dir>', 'roster home: embedded database and lock (default: $ROSTER_HOME or .roster beside the config)')
    .showHelpAfterError('(roster --help lists the commands)')
    .exitOverride();
  registerDemo(program);
  registerImport(program);
  registerGenerate(program);
  registerSync(program);
  registerPull(program);
  registerStatus(program);
  registerPlanCommands(program);
  registerWorker(program);
  registerServe(program);
  registerLogin(program);
  registerUser(program);
  registerMcp(program);
  registerToken(program);
  registerAudit(program);
  registerSimulate(program);
  return program;
}

/** Runs the CLI; any failure is one line on stderr and a non-zero exit, never a stack trace. */
export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`roster: ${isRosterError(error) ? message : firstLine(message)}\n`);
    return 1;
  }
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}
