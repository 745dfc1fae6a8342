import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seedEmbeddedHome } from './embedded-template.ts';

export const cliMain = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

/**
 * Node flags for a test's roster child. V8 compiles the embedded database's WebAssembly again for
 * its optimising tier in the background, and a process waits for that work when it exits: about
 * 1.5 s of CPU per run on a 2-core machine, more than a short command itself takes. A test's runs
 * are short, so they stay on the baseline tier (the same code; only how V8 compiles it differs).
 * The test command runs the test files themselves with the same flag.
 */
export const cliNodeFlags = ['--liftoff-only'];

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd: string;
  env?: Record<string, string>;
  /** Written to the child's stdin (else it gets none). */
  input?: string;
}

/** The environment a child roster gets: this one, less anything that would point it elsewhere. */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.DATABASE_URL;
  delete env.ROSTER_DB_SCHEMA;
  delete env.ROSTER_CONFIG;
  delete env.ROSTER_HOME;
  delete env.ROSTER_TOKEN;
  delete env.ROSTER_PASSWORD;
  return { ...env, ...extra };
}

/** Runs the real CLI in a child process, as a user would. */
export function roster(args: string[], options: RunOptions): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [...cliNodeFlags, cliMain, ...args], { cwd: options.cwd, env: childEnv(options.env), timeout: 300_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
    child.stdin?.end(options.input ?? '');
  });
}

/** Starts the CLI without waiting, for tests that kill it part way. */
export function spawnRoster(args: string[], options: RunOptions): ChildProcess {
  return spawn(process.execPath, [...cliNodeFlags, cliMain, ...args], { cwd: options.cwd, env: childEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The password test accounts get. */
export const TEST_PASSWORD = 'test password, long enough';

async function mustRun(args: string[], options: RunOptions): Promise<Run> {
  const run = await roster(args, options);
  if (run.code !== 0) throw new Error(`roster ${args.join(' ')} failed (${run.code}): ${run.stderr.trim()}`);
  return run;
}

/** Adds an operator account (the first in a workspace is the bootstrap admin; later ones need an admin signed in). */
export async function addUser(cwd: string, username: string, role: 'viewer' | 'operator' | 'approver' | 'admin', env: Record<string, string> = {}): Promise<void> {
  await mustRun(['user', 'add', username, '--role', role, '--password-stdin'], { cwd, env, input: `${TEST_PASSWORD}\n` });
}

/** Signs the workspace's CLI in as this account (its session file is in the roster home). */
export async function login(cwd: string, username: string, env: Record<string, string> = {}): Promise<void> {
  await mustRun(['login', '--username', username], { cwd, env: { ...env, ROSTER_PASSWORD: TEST_PASSWORD } });
}

/** A workspace signed in as a fresh admin (made by the bootstrap), for tests about something else. */
export async function signInAsAdmin(cwd: string, env: Record<string, string> = {}, username = 'admin'): Promise<void> {
  await addUser(cwd, username, 'admin', env);
  await login(cwd, username, env);
}

/**
 * A new folder to run roster in, with roster.yaml when config is given. Its home (`.roster`) starts
 * with a made embedded database (a copy of one template) unless `fresh`: the first command then
 * does not spend seconds on initdb and the migrations. A run on PostgreSQL leaves the copy unused.
 */
export function workspace(config?: string, options: { fresh?: boolean } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'roster-cli-'));
  if (!options.fresh) seedEmbeddedHome(join(dir, '.roster'));
  if (config !== undefined) writeFileSync(join(dir, 'roster.yaml'), config);
  return dir;
}

/** Drops a PostgreSQL schema a child roster made (and its queue schema), so test runs leave nothing behind. */
export async function dropRosterSchema(url: string, schema: string): Promise<void> {
  const { openPostgres } = await import('../../src/store/postgres.ts');
  const admin = await openPostgres(url, { max: 1 });
  try {
    await admin.exec(`drop schema if exists ${schema} cascade; drop schema if exists ${schema}_queue cascade`);
  } finally {
    await admin.close();
  }
}
