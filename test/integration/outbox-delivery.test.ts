import { eq } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG_INPUT, parseConfig, type Config } from '../../src/config.js';
import { enqueue, getOutbox, listOutbox } from '../../src/db/repositories/outbox-repository.js';
import { outbox } from '../../src/db/schema/outbox.js';
import { ticketEvents, tickets } from '../../src/db/schema/tickets.js';
import type { OutboundMail } from '../../src/outbound/outbound-mail.js';
import { createSmtpSender } from '../../src/smtp/create-smtp-sender.js';
import type { MailSender } from '../../src/smtp/mail-sender.js';
import { createOutboxWorker, type OutboxWorker } from '../../src/workers/outbox-worker.js';
import { eventually } from '../helpers/eventually.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

let database: TestDatabase;
let sink: SmtpSink;
let sender: MailSender;
let config: Config;
let now: Date;
const clock = () => now;
const logger = pino({ level: 'silent' });
let seq = 0;

function mail(overrides: Partial<OutboundMail> = {}): OutboundMail {
  const n = ++seq;
  return {
    dedupeKey: `test:${n}`, kind: 'team-new-ticket', ticketId: null, messageId: `<test.${n}@slagate.test>`,
    from: { name: 'Sanarise Destek', address: 'support@sanarise.example' },
    replyTo: { name: 'Sanarise Destek', address: 'support@sanarise.example' },
    to: [{ name: 'Ayşe, Yılmaz', address: 'ayse@sanarise.example' }], cc: [],
    subject: `[#SR-${n}] Test ${n}`, text: `text ${n}`, html: `<p>html ${n}</p>`,
    headers: { 'Auto-Submitted': 'auto-generated', 'X-Slagate-Ticket': `SR-${n}` },
    ...overrides,
  };
}

async function insertTicket(status = 'open'): Promise<number> {
  const [row] = await database.db.insert(tickets).values({
    number: `SR-${900 + ++seq}`, mailbox: 'support', type: 'problem', typeSource: 'tag', priority: 'medium',
    priorityReason: 'default', status, requesterAddress: 'deniz@client.example', subject: 's', receivedAt: now,
    resolvedAt: status === 'resolved' ? now : null,
  }).returning({ id: tickets.id });
  return row!.id;
}

function worker(owner = 'w1', breaker = { failureThreshold: 2, cooldownMs: 1_000 }): OutboxWorker {
  return createOutboxWorker({ db: database.db, config, sender, clock, logger, owner, breaker, random: () => 1 });
}

const advance = (ms: number) => { now = new Date(now.getTime() + ms); };
const messageIdsReceived = () => sink.received.map((m) => m.messageId);

beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 8 });
});
afterAll(async () => {
  await database.drop();
});
beforeEach(async () => {
  now = new Date('2026-03-16T09:00:00Z');
  sink = await startSmtpSink();
  config = parseConfig({
    ...DEFAULT_CONFIG_INPUT,
    smtp: { host: sink.host, port: sink.port, maxConnections: 2, connectionTimeoutMs: 5_000 },
    outbox: { maxAttempts: 3, backoffInitialMs: 1_000, backoffMaxMs: 60_000, leaseMs: 60_000, batchSize: 20, pollIntervalMs: 20 },
  });
  sender = createSmtpSender(config.smtp!);
  await database.db.delete(outbox);
});
afterEach(async () => {
  await sender.close();
  await sink.close();
});

describe('the outbox worker against an SMTP server', () => {
  it('sends the stored mail with its own Message-ID and headers, and never a Bcc', async () => {
    const m = mail();
    await enqueue(database.db, m, { now });
    expect(await worker().tick()).toBe(1);
    expect(sink.accepted).toHaveLength(1);
    const raw = sink.accepted[0]!.raw;
    expect(sink.accepted[0]!.messageId).toBe(m.messageId);
    expect(raw).toMatch(/^Auto-Submitted: auto-generated$/m);
    expect(raw).toMatch(/^X-Slagate-Ticket: SR-\d+$/m);
    expect(raw).not.toMatch(/^Bcc:/im);
    // The comma in the display name did not make two recipients.
    expect(sink.accepted[0]!.to).toEqual(['ayse@sanarise.example']);
    const [row] = await listOutbox(database.db, { status: 'sent' });
    expect(row?.recipients['ayse@sanarise.example']).toMatch(/^accepted/);
  });

  it.each([
    ['451 on DATA', { data: () => ({ code: 451, message: 'Try again later' }) }],
    ['421 on RCPT', { rcpt: () => ({ code: 421, message: 'Too busy' }) }],
  ])('retries a temporary failure (%s) later with the same Message-ID', async (_name, policy) => {
    const m = mail();
    await enqueue(database.db, m, { now });
    sink.policy = policy;
    const w = worker();
    await w.tick();
    const waiting = (await listOutbox(database.db))[0]!;
    expect(waiting).toMatchObject({ status: 'pending', attempts: 1 });
    expect(waiting.notBefore.getTime()).toBeGreaterThan(now.getTime());
    expect(await w.tick()).toBe(0); // not due yet
    sink.policy = {};
    advance(1_000);
    await w.tick();
    expect(await getOutbox(database.db, waiting.id)).toMatchObject({ status: 'sent', attempts: 2 });
    expect(sink.accepted.map((r) => r.messageId)).toEqual([m.messageId]);
  });

  it('records a 550 for one of two recipients per recipient and still counts the mail as sent', async () => {
    await enqueue(database.db, mail({ to: [{ name: 'A', address: 'a@client.example' }, { name: 'B', address: 'gone@client.example' }] }), { now });
    sink.policy = { rcpt: (address) => (address === 'gone@client.example' ? { code: 550, message: 'No such user' } : undefined) };
    await worker().tick();
    const [row] = await listOutbox(database.db);
    expect(row?.status).toBe('sent');
    expect(row?.recipients['a@client.example']).toMatch(/^accepted/);
    expect(row?.recipients['gone@client.example']).toMatch(/^rejected: 550/);
    expect(sink.accepted[0]!.to).toEqual(['a@client.example']);
  });

  it('gives up on a permanent failure and says so on the ticket', async () => {
    const ticketId = await insertTicket();
    await enqueue(database.db, mail({ ticketId }), { now });
    sink.policy = { data: () => ({ code: 554, message: 'Message rejected as spam' }) };
    await worker().tick();
    const [row] = await listOutbox(database.db);
    expect(row).toMatchObject({ status: 'failed', attempts: 1 });
    const events = await database.db.select().from(ticketEvents).where(eq(ticketEvents.ticketId, ticketId));
    expect(events.map((e) => e.kind)).toEqual(['mail-failed']);
    expect(events[0]!.reason).toMatch(/554/);
  });

  it('gives up after maxAttempts temporary failures', async () => {
    await enqueue(database.db, mail(), { now });
    sink.policy = { data: () => ({ code: 452, message: 'Mailbox full' }) };
    const w = worker();
    for (let i = 0; i < 3; i++) {
      await w.tick();
      advance(60_000);
    }
    const [row] = await listOutbox(database.db);
    expect(row).toMatchObject({ status: 'failed', attempts: 3 });
    expect(row?.lastError).toMatch(/gave up after 3 attempts/);
  });

  it('while the server refuses connections, loses nothing, opens the breaker, probes, recovers and sends each mail once', async () => {
    const mails = Array.from({ length: 5 }, () => mail());
    for (const m of mails) await enqueue(database.db, m, { now });
    sink.policy = { refuseConnections: true };
    const w = worker();
    await w.tick();
    expect(w.breakerState()).toBe('open');
    const waiting = await listOutbox(database.db);
    expect(waiting.every((r) => r.status === 'pending')).toBe(true);
    // Only the failure before the breaker opened (threshold 2) cost an attempt.
    expect(waiting.reduce((sum, r) => sum + r.attempts, 0)).toBe(1);
    const connectionsWhileOpen = sink.connections;
    advance(500);
    expect(await w.tick()).toBe(0); // open: nothing is tried
    expect(sink.connections).toBe(connectionsWhileOpen);

    sink.policy = {};
    advance(500);
    expect(w.breakerState()).toBe('half-open');
    expect(await w.tick()).toBe(1); // a single probe
    expect(w.breakerState()).toBe('closed');
    // A pass claims no more than the pool sends at once; drain what is left.
    while (await w.tick() > 0);
    expect((await listOutbox(database.db)).every((r) => r.status === 'sent')).toBe(true);
    expect(messageIdsReceived().sort()).toEqual(mails.map((m) => m.messageId).sort());
  });

  it('retries a mail whose connection dropped after DATA with the same Message-ID', async () => {
    const m = mail();
    await enqueue(database.db, m, { now });
    let dropped = false;
    sink.policy = { dropAfterData: () => (dropped ? false : (dropped = true)) };
    const w = worker();
    await w.tick();
    expect((await listOutbox(database.db))[0]).toMatchObject({ status: 'pending' });
    advance(2_000);
    await w.tick();
    expect((await listOutbox(database.db))[0]).toMatchObject({ status: 'sent' });
    expect(messageIdsReceived()).toEqual([m.messageId, m.messageId]);
  });

  it('lets two workers share one outbox without sending anything twice', async () => {
    const mails = Array.from({ length: 40 }, () => mail());
    for (const m of mails) await enqueue(database.db, m, { now });
    config = { ...config, outbox: { ...config.outbox, batchSize: 3 } };
    const other = createSmtpSender(config.smtp!);
    try {
      const a = worker('a');
      const b = createOutboxWorker({ db: database.db, config, sender: other, clock, logger, owner: 'b' });
      const drain = async (w: OutboxWorker) => { let handled = 0; while ((handled = await w.tick()) > 0); return handled; };
      await Promise.all([drain(a), drain(b), drain(a), drain(b)]);
    } finally {
      await other.close();
    }
    expect(messageIdsReceived()).toHaveLength(40);
    expect(new Set(messageIdsReceived()).size).toBe(40);
    const statuses = new Set((await listOutbox(database.db, { limit: 100 })).map((r) => r.status));
    expect(statuses).toEqual(new Set(['sent']));
  });

  it('does not send a reminder for a ticket resolved since it was queued', async () => {
    const ticketId = await insertTicket('resolved');
    await enqueue(database.db, mail({ ticketId, kind: 'sla-reminder', dedupeKey: `sla:${ticketId}:first-response:reminder:x` }), { now });
    await worker().tick();
    expect((await listOutbox(database.db))[0]).toMatchObject({ status: 'suppressed' });
    expect(sink.received).toHaveLength(0);
  });

  it('runs as a loop until closed', async () => {
    const w = worker();
    const running = w.start();
    await enqueue(database.db, mail(), { now });
    await eventually(() => sink.accepted.length === 1, 10_000, 'the mail to be sent');
    await w.close();
    await running;
  });
});

describe('a mail that makes the server drop the connection every time', () => {
  it('still runs out of attempts (probes pay) instead of being resent for ever', async () => {
    await enqueue(database.db, mail(), { now });
    sink.policy = { dropAfterData: () => true };
    const w = worker('w1', { failureThreshold: 2, cooldownMs: 1_000 });
    for (let i = 0; i < 20; i++) {
      await w.tick();
      advance(120_000);
    }
    const [row] = await listOutbox(database.db);
    expect(row).toMatchObject({ status: 'failed' });
    expect(sink.received.length).toBeLessThanOrEqual(config.outbox.maxAttempts + 1);
  });
});
