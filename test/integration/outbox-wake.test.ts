import { eq } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { DEFAULT_CONFIG_INPUT, parseConfig, type Config } from '../../src/config.js';
import { openDatabase } from '../../src/db/client.js';
import { enqueue } from '../../src/db/repositories/outbox-repository.js';
import { outbox } from '../../src/db/schema/outbox.js';
import type { OutboundMail } from '../../src/outbound/outbound-mail.js';
import { createSmtpSender } from '../../src/smtp/create-smtp-sender.js';
import type { MailSender } from '../../src/smtp/mail-sender.js';
import { createOutboxWorker, type OutboxWorker } from '../../src/workers/outbox-worker.js';
import { eventually } from '../helpers/eventually.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const POLL_MS = 60_000; // far beyond the test's waits: only wake() can explain a prompt send

let database: TestDatabase;
let sink: SmtpSink;
let sender: MailSender;
let worker: OutboxWorker;
let seq = 0;
let config: Config;

function mail(): OutboundMail {
  const n = ++seq;
  return {
    dedupeKey: `wake:${n}`, kind: 'team-new-ticket', ticketId: null, messageId: `<wake.${n}.${Date.now()}@slagate.test>`,
    from: { name: 'Sanarise Destek', address: 'support@sanarise.example' }, replyTo: null,
    to: [{ name: 'Ayşe Yılmaz', address: 'ayse@sanarise.example' }], cc: [],
    subject: `Wake ${n}`, text: `text ${n}`, html: `<p>text ${n}</p>`, headers: { 'Auto-Submitted': 'auto-generated' },
  };
}

beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 4 });
  sink = await startSmtpSink();
  config = parseConfig({
    ...DEFAULT_CONFIG_INPUT,
    database: { url: database.url },
    smtp: { host: sink.host, port: sink.port, maxConnections: 1, connectionTimeoutMs: 5_000 },
    outbox: { pollIntervalMs: POLL_MS },
  });
  sender = createSmtpSender(config.smtp!);
  worker = createOutboxWorker({ db: database.db, config, sender, clock: () => new Date(), logger: pino({ level: 'silent' }), owner: 'wake' });
  await worker.start();
  // The first pass finds nothing and the worker settles into its long poll wait.
  await new Promise((r) => setImmediate(r));
});
afterAll(async () => {
  await worker?.close();
  await sender?.close();
  await sink?.close();
  await database?.drop();
});

describe('outbox wake-up', () => {
  it('sends mail queued during a poll wait as soon as it is woken', async () => {
    const m = mail();
    await enqueue(database.db, m);
    worker.wake();
    await eventually(() => sink.accepted.some((r) => r.messageId === m.messageId), 10_000, 'the woken send');
  });

  it('keeps a wake-up that arrives while a pass is running, so the next pass follows at once', async () => {
    const first = mail();
    const second = mail();
    await enqueue(database.db, first);
    worker.wake();
    // Queued and announced while the pass for `first` is (or may be) in flight.
    await enqueue(database.db, second);
    worker.wake();
    await eventually(() => sink.accepted.some((r) => r.messageId === second.messageId), 10_000, 'the second send');
    expect(sink.accepted.map((r) => r.messageId)).toContain(first.messageId);
  });

  it('claims once for a mail that arrives alone, not again until woken or the poll comes', async () => {
    // Each empty claim is a round trip to the database: a lone LMTP delivery used to pay two of
    // them after its acknowledgement's claim, more than its whole ingest.
    let statements = 0;
    const counted = await openDatabase({ ...config.database }, { onStatement: () => { statements += 1; } });
    onTestFinished(() => counted.close());
    const alone = createOutboxWorker({ db: counted.db, config, sender, clock: () => new Date(), logger: pino({ level: 'silent' }), owner: 'alone' });
    await alone.start();
    const m = mail();
    await enqueue(database.db, m);
    alone.wake();
    await eventually(async () => (await database.db.select({ status: outbox.status }).from(outbox).where(eq(outbox.messageId, m.messageId)))[0]?.status === 'sent', 10_000, 'the send recorded');
    await alone.close();
    // The claim at start, the claim the wake-up made (in either order, one of them finds the mail), and the record of the send.
    expect(statements).toBe(3);
  });
});
