import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type { Logger } from 'pino';
import type { Config } from '../config.js';

/** Drizzle over postgres.js; repositories accept this or a transaction (which is one too). */
export type Db = PgDatabase<PgQueryResultHKT, Record<string, unknown>>;

export interface Database {
  db: Db;
  /** 'embedded': the PostgreSQL slagate runs itself in database.dataDir (no database.url). */
  kind: 'postgres' | 'embedded';
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  logger?: Logger;
  /** Name shown in pg_stat_activity, so an operator can tell our connections apart. */
  applicationName?: string;
  /** Overrides the pool size (migrations use a single connection). */
  max?: number;
  /** Embedded data folder override; 'memory://' gives a throwaway database in a temporary folder (replay). */
  dataDir?: string;
  /** Called once per statement sent: the throughput bench counts them per mail. */
  onStatement?: () => void;
  /**
   * Told when a transaction outlived its deadline (a connection postgres.js left stuck); the
   * gateway exits to be restarted clean. The transaction's caller gets a retryable error either way.
   */
  onWedged?: (err: Error) => void;
  /** Migrations may legitimately run longer than one transaction's deadline: they go without. */
  noTransactionDeadline?: boolean;
}

type Target = { url: string } | { socketDir: string; port: number };

/**
 * Opens the configured database. Nothing connects at import time: the drivers are loaded here, so
 * a CLI command that never touches the database never pays for them.
 */
export async function openDatabase(database: Config['database'], options: OpenDatabaseOptions = {}): Promise<Database> {
  if (database.url) {
    const { db, end } = await connect({ url: database.url }, database, options);
    return { db, kind: 'postgres', close: end };
  }
  const { stopEmbeddedServer } = await import('./embedded-postgres.js');
  let dataDir = options.dataDir ?? database.dataDir;
  let throwaway: string | null = null;
  if (dataDir.startsWith('memory://')) {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    throwaway = mkdtempSync(path.join(tmpdir(), 'slagate-throwaway-'));
    dataDir = path.join(throwaway, 'postgres');
  }
  const server = await openMigrated(dataDir, database);
  // Every complaint's text is in there (tables, WAL): the folder around it private too (0700), and
  // whatever this process writes beside it (token secret, outgoing .eml) 0600 (private-files.ts).
  if (!throwaway) (await import('./private-files.js')).keepEmbeddedDataPrivate(dataDir);
  const { db, end } = await connect(server, database, options);
  const close = async () => {
    await end();
    if (throwaway) {
      await stopEmbeddedServer(dataDir, 'fast');
      const { rmSync } = await import('node:fs');
      rmSync(throwaway, { recursive: true, force: true });
      return;
    }
    // The last one out stops the server; a gateway or another command still connected keeps it.
    const probe = await connect(server, database, { max: 1, applicationName: 'slagate-stop' });
    let others = 1;
    try {
      const rows = await probe.client.unsafe(`select count(*)::int as n from pg_stat_activity
        where backend_type = 'client backend' and pid <> pg_backend_pid()`);
      others = (rows[0] as unknown as { n: number }).n;
    } finally {
      await probe.end();
    }
    // Not waiting for the exit: the shutdown checkpoint is the server's business, and whoever
    // needs the folder next waits for a stopping server to go (ensureEmbeddedServer).
    if (others === 0) await stopEmbeddedServer(dataDir, 'smart', 0);
  };
  return { db, kind: 'embedded', close };
}

/**
 * The folder's server, running and migrated. A server whose last user has just asked it to stop
 * may still say "ready" for a moment and then refuse us (57P03, or its socket gone): we look again
 * and start it anew rather than fail a command or a gateway start on that timing.
 */
async function openMigrated(dataDir: string, database: Config['database']) {
  const { ensureEmbeddedServer } = await import('./embedded-postgres.js');
  const { migrateLocked } = await import('./migrate-locked.js');
  const deadline = Date.now() + 60_000;
  for (;;) {
    const server = await ensureEmbeddedServer(dataDir);
    const migrator = await connect(server, database, { max: 1, applicationName: 'slagate-migrate' });
    try {
      await migrateLocked(migrator.db);
      return server;
    } catch (err) {
      if (!serverGoingAway(err) || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      await migrator.end();
    }
  }
}

function serverGoingAway(err: unknown): boolean {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (e.code === '57P03' || e.code === 'ECONNREFUSED' || e.code === 'ENOENT' || e.code === 'CONNECTION_CLOSED') return true;
  }
  return false;
}

async function connect(target: Target, database: Config['database'], options: OpenDatabaseOptions) {
  const { default: postgres } = await import('postgres');
  const { drizzle } = await import('drizzle-orm/postgres-js');
  const { EMBEDDED_DATABASE, EMBEDDED_USER } = await import('./embedded-postgres.js');
  const settings = {
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
  };
  const client = 'url' in target ? postgres(target.url, settings)
    // A host that is a folder is the folder of a Unix socket to postgres.js.
    : postgres({ ...settings, host: target.socketDir, port: target.port, username: EMBEDDED_USER, database: EMBEDDED_DATABASE });
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
  return { db, client, end: () => client.end({ timeout: 5 }) };
}
