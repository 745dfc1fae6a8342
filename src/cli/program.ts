import { Command, CommanderError } from 'commander';
import { isRosterError } from '../errors.ts';

type Register = (program: Command) => void;

/**
 * Each command's module, with the commands it registers. Only the module of the command being run
 * is loaded (a command's imports are most of the CLI's start-up time); all of them for the full
 * help, or for a command none of them has (so the error can suggest one).
 */
const commandModules: readonly { commands: readonly string[]; load: () => Promise<Register> }[] = [
  { commands: ['demo'], load: async () => (await import('./demo.ts')).registerDemo },
  { commands: ['import'], load: async () => (await import('./import.ts')).registerImport },
  { commands: ['generate'], load: async () => (await import('./generate.ts')).registerGenerate },
  { commands: ['sync'], load: async () => (await import('./sync.ts')).registerSync },
  { commands: ['pull'], load: async () => (await import('./pull.ts')).registerPull },
  { commands: ['status'], load: async () => (await import('./status.ts')).registerStatus },
  { commands: ['plan', 'apply', 'restore'], load: async () => (await import('./plan.ts')).registerPlanCommands },
  { commands: ['worker'], load: async () => (await import('./worker.ts')).registerWorker },
  { commands: ['serve'], load: async () => (await import('./serve.ts')).registerServe },
  { commands: ['login', 'logout', 'whoami'], load: async () => (await import('./login.ts')).registerLogin },
  { commands: ['user'], load: async () => (await import('./user.ts')).registerUser },
  { commands: ['mcp'], load: async () => (await import('./mcp.ts')).registerMcp },
  { commands: ['token'], load: async () => (await import('./token.ts')).registerToken },
  { commands: ['audit'], load: async () => (await import('./audit.ts')).registerAudit },
  { commands: ['simulate'], load: async () => (await import('./simulate.ts')).registerSimulate },
];

/** The global options that take a value: what follows them is not the command. */
const globalsWithValue = new Set(['-c', '--config', '--home']);

/** The command named in argv (the first word that is not an option or an option's value), if any. */
export function commandNamed(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i += 1) {
    const word = argv[i] as string;
    if (word === '--') return argv[i + 1];
    if (globalsWithValue.has(word)) {
      i += 1;
      continue;
    }
    if (!word.startsWith('-')) return word;
  }
  return undefined;
}

export async function buildProgram(argv: readonly string[] = []): Promise<Command> {
  const program = new Command('roster')
    .description('keeps people’s access to security SaaS apps in step with the identity provider, and proves it')
    .option('-c, --config <file>', 'config file (default: $ROSTER_CONFIG or ./roster.yaml)')
    .option('--home <dir>', 'roster home: embedded database and lock (default: $ROSTER_HOME or .roster beside the config)')
    .showHelpAfterError('(roster --help lists the commands)')
    .exitOverride();
  const named = commandNamed(argv);
  const only = commandModules.find((module) => named !== undefined && module.commands.includes(named));
  for (const module of only ? [only] : commandModules) (await module.load())(program);
  return program;
}

/** Runs the CLI; any failure is one line on stderr and a non-zero exit, never a stack trace. */
export async function main(argv: string[]): Promise<number> {
  try {
    await (await buildProgram(argv)).parseAsync(argv, { from: 'user' });
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
