import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const cliMain = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd: string;
  env?: Record<string, string>;
}

/** The environment a child roster gets: this one, less anything that would point it elsewhere. */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.DATABASE_URL;
  delete env.ROSTER_DB_SCHEMA;
  delete env.ROSTER_CONFIG;
  delete env.ROSTER_HOME;
  return { ...env, ...extra };
}

/** Runs the real CLI in a child process, as a user would. */
export function roster(args: string[], options: RunOptions): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cliMain, ...args], { cwd: options.cwd, env: childEnv(options.env), timeout: 300_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** Starts the CLI without waiting, for tests that kill it part way. */
export function spawnRoster(args: string[], options: RunOptions): ChildProcess {
  return spawn(process.execPath, [cliMain, ...args], { cwd: options.cwd, env: childEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] });
}

export function workspace(config?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'roster-cli-'));
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
