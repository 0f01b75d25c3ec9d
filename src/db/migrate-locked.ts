import { fileURLToPath } from 'node:url';
import { sql, type SQL } from 'drizzle-orm';

/** The committed drizzle-kit migrations, found relative to this file in src/ and in dist/ alike. */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../migrations', import.meta.url));

/** Any fixed number: the advisory lock that makes concurrent migrations of one database take turns. */
const MIGRATION_LOCK = 250_001;

/**
 * Migrates over a single connection under a session advisory lock: every command opens (and so
 * migrates) the embedded database, and a command and a starting gateway may do it at once.
 * (Typed structurally, not as client.ts's Db: client.ts calls this, and imports go one way.)
 */
export async function migrateLocked(singleConnection: { execute(query: SQL): PromiseLike<unknown> }): Promise<void> {
  const { migrate: run } = await import('drizzle-orm/postgres-js/migrator');
  await singleConnection.execute(sql`select pg_advisory_lock(${MIGRATION_LOCK})`);
  try {
    await run(singleConnection as never, { migrationsFolder: MIGRATIONS_FOLDER });
  } finally {
    await singleConnection.execute(sql`select pg_advisory_unlock(${MIGRATION_LOCK})`);
  }
}
