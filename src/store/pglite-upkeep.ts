// Autovacuum for the embedded database, which has none. Without it a long-running `roster serve`
// keeps every old version of every row an IdP changes: the people table and its indexes grow with
// each push, and a page of users walks ever more dead rows. The thresholds are PostgreSQL's
// autovacuum defaults; the check is one look at the table statistics.
import { runEvery } from '../periodic.ts';
import type { Queryable } from './database.ts';

export interface Upkeep {
  /** Stops the checks; answers once one in progress has finished. */
  stop(): Promise<void>;
}

/**
 * A table's statistics are sampled from this many rows per column x 300 (PostgreSQL's default is
 * 100): analyzing 10,000 people took about 100 ms of the database's one thread, every request
 * waiting behind it, and 30 ms at 10. roster's statements find rows by key, which coarse statistics
 * serve as well.
 */
const statisticsTarget = 10;

/** The tables whose dead rows or inserts since their last vacuum, or changes since their last analyze, pass autovacuum's thresholds. */
export async function tablesDue(db: Queryable): Promise<{ name: string; vacuum: boolean; analyze_due: boolean }[]> {
  return db.query<{ name: string; vacuum: boolean; analyze_due: boolean }>(
    `select name, vacuum, analyze_due from (
       select format('%I.%I', schemaname, relname) as name, n_dead_tup,
              (n_dead_tup > 50 + 0.2 * n_live_tup or n_ins_since_vacuum > 1000 + 0.2 * n_live_tup) as vacuum,
              n_mod_since_analyze > 50 + 0.1 * n_live_tup as analyze_due
         from pg_stat_user_tables) t
      where vacuum or analyze_due
      order by n_dead_tup desc`,
  );
}

/**
 * Vacuums and analyzes what is due, each on its own as autovacuum does (a vacuum takes
 * milliseconds, an analyze many more), then looks again every `everyMs`.
 */
export function keepVacuumed(db: Queryable, everyMs: number): Upkeep {
  let stopped = false;
  const checks = runEvery(everyMs, async () => {
    for (const table of await tablesDue(db)) {
      if (stopped) return;
      if (table.vacuum) await db.exec(`vacuum ${table.name}`);
      if (stopped) return;
      if (table.analyze_due) await db.exec(`set default_statistics_target = ${statisticsTarget}; analyze ${table.name}; reset default_statistics_target`);
    }
  });
  return {
    async stop() {
      stopped = true;
      await checks.stop();
    },
  };
}
