import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, eq } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startGateway, type Gateway } from '../../src/main.js';
import { outbox } from '../../src/db/schema/outbox.js';
import { tickets } from '../../src/db/schema/tickets.js';
import { createRawMailClient } from '../../src/smtp/send-raw.js';
import { eventually } from '../helpers/eventually.js';
import { buildMail } from '../helpers/mail-builder.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';
import { testConfig } from '../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const SUPPORT = 'support@sanarise.example';
const MANAGEMENT = 'management@sanarise.example';
// Monday 16 March 2026, 10:00 in Istanbul: business hours, so nothing is held for the morning.
const MONDAY_10 = new Date('2026-03-16T07:00:00Z');

/**
 * Issue 20: /metrics is scraped by the team's tools, so nothing of the management channel may move
 * it: not the mail taken in and its lag, not the outbox gauges (the managers' mail, here refused by
 * their server so it stays queued), not the SLA notifications of a private ticket. The same scrape
 * before and after a complaint; a team mail afterwards does move it (the comparison can see).
 */
let database: TestDatabase;
let gateway: Gateway;
let sink: SmtpSink;
let outDir: string;
let now = MONDAY_10;
const managers = new Set<string>();

beforeAll(async () => {
  database = await createTestDatabase();
  // Managers' mail is deferred (451) and so stays in the outbox, where the gauges could count it.
  sink = await startSmtpSink({ rcpt: (address) => (managers.has(address) ? { code: 451, message: 'try again later' } : undefined) });
  outDir = mkdtempSync(join(tmpdir(), 'slagate-private-metrics-'));
  const config = testConfig(database.url, {
    localMail: { port: 0, outDir },
    smtp: { host: sink.host, port: sink.port, secure: false, tlsRejectUnauthorized: false },
    http: { port: 0 },
    outbox: { pollIntervalMs: 50, backoffInitialMs: 60_000, backoffMaxMs: 120_000 },
    sla: { sweepIntervalMs: 100 },
  });
  for (const p of config.people) if (p.role === 'manager') managers.add(p.address);
  expect(managers.size).toBeGreaterThan(0);
  gateway = await startGateway(config, { logger: pino({ level: 'silent' }), clock: () => now });
}, 60_000);
afterAll(async () => {
  await gateway?.close();
  await sink?.close();
  await database?.drop();
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

async function deliver(to: string[], raw: Buffer) {
  const client = createRawMailClient(gateway.endpoints().smtp!);
  try {
    await client.send({ from: 'deniz@anadolu.example', to }, raw);
  } finally {
    client.close();
  }
}

/** The gateway's own series (the Node process metrics move by themselves and tell nothing). */
async function scrape(): Promise<string[]> {
  const http = gateway.endpoints().http!;
  const text = await (await fetch(`http://${http.host}:${http.port}/metrics`)).text();
  return text.split('\n').filter((l) => /^slagate_(mail_ingested|ingest_lag|outbox|sla_notifications|worker_restarts)/.test(l));
}

it('a complaint, its copies, its queued mail and its SLA reminder change no value at /metrics', async () => {
  const before = await scrape();
  expect(before.some((l) => l.startsWith('slagate_outbox_depth'))).toBe(true);

  // To management, Cc support: both copies in one delivery.
  await deliver([MANAGEMENT, SUPPORT], buildMail({
    from: 'Deniz Arslan <deniz@anadolu.example>', to: MANAGEMENT, cc: SUPPORT, messageId: '<metrics-complaint@anadolu.example>',
    subject: 'Temsilci hakkında', body: 'Mehmet Bey toplantıya gelmedi.',
  }));
  const [ticket] = await database.db.select().from(tickets).where(eq(tickets.private, true));
  expect(ticket).toBeDefined();
  // The managers' notice was tried and deferred: it waits in the outbox.
  await eventually(async () => {
    const rows = await database.db.select().from(outbox).where(and(eq(outbox.ticketId, ticket!.id), eq(outbox.kind, 'private-new-ticket')));
    return rows.length > 0 && rows.every((r) => r.attempts > 0 && r.status === 'pending');
  }, 30_000, 'the managers\' notice to be deferred');
  // 6 business hours later (75 % of the complaint's 8): its first-response reminder is queued.
  now = new Date(MONDAY_10.getTime() + (6 * 60 + 15) * 60_000);
  await eventually(async () => (await database.db.select().from(outbox)
    .where(and(eq(outbox.ticketId, ticket!.id), eq(outbox.kind, 'sla-reminder')))).length > 0, 30_000, 'the private SLA reminder');

  expect(await scrape()).toEqual(before);

  // A team mail does move it: the comparison above would have seen a change.
  await deliver([SUPPORT], buildMail({ from: 'ali@musteri.example', to: SUPPORT, messageId: '<metrics-team@musteri.example>', subject: '[Soru] Fatura' }));
  const after = await scrape();
  expect(after.find((l) => l.startsWith('slagate_mail_ingested_total{'))).toBe('slagate_mail_ingested_total{decision="new-ticket",mailbox="support"} 1');
}, 120_000);
