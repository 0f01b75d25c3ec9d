import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestMessage } from '../../src/app/ingest/ingest-message.js';
import type { IngestDeps } from '../../src/app/ingest/ingest-batch.js';
import { createSmtpSender } from '../../src/smtp/create-smtp-sender.js';
import type { MailSender } from '../../src/smtp/mail-sender.js';
import { createOutboxWorker, type OutboxWorker } from '../../src/workers/outbox-worker.js';
import { buildMail } from '../helpers/mail-builder.js';
import { startSmtpSink, type ReceivedMail, type SmtpSink } from '../helpers/smtp-sink.js';
import { testConfig } from '../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const MONDAY_10 = new Date('2026-03-16T07:00:00Z');
const AYSE = 'ayse@sanarise.example';

/** A header of a raw mail as it went over SMTP, unfolded. */
function header(mail: ReceivedMail, name: string): string | null {
  const head = mail.raw.split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, ' ');
  const m = new RegExp(`^${name}:[ \\t]*(.*)$`, 'im').exec(head);
  return m ? m[1]!.trim() : null;
}

describe('an agent working a ticket from their mail client, over SMTP', () => {
  let database: TestDatabase;
  let sink: SmtpSink;
  let sender: MailSender;
  let worker: OutboxWorker;
  let deps: IngestDeps;
  const now = MONDAY_10;

  beforeAll(async () => {
    database = await createTestDatabase();
    sink = await startSmtpSink();
    const config = testConfig(database.url, { smtp: { host: '127.0.0.1', port: sink.port, secure: false } });
    const logger = pino({ level: process.env.TEST_LOG ?? 'silent' });
    deps = { db: database.db, config, logger, clock: () => now };
    sender = createSmtpSender(config.smtp!);
    worker = createOutboxWorker({ db: database.db, config, sender, clock: () => now, logger, owner: 'e2e' });
  });
  afterAll(async () => {
    await worker.close();
    await sender.close();
    await sink.close();
    await database.drop();
  });

  const drain = async () => { while (await worker.tick() > 0) { /* send everything due */ } };
  const receivedBy = (address: string) => sink.accepted.filter((m) => m.to.includes(address));

  it('answers the notification and the client gets the reply in their own thread', async () => {
    await ingestMessage(deps, {
      raw: buildMail({ subject: '[Hata] Fatura ekranı açılmıyor', messageId: '<e2e-client@client.example>' }),
      mailbox: 'support', receivedAt: now, source: 'cli',
    });
    await drain();
    const notice = receivedBy(AYSE).at(-1)!;
    const replyAddress = /<([^>]+)>|(\S+@\S+)/.exec(header(notice, 'Reply-To')!)!.slice(1).find(Boolean)!;
    expect(replyAddress).toMatch(/^support\+[a-z2-7]{34}@sanarise\.example$/);
    const seenByAyse = receivedBy(AYSE).length;

    await ingestMessage(deps, {
      raw: buildMail({
        from: `Ayşe Yılmaz <${AYSE}>`, to: replyAddress, subject: `Re: ${header(notice, 'Subject')}`,
        inReplyTo: notice.messageId!, references: notice.messageId!,
        body: '#qualified\n\nMerhaba, düzeltmeyi yayına aldık.\n\n-- \nAyşe',
      }),
      mailbox: 'support', receivedAt: now, source: 'cli',
    });
    await drain();

    // The acknowledgement is automatic mail; the agent's words are human mail, without the marker.
    const relays = receivedBy('ayse@client.example').filter((m) => header(m, 'Auto-Submitted') === null);
    expect(relays).toHaveLength(1);
    const relay = relays[0]!;
    expect(relay.raw).toContain('Merhaba');
    expect(header(relay, 'From')).toContain('support@sanarise.example');
    expect(header(relay, 'In-Reply-To')).toBe('<e2e-client@client.example>');
    expect(header(relay, 'References')).toContain('<e2e-client@client.example>');
    expect(relay.raw).not.toContain('#qualified');
    // The #qualified confirmation, in Ayşe's language, comes back to her in the same exchange.
    const confirmations = receivedBy(AYSE).slice(seenByAyse);
    expect(confirmations).toHaveLength(1);
    expect(header(confirmations[0]!, 'Auto-Submitted')).toBe('auto-generated');
  });
});
