import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { createMailboxWorker, type MailboxWorker } from '../../src/workers/mailbox-worker.js';
import { startDovecot, type Dovecot } from '../helpers/dovecot.js';
import { eventually } from '../helpers/eventually.js';
import { makeMail } from '../helpers/imap-client.js';
import { ingestDouble } from '../helpers/ingest-double.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

/**
 * How new mail is noticed besides IDLE: a server without IDLE is checked with NOOP every
 * pollIntervalMs, and with noopIntervalMs set a server with IDLE is checked that often too
 * (Dovecot holds an IDLE notice back for 500 ms).
 */

// Dovecot's own list after login, less IDLE (and the extensions slagate does not use).
const WITHOUT_IDLE = 'IMAP4rev1 SASL-IR LITERAL+ ID ENABLE NAMESPACE UNSELECT CHILDREN UIDPLUS MOVE ESEARCH LIST-EXTENDED SPECIAL-USE';

let plain: Dovecot;
let withIdle: Dovecot;
let database: TestDatabase;

beforeAll(async () => {
  [plain, withIdle] = await Promise.all([
    startDovecot({ users: ['poll'], capability: WITHOUT_IDLE }),
    startDovecot({ users: ['noop'] }),
  ]);
  database = await createTestDatabase();
});
afterAll(async () => {
  await Promise.all([plain?.stop(), withIdle?.stop()]);
  await database?.drop();
});

/** imapflow's command log (debug level), kept to count the commands the worker sent. */
function commandLog(): { logger: pino.Logger; sent: () => string[] } {
  const lines: string[] = [];
  const sink = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
  return {
    logger: pino({ level: 'debug' }, sink),
    sent: () => lines.map((l) => JSON.parse(l) as { src?: string; msg?: string }).filter((l) => l.src === 'c').map((l) => l.msg ?? ''),
  };
}

function worker(server: Dovecot, user: string, imap: Record<string, unknown>, logger: pino.Logger): MailboxWorker {
  const config = parseConfig({
    database: { url: database.url },
    mailboxes: {
      support: {
        address: 'support@sanarise.example',
        // Nothing else would look in time: imapflow's own NOOP loop and the resync are minutes away.
        imap: { host: server.host, port: server.port, secure: false, user, password: server.password(user),
          maxIdleTimeMs: 120_000, resyncIntervalMs: 600_000, ...imap },
      },
      management: { address: 'management@sanarise.example' },
    },
  });
  return createMailboxWorker({
    db: database.db, config, mailbox: 'support', logger, clock: () => new Date(), owner: `polling-${user}`, intake: ingestDouble(database.db).intake,
  });
}

const stored = async (id: string) => {
  const rows = await database.db.execute(sql`select count(*)::int as n from raw_mail where message_id = ${id}`) as unknown as { n: number }[];
  return rows[0]!.n;
};

describe('noticing new mail besides IDLE', () => {
  it('checks a server without IDLE every pollIntervalMs', async () => {
    const log = commandLog();
    const w = worker(plain, 'poll', { pollIntervalMs: 1_000 }, log.logger);
    await w.start();
    try {
      await eventually(async () => log.sent().some((c) => /UID SEARCH|SEARCH/.test(c)), 10_000, 'a first pass');
      await new Promise((r) => setTimeout(r, 500)); // the first pass is over: nothing is in flight
      expect(log.sent().some((c) => / IDLE$/.test(c))).toBe(false);
      await plain.append('poll', 'INBOX', makeMail('polled-1'));
      await eventually(async () => (await stored('<polled-1@test.example>')) === 1, 8_000, 'the new mail ingested by polling');
      expect(log.sent().filter((c) => / NOOP$/.test(c)).length).toBeGreaterThan(0);
    } finally {
      await w.close();
    }
  }, 30_000);

  it('also sends NOOP while IDLE when noopIntervalMs is set, and not when it is 0', async () => {
    const quiet = commandLog();
    const idleOnly = worker(withIdle, 'noop', {}, quiet.logger);
    await idleOnly.start();
    await new Promise((r) => setTimeout(r, 1_500));
    await idleOnly.close();
    expect(quiet.sent().some((c) => / IDLE$/.test(c))).toBe(true);
    expect(quiet.sent().filter((c) => / NOOP$/.test(c))).toEqual([]);

    const busy = commandLog();
    const w = worker(withIdle, 'noop', { noopIntervalMs: 150 }, busy.logger);
    await w.start();
    try {
      await withIdle.append('noop', 'INBOX', makeMail('nooped-1'));
      await eventually(async () => (await stored('<nooped-1@test.example>')) === 1, 8_000, 'the new mail ingested');
      await new Promise((r) => setTimeout(r, 1_000));
      expect(busy.sent().filter((c) => / NOOP$/.test(c)).length).toBeGreaterThanOrEqual(3);
    } finally {
      await w.close();
    }
  }, 30_000);
});
