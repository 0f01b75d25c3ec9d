import type { Config } from '../config.js';
import type { Database } from '../db/client.js';

/**
 * The database a command works on. The embedded database migrates itself (there is nobody to run
 * `slagate migrate` for it); a shared PostgreSQL is migrated deliberately with `slagate migrate`
 * or by `slagate start`.
 */
export async function openAppDatabase(config: Config, options: { dataDir?: string; applicationName?: string } = {}): Promise<Database> {
  const { openDatabase } = await import('../db/client.js');
  const database = await openDatabase(config.database, options);
  if (database.kind === 'pglite') {
    const { migrate } = await import('../db/migrate.js');
    await migrate(database);
  }
  return database;
}
