import { randomBytes } from 'node:crypto';
import type { Database } from './database.ts';
import { migrate } from './migrate.ts';
import { openPglite, pgliteImage } from './pglite.ts';
import { openPostgres } from './postgres.ts';

/** Every store test runs once per kind. */
export const databaseKinds = ['pglite', 'postgres'] as const;
export type DatabaseKind = (typeof databaseKinds)[number];

export const testPostgresUrl = process.env.ROSTER_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A migrated embedded database, made once per test process: initdb alone takes seconds. */
let migratedImage: Promise<Blob> | undefined;

/**
 * A fresh, migrated database for one test: PGlite in memory, or a schema of its own in the test
 * PostgreSQL (dropped on close), so tests never see each other's rows.
 */
export async function openTestDatabase(kind: DatabaseKind): Promise<Database> {
  if (kind === 'pglite') {
    migratedImage ??= pgliteImage((db) => migrate(db));
    return openPglite(undefined, { image: await migratedImage });
  }
  const schema = `roster_test_${randomBytes(6).toString('hex')}`;
  const admin = await openPostgres(testPostgresUrl, { max: 1 });
  await admin.exec(`create schema ${schema}`);
  await admin.close();
  const db = await openPostgres(testPostgresUrl, { schema, max: 4 });
  await migrate(db);
  return {
    ...db,
    async close() {
      await db.exec(`drop schema ${schema} cascade; drop schema if exists ${schema}_queue cascade`);
      await db.close();
    },
  };
}
