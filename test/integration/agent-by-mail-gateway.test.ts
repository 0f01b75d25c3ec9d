import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawMail } from '../../src/db/schema/raw-mail.js';
import { tickets } from '../../src/db/schema/tickets.js';
import { parseMail } from '../../src/inbound/parse-mail.js';
import { eventually } from '../helpers/eventually.js';
import { buildMail } from '../helpers/mail-builder.js';
import { startRunningGateway, type RunningGateway } from '../helpers/running-gateway.js';
import type { ReceivedMail } from '../helpers/smtp-sink.js';

/**
 * The whole loop against real servers: a client's mail reaches Dovecot, the gateway acknowledges
 * it and tells the agent; the agent answers that notification from their mail client (the answer
 * lands in the support mailbox, addressed to the signed Reply-To); the client receives the answer
 * in their own thread, and the command at the top of it was applied. A forged copy does nothing.
 */
describe('an agent works a ticket by mail, end to end', () => {
  let run: RunningGateway;
  const parsed = (m: ReceivedMail) => parseMail(Buffer.from(m.raw), { maxTextChars: 100_000 });
  const mailTo = async (address: string, kindHeader?: string) => {
    const found = [];
    for (const m of run.sink.accepted) {
      if (!m.to.includes(address)) continue;
      const mail = await parsed(m);
      if (!kindHeader || mail.subject.includes(kindHeader)) found.push(mail);
    }
    return found;
  };

  beforeAll(async () => {
    run = await startRunningGateway({
      people: [
        { address: 'ayse@sanarise.example', name: 'Ayşe Yılmaz', role: 'agent', language: 'tr' },
        { address: 'manager@sanarise.example', name: 'Can Öztürk', role: 'manager', language: 'tr' },
      ],
    });
  }, 120_000);
  afterAll(async () => { await run?.close(); });

  it('acknowledges, notifies the agent, relays the agent\'s answer in the client\'s thread, and ignores a forgery', async () => {
    // Critical: the 24/7 calendar, so staff mail is never held whatever hour the test runs.
    const clientMail = buildMail({
      from: 'Deniz Arslan <deniz@anadolu.example>', subject: '[Kritik][Erişim] Odoo açılmıyor', messageId: '<outage-1@anadolu.example>',
    });
    await run.deliver(clientMail);

    await eventually(async () => (await mailTo('ayse@sanarise.example')).length === 1, 20_000, 'the team notification');
    const [notice] = await mailTo('ayse@sanarise.example');
    const [ack] = await mailTo('deniz@anadolu.example');
    expect(ack!.inReplyTo).toBe('<outage-1@anadolu.example>');
    const replyTo = notice!.replyTo[0]!.address;
    expect(replyTo).toMatch(/^support\+[a-z2-7]+@sanarise\.example$/);

    // The agent answers the notification: a command line, the answer, the quoted notification.
    const answer = buildMail({
      from: 'Ayşe Yılmaz <ayse@sanarise.example>', to: replyTo, subject: `Re: ${notice!.subject}`,
      inReplyTo: notice!.messageId!, references: notice!.messageId!,
      body: `#qualified\n\nMerhaba Deniz Hanım, veritabanı sunucusunu yeniden başlattık; şimdi deneyebilir misiniz?\n\n> ${notice!.text.split('\n')[0]}\n`,
    });
    await run.deliver(answer);

    await eventually(async () => (await mailTo('deniz@anadolu.example')).length === 2, 20_000, 'the relayed answer');
    const relay = (await mailTo('deniz@anadolu.example')).find((m) => m.messageId !== ack!.messageId)!;
    expect(relay.text).toContain('veritabanı sunucusunu yeniden başlattık');
    expect(relay.text).not.toContain('#qualified');
    expect(relay.from[0]!.address).toBe('support@sanarise.example');
    expect(relay.inReplyTo).toBe('<outage-1@anadolu.example>');
    const [ticket] = await run.database.db.select().from(tickets).where(eq(tickets.requesterAddress, 'deniz@anadolu.example'));
    expect(ticket!.firstResponseAt).not.toBeNull();
    expect(ticket!.qualifiedAt).not.toBeNull();
    expect(relay.subject).toContain(`[#${ticket!.number}]`);

    // Someone who saw the notification forges the agent's answer from another address: nothing is
    // relayed and the ticket does not change.
    const forged = buildMail({
      from: 'Mallory <mallory@evil.example>', to: replyTo, subject: `Re: ${notice!.subject}`,
      inReplyTo: notice!.messageId!, body: '#status closed\n\nKapatıldı.\n',
    });
    await run.deliver(forged);
    await eventually(async () => (await run.database.db.select({ id: rawMail.id }).from(rawMail)).length === 3, 20_000, 'the forged mail to be ingested');
    const [after] = await run.database.db.select().from(tickets).where(eq(tickets.id, ticket!.id));
    expect(after!.status).not.toBe('closed');
    expect((await mailTo('deniz@anadolu.example')).filter((m) => m.text.includes('Kapatıldı'))).toHaveLength(0);
  }, 90_000);
});
