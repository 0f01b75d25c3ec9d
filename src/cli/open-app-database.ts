import type { Config } from '../config.js';
import type { Database, Db } from '../db/client.js';
import { EXIT, type CliContext } from './context.js';

/**
 * The database a command works on. The embedded database migrates itself (there is nobody to run
 * `slagate migrate` for it); a shared PostgreSQL is migrated deliberately with `slagate migrate`
 * or by `slagate start`.
 */
export async function openAppDatabase(config: Config, options: { dataDir?: string; applicationName?: string } = {}): Promise<Database> {
  const { openDatabase } = await import('../db/client.js');
  const database = await openDatabase(config.database, options);
  if (database.kind === 'embedded') {
    const { migrate } = await import('../db/migrate.js');
    await migrate(database);
  }
  return database;
}

/**
 * Runs `fn` with the app database open and closes it after. A database that cannot be reached
 * is a plain-words message and exit 75 (try again), not a stack trace.
 */
export async function withAppDatabase(
  ctx: CliContext, applicationName: string, fn: (db: Db) => Promise<void>,
): Promise<void> {
  let database: Database;
  try {
    database = await openAppDatabase(ctx.config(), { applicationName });
  } catch (err) {
    ctx.err.write(`slagate: database unavailable: ${(err as Error).message} (run slagate doctor)\n`);
    ctx.exitCode = EXIT.TEMPFAIL;
    return;
  }
  try {
    await fn(database.db);
  } finally {
    await database.close();
  }
}
