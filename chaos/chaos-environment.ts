import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDovecot, type Dovecot } from '../test/helpers/dovecot.js';
import { startSmtpSink, type SmtpSink } from '../test/helpers/smtp-sink.js';
import { startTcpProxy, type TcpProxy } from '../test/helpers/tcp-proxy.js';
import { migrate } from '../src/db/migrate.js';
import { withAdmin } from '../test/helpers/postgres-admin.js';
import { startPrivatePostgres, type PrivatePostgres } from '../test/helpers/private-postgres.js';
import { createTestDatabase, openTestPool, type TestDatabase } from '../test/helpers/test-database.js';

/** What a gateway chaos scenario runs against: Dovecot behind a proxy, an SMTP sink, a fresh database. */
export interface ChaosEnvironment {
  dovecot: Dovecot;
  proxy: TcpProxy;
  sink: SmtpSink;
  database: TestDatabase;
  /** Set when the database is on a PostgreSQL server of the scenario's own, which it may restart. */
  server?: PrivatePostgres;
  tmp: string;
  close(): Promise<void>;
}

/**
 * `npm run chaos` builds first, so the child processes run the current code. With `ownServer`
 * the database is on a PostgreSQL cluster of the scenario's own (private-postgres.ts), migrated
 * with the real migrations, so a server restart breaks nobody else.
 */
export async function startChaosEnvironment(user: string, options: { ownServer?: boolean } = {}): Promise<ChaosEnvironment> {
  const server = options.ownServer ? await startPrivatePostgres() : undefined;
  const [dovecot, sink, database] = await Promise.all([
    startDovecot({ users: [user] }), startSmtpSink(), server ? databaseOn(server, 'slagate_chaos') : createTestDatabase(),
  ]);
  const proxy = await startTcpProxy({ host: dovecot.host, port: dovecot.port });
  const tmp = mkdtempSync(join(tmpdir(), 'slagate-chaos-'));
  return {
    dovecot, proxy, sink, database, server, tmp,
    async close() {
      await Promise.allSettled([proxy.close(), dovecot.stop(), sink.close(), database.drop()]);
      server?.stop();
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}

/** A migrated database on the scenario's own server; dropping it goes with the server. */
async function databaseOn(server: PrivatePostgres, name: string): Promise<TestDatabase> {
  await withAdmin((sql) => sql.unsafe(`CREATE DATABASE ${name}`), server.adminUrl);
  const url = server.url(name);
  const database = await openTestPool(url, 5);
  await migrate(database);
  return { ...database, url, name, drop: () => database.close() };
}

export const chaosSeed = (): number => Number(process.env.CHAOS_SEED ?? Date.now() % 1_000_000);
export const chaosMails = (fallback: number): number => Number(process.env.CHAOS_MAILS ?? fallback);
