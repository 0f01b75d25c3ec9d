import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type { Logger } from 'pino';
import type { Config } from '../config.js';

/** Drizzle over either driver; repositories accept this or a transaction (which is one too). */
export type Db = PgDatabase<PgQueryResultHKT, Record<string, unknown>>;

export interface Database {
  db: Db;
  kind: 'postgres' | 'pglite';
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  logger?: Logger;
  /** Name shown in pg_stat_activity, so an operator can tell our connections apart. */
  applicationName?: string;
  /** Overrides the pool size (migrations use a single connection). */
  max?: number;
  /** PGlite data folder override; 'memory://' gives a throwaway database (replay). */
  dataDir?: string;
  /** Called once per statement sent (PostgreSQL only): the throughput bench counts them per mail. */
  onStatement?: () => void;
  /**
   * Told when a transaction outlived its deadline (a connection postgres.js left stuck); the
   * gateway exits to be restarted clean. The transaction's caller gets a retryable error either way.
   */
  onWedged?: (err: Error) => void;
  /** Migrations may legitimately run longer than one transaction's deadline: they go without. */
  noTransactionDeadline?: boolean;
}

/**
 * Opens the configured database. Nothing connects at import time: the drivers are loaded here, so
 * a CLI command that never touches the database never pays for them.
 */
export async function openDatabase(database: Config['database'], options: OpenDatabaseOptions = {}): Promise<Database> {
  if (database.url) {
    const { default: postgres } = await import('postgres');
    const { drizzle } = await import('drizzle-orm/postgres-js');
    const client = postgres(database.url, {
      max: options.max ?? database.poolMax,
      onnotice: () => {},
      // Server-side limits: a stuck statement or an abandoned transaction is ended by the server,
      // not left holding locks (docs/PITFALLS.md: no IO inside transactions, server-side timeouts).
      connection: {
        application_name: options.applicationName ?? 'slagate',
        statement_timeout: database.statementTimeoutMs,
        lock_timeout: database.lockTimeoutMs,
        idle_in_transaction_session_timeout: database.idleInTransactionTimeoutMs,
      },
    });
    const { withPreparedStatements } = await import('./prepared-statements.js');
    const { withTransactionDeadline } = await import('./transaction-deadline.js');
    // Every statement ends within statement_timeout and every pause within the idle-in-transaction
    // timeout, or the server ends the transaction: past both, only the driver can be stuck.
    const deadlineMs = database.statementTimeoutMs + database.idleInTransactionTimeoutMs;
    const prepared = withPreparedStatements(client, options.onStatement);
    const db = drizzle(options.noTransactionDeadline ? prepared : withTransactionDeadline(prepared, deadlineMs, options.onWedged)) as unknown as Db;
    // drizzle makes postgres.js pass timestamps through untouched (its columns serialise them), so
    // a Date bound in a raw sql`` fragment would reach the wire as an object and fail. Serialise
    // Dates here once, for every query.
    const serializeDate = (v: unknown) => (v instanceof Date ? v.toISOString() : v);
    for (const oid of ['1184', '1114', '1082']) client.options.serializers[oid as unknown as number] = serializeDate;
    return { db, kind: 'postgres', close: () => client.end({ timeout: 5 }) };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  const dataDir = options.dataDir ?? database.dataDir;
  let unlock = () => {};
  if (!dataDir.startsWith('memory://')) {
    const { mkdirSync } = await import('node:fs');
    const { lockEmbeddedDatabase } = await import('./embedded-lock.js');
    mkdirSync(dataDir, { recursive: true });
    unlock = lockEmbeddedDatabase(dataDir);
  }
  try {
    const client = await PGlite.create(dataDir);
    const db = drizzle(client) as unknown as Db;
    return { db, kind: 'pglite', close: async () => { try { await client.close(); } finally { unlock(); } } };
  } catch (err) {
    unlock();
    throw err;
  }
}
