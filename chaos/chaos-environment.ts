import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDovecot, type Dovecot } from '../test/helpers/dovecot.js';
import { startSmtpSink, type SmtpSink } from '../test/helpers/smtp-sink.js';
import { startTcpProxy, type TcpProxy } from '../test/helpers/tcp-proxy.js';
import { createTestDatabase, type TestDatabase } from '../test/helpers/test-database.js';

/** What a gateway chaos scenario runs against: Dovecot behind a proxy, an SMTP sink, a fresh database. */
export interface ChaosEnvironment {
  dovecot: Dovecot;
  proxy: TcpProxy;
  sink: SmtpSink;
  database: TestDatabase;
  tmp: string;
  close(): Promise<void>;
}

/** `npm run chaos` builds first, so the child processes run the current code. */
export async function startChaosEnvironment(user: string): Promise<ChaosEnvironment> {
  const [dovecot, sink, database] = await Promise.all([startDovecot({ users: [user] }), startSmtpSink(), createTestDatabase()]);
  const proxy = await startTcpProxy({ host: dovecot.host, port: dovecot.port });
  const tmp = mkdtempSync(join(tmpdir(), 'slagate-chaos-'));
  return {
    dovecot, proxy, sink, database, tmp,
    async close() {
      await Promise.allSettled([proxy.close(), dovecot.stop(), sink.close(), database.drop()]);
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}

export const chaosSeed = (): number => Number(process.env.CHAOS_SEED ?? Date.now() % 1_000_000);
export const chaosMails = (fallback: number): number => Number(process.env.CHAOS_MAILS ?? fallback);
