import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.js';
import { openDatabase } from '../db/client.js';
import { migrate } from '../db/migrate.js';
import { MIGRATIONS_FOLDER } from '../db/migrate-locked.js';
import { listAppliedMigrations, ping } from '../db/repositories/applied-migrations-repository.js';
import type { DoctorCheck } from './doctor-check.js';

interface JournalEntry { tag: string; when: number }

/** The migrations this version of slagate ships, with the hash drizzle's migrator records. */
export function shippedMigrations(folder = MIGRATIONS_FOLDER): { tag: string; when: number; hash: string }[] {
  const journal = JSON.parse(readFileSync(join(folder, 'meta', '_journal.json'), 'utf8')) as { entries: JournalEntry[] };
  return journal.entries.map((e) => ({
    tag: e.tag, when: e.when,
    hash: createHash('sha256').update(readFileSync(join(folder, `${e.tag}.sql`), 'utf8')).digest('hex'),
  }));
}

/** Where the database is, without the password. */
export function describeDatabase(database: Config['database']): string {
  if (!database.url) return `the embedded database in ${database.dataDir}`;
  try {
    const u = new URL(database.url);
    return `PostgreSQL at ${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return 'PostgreSQL (database.url is not a valid URL)';
  }
}

/** Connects, then compares the applied migrations with the shipped journal. */
export async function checkDatabase(config: Config): Promise<DoctorCheck[]> {
  const where = describeDatabase(config.database);
  let database;
  try {
    database = await openDatabase(config.database, { max: 1, applicationName: 'slagate-doctor' });
    await ping(database.db);
  } catch (err) {
    await database?.close().catch(() => {});
    const what = config.database.url ? 'check database.url (or DATABASE_URL) and that PostgreSQL is running and accepts this user'
      : `check that database.dataDir is writable (the server's own log is postgres.log beside it)`;
    return [{ name: 'database', ok: false, detail: `cannot open ${where}: ${plain(err)} — ${what}` }];
  }
  try {
    // The embedded database migrates itself whenever a command opens it, so doctor does too:
    // on a fresh machine "not migrated yet" is not a problem, a migration that fails is.
    if (database.kind === 'embedded') await migrate(database);
  } catch (err) {
    await database.close();
    return [{ name: 'database', ok: false, detail: `${where} could not be migrated: ${plain(err)} — move the folder aside and let slagate create a new one, or restore it from a backup` }];
  }
  try {
    const connected: DoctorCheck = { name: 'database', ok: true, detail: `connected to ${where}` };
    return [connected, compareMigrations(await listAppliedMigrations(database.db), shippedMigrations(), database.kind === 'embedded')];
  } catch (err) {
    return [{ name: 'migrations', ok: false, detail: `could not read the applied migrations: ${plain(err)}` }];
  } finally {
    await database.close();
  }
}

export function compareMigrations(
  applied: { hash: string; createdAt: number }[] | null, shipped: { tag: string; when: number; hash: string }[], embedded: boolean,
): DoctorCheck {
  const fix = embedded ? 'the embedded database migrates itself; if this persists, move its folder aside' : 'run slagate migrate';
  const rows = applied ?? [];
  const missing = shipped.filter((m) => !rows.some((r) => r.createdAt === m.when));
  if (applied === null || rows.length === 0) {
    return { name: 'migrations', ok: false, detail: `no migrations applied (the schema is missing) — ${fix}` };
  }
  if (missing.length > 0) {
    return { name: 'migrations', ok: false, detail: `${missing.length} of ${shipped.length} migrations not applied (${missing.map((m) => m.tag).join(', ')}) — ${fix}` };
  }
  const unknown = rows.filter((r) => !shipped.some((m) => m.when === r.createdAt));
  if (unknown.length > 0) {
    return {
      name: 'migrations', ok: false,
      detail: `the database has ${unknown.length} migration(s) this slagate does not know: a newer version migrated it — upgrade slagate before running it here`,
    };
  }
  const changed = shipped.filter((m) => rows.some((r) => r.createdAt === m.when && r.hash !== m.hash));
  if (changed.length > 0) {
    return {
      name: 'migrations', ok: false,
      detail: `migration file(s) ${changed.map((m) => m.tag).join(', ')} changed after they were applied — restore the committed migrations; never edit one that has landed`,
    };
  }
  return { name: 'migrations', ok: true, detail: `all ${shipped.length} migrations applied, none pending` };
}

function plain(err: unknown): string {
  // drizzle wraps the driver's error ("Failed query: ...") and keeps it as the cause.
  let e = err as { code?: string; message?: string; cause?: unknown };
  while (!e.code && e.cause) e = e.cause as typeof e;
  if (e.code === 'ECONNREFUSED') return 'connection refused';
  if (e.code === '28P01') return 'password authentication failed';
  if (e.code === '3D000') return e.message ?? 'database does not exist';
  return e.message ?? String(err);
}
