import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import type { Database, Db } from './client.js';

/** The committed drizzle-kit migrations, found relative to this file in src/ and in dist/ alike. */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../migrations', import.meta.url));

/** Any fixed number: the advisory lock that makes concurrent migrations of one database take turns. */
const MIGRATION_LOCK = 250_001;

/**
 * Applies the shipped migrations. The embedded database is migrated by openDatabase itself
 * (there is nobody to run `slagate migrate` for it), so there is nothing left to do for it here.
 */
export async function migrate(database: Database): Promise<void> {
  if (database.kind === 'embedded') return;
  const { migrate: run } = await import('drizzle-orm/postgres-js/migrator');
  await run(database.db as never, { migrationsFolder: MIGRATIONS_FOLDER });
}

/**
 * Migrates over a single connection under a session advisory lock: every command opens (and so
 * migrates) the embedded database, and a command and a starting gateway may do it at once.
 */
export async function migrateLocked(singleConnection: Db): Promise<void> {
  const { migrate: run } = await import('drizzle-orm/postgres-js/migrator');
  await singleConnection.execute(sql`select pg_advisory_lock(${MIGRATION_LOCK})`);
  try {
    await run(singleConnection as never, { migrationsFolder: MIGRATIONS_FOLDER });
  } finally {
    await singleConnection.execute(sql`select pg_advisory_unlock(${MIGRATION_LOCK})`);
  }
}
