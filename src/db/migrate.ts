import type { Database } from './client.js';

/**
 * Applies the shipped migrations. The embedded database is migrated by openDatabase itself
 * (there is nobody to run `slagate migrate` for it), so there is nothing left to do for it here.
 */
export async function migrate(database: Database): Promise<void> {
  if (database.kind === 'embedded') return;
  const { MIGRATIONS_FOLDER } = await import('./migrate-locked.js');
  const { migrate: run } = await import('drizzle-orm/postgres-js/migrator');
  await run(database.db as never, { migrationsFolder: MIGRATIONS_FOLDER });
}
