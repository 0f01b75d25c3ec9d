import { sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { rowsOf } from '../rows-of.js';

export interface AppliedMigration {
  hash: string;
  /** The journal's `when` of the migration, which drizzle's migrator stores as created_at. */
  createdAt: number;
}

/** The rows drizzle's migrator wrote; null when it never ran here (no table). */
export async function listAppliedMigrations(db: Db): Promise<AppliedMigration[] | null> {
  const exists = await db.execute(sql`select to_regclass('drizzle.__drizzle_migrations') is not null as present`);
  if (!rowsOf<{ present: boolean }>(exists)[0]?.present) return null;
  const rows = await db.execute(sql`select hash, created_at from drizzle.__drizzle_migrations order by created_at`);
  return rowsOf<{ hash: string; created_at: string | number }>(rows).map((r) => ({ hash: r.hash, createdAt: Number(r.created_at) }));
}

export async function ping(db: Db): Promise<void> {
  await db.execute(sql`select 1`);
}
