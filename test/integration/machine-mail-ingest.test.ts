import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { and, eq, inArray } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestMessage } from '../../src/app/ingest/ingest-message.js';
import type { IngestDeps } from '../../src/app/ingest/ingest-batch.js';
import type { IngestOutcome } from '../../src/inbound/ingest-types.js';
import { outbox, suppressions } from '../../src/db/schema/outbox.js';
import { rawMail } from '../../src/db/schema/raw-mail.js';
import { tickets } from '../../src/db/schema/tickets.js';
import { BOUNCES_DIR, EXPECTED } from '../helpers/bounce-corpus-expected.js';
import { buildMail } from '../helpers/mail-builder.js';
import { testConfig } from '../helpers/test-config.js';
import { bounceAddress } from '../../src/security/bounce-address.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

// Monday 16 March 2026, 10:00 in Istanbul: inside business hours.
const NOW = new Date('2026-03-16T07:00:00Z');

/** The failed addresses a bounce outcome's reason names ("failed: a 5.1.1 permanent, b no status; ..."). */
function failedIn(reason: string): string[] {
  const list = /; failed: (.*?); (?:it names|<|outbox row|\S+ is not|changes nothing)/.exec(reason)?.[1];
  return list ? list.split(', ').map((r) => r.split(' ')[0]!) : [];
}

describe('machine mail through the real ingest (issue 22)', () => {
  let database: TestDatabase;
  let deps: IngestDeps;
  const ingest = (raw: Buffer): Promise<IngestOutcome> => ingestMessage(deps, { raw, mailbox: 'support', receivedAt: NOW, source: 'cli' });
  const acknowledgements = async () => database.db.select().from(outbox).where(inArray(outbox.kind, ['acknowledgement', 'acknowledgement-private']));

  beforeAll(async () => {
    database = await createTestDatabase();
    deps = { db: database.db, config: testConfig(database.url), logger: pino({ level: process.env.TEST_LOG ?? 'silent' }), clock: () => NOW };
  });
  afterAll(async () => { await database.drop(); });

  it('never acknowledges, opens no ticket for, and names the verdict and failed recipients of every mail of the bounce corpus', async () => {
    const files = readdirSync(BOUNCES_DIR).filter((f) => f.endsWith('.eml')).sort();
    expect(files).toHaveLength(213);
    expect(Object.keys(EXPECTED).sort()).toEqual(files);
    const kinds = new Map<string, number>();
    for (const f of files) {
      const expected = EXPECTED[f]!;
      let outcome = await ingest(readFileSync(join(BOUNCES_DIR, f)));
      expect(outcome.acknowledge, f).toBe(false);
      expect(outcome.ticket, f).toBeNull();
      if (outcome.decision === 'duplicate') {
        // rhost-outlook-06..09 are lhost-outlook-06..09 delivered again: judged once, as the first.
        const [first] = await database.db.select().from(rawMail).where(eq(rawMail.id, outcome.rawMailId!));
        outcome = { ...outcome, decision: first!.decision as IngestOutcome['decision'], reason: first!.reason ?? '' };
        expect(outcome.reason, f).toContain(`${expected.kind} (`);
      } else {
        expect(outcome.verdict, `${f}: ${outcome.reason}`).toBe(expected.kind);
      }
      expect(['bounce', 'machine', 'auto-reply'], f).toContain(outcome.decision);
      // The verdict's signals are in the recorded reason: "<kind> (signal; signal...)".
      expect(outcome.reason, f).toMatch(new RegExp(`${expected.kind} \\([^)]+`));
      if (expected.recipients) expect(failedIn(outcome.reason), `${f}: ${outcome.reason}`).toEqual(expected.recipients);
      kinds.set(expected.kind, (kinds.get(expected.kind) ?? 0) + 1);
    }
    console.log(`bounce corpus: ${files.length} mails -> ${[...kinds].map(([k, v]) => `${k} ${v}`).join(', ')}`);
    expect(await acknowledgements()).toEqual([]);
    expect(await database.db.select().from(tickets)).toEqual([]);
    // Never lost: every one is in raw_mail with its decision and reason.
    const recorded = await database.db.select({ decision: rawMail.decision, reason: rawMail.reason }).from(rawMail);
    expect(recorded.filter((r) => ['bounce', 'machine', 'auto-reply'].includes(r.decision) && r.reason)).toHaveLength(209);
  });

  it('keeps a person who forwards a bounce they got a person: a ticket of type email-deliverability, acknowledged', async () => {
    const qmail = readFileSync(join(BOUNCES_DIR, 'lhost-qmail-02.eml'), 'utf8').split(/\r?\n\r?\n/).slice(1).join('\n\n');
    const english = await ingest(buildMail({
      from: 'Deniz Client <deniz@client.example>', subject: 'Fwd: failure notice',
      body: `Hi, our invoices to customers come back, see below.\n\n---------- Forwarded message ---------\nFrom: MAILER-DAEMON@mx.example.jp\nSubject: failure notice\n\n${qmail}`,
    }));
    expect(english).toMatchObject({ decision: 'new-ticket', acknowledge: true, ticket: { type: 'email-deliverability' } });
    const turkish = await ingest(buildMail({
      from: 'Ayşe Kaya <ayse@client.example>', subject: 'İLT: Teslim edilemedi: Fatura',
      body: 'Merhaba, e-postalar müşterilere ulaşmıyor, hepsi geri dönüyor.\n\n-----Özgün İleti-----\nKimden: Mail Delivery System <MAILER-DAEMON@mx.client.example>\nKonu: Teslim edilemedi: Fatura\n\n550 5.1.1 <musteri@example.com>: User unknown',
    }));
    expect(turkish).toMatchObject({ decision: 'new-ticket', acknowledge: true, ticket: { type: 'email-deliverability' } });
  });

  it('keeps a person writing about out-of-office settings, or pasting a bounce into a new request, a person', async () => {
    const settings = await ingest(buildMail({ from: 'Selin <selin@client.example>', subject: 'Out of office settings do not save', body: 'Hello, Odoo forgets my out of office reply every night.' }));
    expect(settings).toMatchObject({ decision: 'new-ticket', acknowledge: true });
    const izin = await ingest(buildMail({ from: 'Emre <emre@client.example>', subject: 'İzindeyim ama fatura ekranı acil', body: 'İzindeyim ama muhasebe fatura kesemiyor, acil bakar mısınız?' }));
    expect(izin).toMatchObject({ decision: 'new-ticket', acknowledge: true });
    const pasted = await ingest(buildMail({
      from: 'Can <can@client.example>', subject: 'Mails bounce',
      body: 'This message was created automatically by mail delivery software.\nA message that you sent could not be delivered.\n  musteri@example.com\n    550 5.1.1 User unknown\n\nWhy?',
    }));
    expect(pasted).toMatchObject({ decision: 'new-ticket', acknowledge: true, ticket: { type: 'email-deliverability' } });
  });

  it('marks our acknowledgement bounced and suppresses its address from a DSN, and only records a complaint', async () => {
    const opened = await ingest(buildMail({ from: 'Gone <gone@client.example>', subject: '[Soru] Rapor', messageId: '<gone-1@client.example>' }));
    const [ack] = await database.db.select().from(outbox).where(and(eq(outbox.ticketId, opened.ticket!.id), eq(outbox.kind, 'acknowledgement')));
    await database.db.update(outbox).set({ status: 'sent' }).where(eq(outbox.id, ack!.id));
    const dsn = Buffer.from([
      'Return-Path: <>', 'From: Mail Delivery System <MAILER-DAEMON@mx.client.example>', `To: ${bounceAddress(deps.config.tokenSecret!, 'support@sanarise.example', ack!.messageId)}`,
      'Subject: Undelivered Mail Returned to Sender', 'Message-ID: <dsn-1@mx.client.example>', 'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="b"', '',
      '--b', 'Content-Type: text/plain', '', 'I could not deliver your mail.', '',
      '--b', 'Content-Type: message/delivery-status', '', 'Reporting-MTA: dns; mx.client.example', '',
      'Final-Recipient: rfc822; gone@client.example', 'Action: failed', 'Status: 5.1.1', 'Diagnostic-Code: smtp; 550 5.1.1 no such user', '',
      '--b', 'Content-Type: text/rfc822-headers', '', `Message-ID: ${ack!.messageId}`, 'Subject: ack', '',
      '--b--', '',
    ].join('\r\n'));
    const bounced = await ingest(dsn);
    expect(bounced).toMatchObject({ decision: 'bounce', acknowledge: false, ticket: null, verdict: 'delivery-failure' });
    expect(bounced.reason).toContain(`outbox row ${ack!.id} marked bounced; suppressed gone@client.example`);
    expect((await database.db.select().from(outbox).where(eq(outbox.id, ack!.id)))[0]!.status).toBe('bounced');
    expect(await database.db.select().from(suppressions).where(eq(suppressions.address, 'gone@client.example'))).toHaveLength(1);

    // An abuse report of the same mail: recorded on the row, suppresses nobody.
    const other = await ingest(buildMail({ from: 'Kind <kind@client.example>', subject: '[Soru] Başka', messageId: '<kind-1@client.example>' }));
    const [ack2] = await database.db.select().from(outbox).where(and(eq(outbox.ticketId, other.ticket!.id), eq(outbox.kind, 'acknowledgement')));
    await database.db.update(outbox).set({ status: 'sent' }).where(eq(outbox.id, ack2!.id));
    const arf = Buffer.from([
      'From: feedbackloop@isp.example', `To: ${bounceAddress(deps.config.tokenSecret!, 'support@sanarise.example', ack2!.messageId)}`, 'Subject: Abuse Report', 'Message-ID: <arf-1@isp.example>', 'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=feedback-report; boundary="b"', '',
      '--b', 'Content-Type: text/plain', '', 'This is an abuse report.', '',
      '--b', 'Content-Type: message/feedback-report', '', 'Feedback-Type: abuse', 'User-Agent: FBL/1.0', 'Version: 1', 'Original-Rcpt-To: kind@client.example', '',
      '--b', 'Content-Type: message/rfc822', '', `Message-ID: ${ack2!.messageId}`, 'From: support@sanarise.example', 'Subject: ack', '', 'body', '',
      '--b--', '',
    ].join('\r\n'));
    const complaint = await ingest(arf);
    expect(complaint).toMatchObject({ decision: 'bounce', acknowledge: false, ticket: null, verdict: 'feedback-report' });
    expect(complaint.reason).toContain(`outbox row ${ack2!.id} marked bounced`);
    expect(complaint.reason).not.toContain('suppressed');
    expect(await database.db.select().from(suppressions).where(eq(suppressions.address, 'kind@client.example'))).toEqual([]);
  });

  it('records list mail with no ticket, unless policy.allowedLists names the list', async () => {
    const post = (id: string) => buildMail({
      from: 'Poster <poster@somewhere.example>', to: 'odoo-users@lists.example', messageId: `<${id}@somewhere.example>`,
      subject: 'Invoice numbering in v17', headers: { 'List-Id': 'Odoo users <odoo-users.lists.example>', 'List-Post': '<mailto:odoo-users@lists.example>', Precedence: 'list' },
    });
    expect(await ingest(post('p1'))).toMatchObject({ decision: 'machine', acknowledge: false, ticket: null, verdict: 'list' });
    const allowing: IngestDeps = { ...deps, config: { ...deps.config, policy: { ...deps.config.policy, allowedLists: ['odoo-users.lists.example'] } } };
    const allowed = await ingestMessage(allowing, { raw: post('p2'), mailbox: 'support', receivedAt: NOW, source: 'cli' });
    expect(allowed).toMatchObject({ decision: 'new-ticket', acknowledge: false });
    expect(allowed.ticket).not.toBeNull();
  });
});
