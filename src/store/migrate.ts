import { readdirSync, readFileSync } from 'node:fs';
import type { Database } from './database.ts';

const migrationsDir = new URL('./migrations/', import.meta.url);

/** Applies, in name order, every migrations/*.sql not applied yet; safe to run from several processes. */
export async function migrate(db: Database): Promise<string[]> {
  const files = readdirSync(migrationsDir)
    .filter((name) => name.endsWith('.sql'))
    .sort();
  return db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock(7428015)');
    await tx.exec('create table if not exists schema_migrations (name text primary key, applied_at timestamptz not null default now())');
    const done = new Set((await tx.query<{ name: string }>('select name from schema_migrations')).map((row) => row.name));
    const applied: string[] = [];
    for (const name of files) {
      if (done.has(name)) continue;
      await tx.exec(readFileSync(new URL(name, migrationsDir), 'utf8'));
      await tx.query('insert into schema_migrations (name) values ($1)', [name]);
      applied.push(name);
    }
    return applied;
  });
}

/** Migrations shipped with this build that the database has not applied (an older schema, or one being migrated). */
export async function pendingMigrations(db: Pick<Database, 'query'>): Promise<string[]> {
  const files = readdirSync(migrationsDir).filter((name) => name.endsWith('.sql'));
  const exists = await db.query<{ present: boolean }>("select to_regclass('schema_migrations') is not null as present");
  if (!exists[0]?.present) return files.sort();
  const done = new Set((await db.query<{ name: string }>('select name from schema_migrations')).map((row) => row.name));
  return files.filter((name) => !done.has(name)).sort();
}
