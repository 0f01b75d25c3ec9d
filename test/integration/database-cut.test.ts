import { sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestMessage } from '../../src/app/ingest/ingest-message.js';
import { openDatabase, type Database } from '../../src/db/client.js';
import { buildMail } from '../helpers/mail-builder.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { testConfig } from '../helpers/test-config.js';

/**
 * PostgreSQL goes away while many mails are being ingested at once (concurrent LMTP, SMTP or IMAP
 * deliveries share this path and the pool), then comes back. Smallest reproduction of the hang
 * the Postfix test met (issue 27): postgres.js 3.4.9 threw an uncatchable TypeError from a write
 * on a closed connection, kept a stale write timer that silenced the reconnected connection, and
 * left transactions pending for good on connections it had reconnected. Every ingest must settle
 * (commit, or a retryable error the MTA turns into a retry), and retries must store each mail once.
 */

const logger = pino({ level: 'silent' });
let database: TestDatabase;
let proxy: TcpProxy;
let pool: Database;
const uncaught: unknown[] = [];
const onUncaught = (err: unknown) => { uncaught.push(err); };
const wedged: Error[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  const url = new URL(database.url);
  proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
  url.hostname = proxy.host;
  url.port = String(proxy.port);
  // Short server-side timeouts keep the transaction deadline (their sum) short for the test.
  pool = await openDatabase(
    { url: url.toString(), dataDir: '', poolMax: 10, statementTimeoutMs: 4_000, lockTimeoutMs: 2_000, idleInTransactionTimeoutMs: 4_000 },
    { onWedged: (err) => wedged.push(err) },
  );
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUncaught);
});
afterAll(async () => {
  process.off('uncaughtException', onUncaught);
  process.off('unhandledRejection', onUncaught);
  await proxy?.close();
  await pool?.close().catch(() => {});
  await database?.drop();
});

/** Rejects if `work` has not settled after `ms`: a hang is a failure, not a slow test. */
function settlesWithin<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([work, new Promise<T>((_, reject) => { timer = setTimeout(() => reject(new Error(`HANG: ${what} not settled after ${ms} ms`)), ms); })])
    .finally(() => clearTimeout(timer));
}

describe('PostgreSQL cut while 40 mails are ingested at once', () => {
  it('every ingest settles (commit or retryable error), and retries store each mail exactly once', async () => {
    const config = testConfig(database.url);
    const deps = { db: pool.db, config, logger, clock: () => new Date() };
    const count = 40;
    const mails = Array.from({ length: count }, (_, i) => buildMail({ messageId: `<cut-${i}@client.example>`, from: 'Deniz <deniz@client.example>', subject: `Veritabanı ${i}` }));
    const ingest = (raw: Buffer) => ingestMessage(deps, { raw, mailbox: 'support', receivedAt: new Date(), source: 'lmtp' });
    const stored = async () => ((await database.db.execute(sql`select count(*)::int as n from raw_mail where message_id like '<cut-%'`)) as unknown as { n: number }[])[0]!.n;

    const outcomes: (string | Error)[] = [];
    const first = mails.map((raw, i) => settlesWithin(ingest(raw), 90_000, `ingest ${i}`).then((o) => { outcomes[i] = o.decision; }, (err: Error) => { outcomes[i] = err; }));
    // Cut in the middle: some mails committed, others inside their transactions or queued for a connection.
    for (const start = Date.now(); (await stored()) < 3 && Date.now() - start < 60_000;) await new Promise((r) => setTimeout(r, 5));
    proxy.refuse(true);
    proxy.resetAll();
    await new Promise((r) => setTimeout(r, 2_000));
    proxy.refuse(false);
    await Promise.all(first);

    const hangs = outcomes.filter((o) => o instanceof Error && o.message.startsWith('HANG'));
    expect(hangs).toEqual([]);
    // What failed failed as a temporary failure (451 to an MTA), never as a crash.
    for (const o of outcomes) if (o instanceof Error) expect((o as { retryable?: boolean }).retryable, o.message).toBe(true);
    expect(uncaught).toEqual([]);

    // The MTA retries what was deferred, as often as it is told to try again later: every mail ends
    // up stored once. A retry may be deferred again on a busy machine (40 mails queue for 10
    // connections, and the 8 s transaction deadline counts that wait), so each mail is retried
    // until it is taken, a second apart, at most 10 times; a hang or a non-retryable error fails.
    const retried = async (raw: Buffer, i: number) => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await settlesWithin(ingest(raw), 90_000, `retry ${i}`);
        } catch (err) {
          if (attempt >= 10 || (err as { retryable?: boolean }).retryable !== true) throw err;
          await new Promise((r) => setTimeout(r, 1_000));
        }
      }
    };
    const again = await Promise.all(mails.map(retried));
    expect(again.every((o) => o.decision === 'duplicate' || o.decision === 'new-ticket')).toBe(true);
    const rows = await database.db.execute(sql`select message_id, count(*)::int as n from raw_mail where message_id like '<cut-%' group by message_id`) as unknown as { message_id: string; n: number }[];
    expect(rows).toHaveLength(count);
    expect(rows.every((r) => r.n === 1)).toBe(true);
  }, 300_000);
});
