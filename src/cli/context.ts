import { resolve } from 'node:path';
import { startAuditChainer } from '../audit/trail.ts';
import { loadConfig, type ResolvedConfig } from '../config/load.ts';
import { shareBudgetsThrough } from '../connectors/http/rate-budget.ts';
import type { Database } from '../store/database.ts';
import { openDatabase, type OpenOptions } from '../store/open.ts';
import { DatabaseRateLedger } from '../store/rate-ledger.ts';

export interface GlobalOptions {
  config?: string;
  home?: string;
}

export interface Context {
  config: ResolvedConfig;
  db: Database;
  home: string;
  close(): Promise<void>;
}

/** The config file in use: --config, else $ROSTER_CONFIG, else ./roster.yaml when it exists. */
export function readConfig(options: GlobalOptions, needs: { appSecrets?: boolean } = {}): ResolvedConfig {
  const named = options.config ?? process.env.ROSTER_CONFIG;
  return loadConfig(named ?? 'roster.yaml', { optional: named === undefined, appSecrets: needs.appSecrets ?? false });
}

/** Loads the config and opens the database (PostgreSQL when DATABASE_URL is set, else PGlite under the home). */
export async function openContext(options: GlobalOptions, config = readConfig(options), open: Pick<OpenOptions, 'thread' | 'onLost'> = {}): Promise<Context> {
  const home = resolve(options.home ?? process.env.ROSTER_HOME ?? config.home);
  const databaseUrl = process.env.DATABASE_URL || config.databaseUrl?.reveal() || undefined;
  const db = await openDatabase({ databaseUrl, home, schema: process.env.ROSTER_DB_SCHEMA || undefined, ...open });
  // Events are chained in the background while the command runs, and all of them before it exits.
  const chainer = startAuditChainer(db);
  // Rate budgets live in the database: every process using a credential spends one budget.
  shareBudgetsThrough(new DatabaseRateLedger(db));
  return {
    config,
    db,
    home,
    async close() {
      shareBudgetsThrough(undefined);
      try {
        await chainer.stop();
      } finally {
        await db.close();
      }
    },
  };
}

/** Runs fn with an open context and always closes the database (and its folder lock). */
export async function withContext<T>(options: GlobalOptions, fn: (context: Context) => Promise<T>, config?: ResolvedConfig, open: Pick<OpenOptions, 'thread' | 'onLost'> = {}): Promise<T> {
  const context = await openContext(options, config, open);
  try {
    return await fn(context);
  } finally {
    await context.close();
  }
}
