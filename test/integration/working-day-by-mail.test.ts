import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ticketEvents, tickets } from '../../src/db/schema/tickets.js';
import { buildMail } from '../helpers/mail-builder.js';
import { removeTestConfigs, runCli, writeTestConfig } from '../helpers/run-cli.js';
import { startRunningGateway, type ReadMail, type RunningGateway } from '../helpers/running-gateway.js';

const CLIENT = 'deniz@anadolu.example';
const AGENT = 'ayse@sanarise.example';
/** Small, so a test mail can pass it without megabytes on a shared machine. */
const FORWARD_LIMIT = 200_000;


/**
 * An agent's and a client's day by email, against real Dovecot, PostgreSQL and an SMTP sink: what
 * each of them finds in their mailbox.
 */
describe('a working day by mail', () => {
  let run: RunningGateway;
  let cliConfig: string;
  const outDir = mkdtempSync(join(tmpdir(), 'slagate-day-'));
  const waitFor = (address: string, what: string, pick: (m: ReadMail) => boolean) => run.waitFor(address, what, pick);

  beforeAll(async () => {
    run = await startRunningGateway({
      people: [
        { address: AGENT, name: 'Ayşe Yılmaz', role: 'agent', language: 'tr' },
        { address: 'lead@sanarise.example', name: 'Mert Kaya', role: 'lead', language: 'tr' },
        { address: 'manager@sanarise.example', name: 'Can Öztürk', role: 'manager', language: 'tr' },
      ],
      overrides: { limits: { forwardAttachmentsMaxBytes: FORWARD_LIMIT } },
    });
    cliConfig = writeTestConfig({ ...run.overrides, database: { url: run.database.url } });
  }, 120_000);
  afterAll(async () => {
    await run?.close();
    removeTestConfigs();
    rmSync(outDir, { recursive: true, force: true });
  });

  it('carries files both ways: the client\'s to the agent (a large one named and retrievable), the agent\'s to the client', async () => {
    const screenshot = randomBytes(40_000);
    const logs = randomBytes(30_000);
    const video = randomBytes(FORWARD_LIMIT + 50_000);
    const installer = randomBytes(20_000);
    const pdf = randomBytes(25_000);
    // Critical: the 24/7 calendar, so staff mail is never held whatever hour the test runs.
    await run.deliver(buildMail({
      from: `Deniz Arslan <${CLIENT}>`, subject: '[Kritik][Hata] Fatura ekranı açılmıyor', messageId: '<files-1@anadolu.example>',
      body: 'Merhaba,\n\nFatura ekranı açılmıyor. Ekran görüntüsü, günlükler ve ekran kaydı ekte.\n\nDeniz',
      attachments: [
        { filename: 'ekran görüntüsü.png', contentType: 'image/png', content: screenshot, inline: true },
        { filename: 'odoo-logs.zip', contentType: 'application/zip', content: logs },
        { filename: 'kayit.mp4', contentType: 'video/mp4', content: video },
      ],
    }));

    const notice = await waitFor(AGENT, 'the team notification', (m) => m.mail.subject.includes('Fatura ekranı'));
    const [ticket] = await run.database.db.select().from(tickets).where(eq(tickets.requesterAddress, CLIENT));
    // The two that fit travel with the notice, byte for byte and under their own names (a zip
    // stays a zip); the video, over the limit, is named with its size and the command that gets it.
    expect(notice.files.map((f) => f.filename)).toEqual(['ekran görüntüsü.png', 'odoo-logs.zip']);
    expect(notice.files[0]!.content.equals(screenshot)).toBe(true);
    expect(notice.files[1]!.content.equals(logs)).toBe(true);
    expect(notice.files[1]!.contentType).toBe('application/zip');
    expect(notice.mail.text).toContain('Ekler:');
    expect(notice.mail.text).toContain('- odoo-logs.zip (29 KB)');
    expect(notice.mail.text).toContain(`- kayit.mp4 (244 KB): bu e-postayla gönderilemeyecek kadar büyük; almak için: slagate attachment get ${ticket!.number} "kayit.mp4"`);

    const out = join(outDir, 'kayit.mp4');
    const got = await runCli(['-c', cliConfig, 'attachment', 'get', ticket!.number, 'kayit.mp4', '--out', out]);
    expect(got.err).toContain('bytes written');
    expect(got.code).toBe(0);
    expect(readFileSync(out).equals(video)).toBe(true);
    const listed = await runCli(['-c', cliConfig, 'attachment', 'list', ticket!.number, '--json']);
    expect(listed.out.trim().split('\n').map((l) => (JSON.parse(l) as { filename: string }).filename))
      .toEqual(['ekran görüntüsü.png', 'odoo-logs.zip', 'kayit.mp4']);

    // The agent answers from their mail client with a PDF: the client gets text and file.
    await run.deliver(buildMail({
      from: `Ayşe Yılmaz <${AGENT}>`, to: notice.mail.replyTo[0]!.address, subject: `YNT: ${notice.mail.subject}`,
      inReplyTo: notice.mail.messageId!, references: notice.mail.messageId!,
      body: 'Merhaba Deniz Hanım,\n\nDüzeltme adımları ekteki PDF\'te.\n\nAyşe',
      attachments: [{ filename: 'duzeltme-adimlari.pdf', contentType: 'application/pdf', content: pdf }],
    }));
    const relay = await waitFor(CLIENT, 'the relayed answer', (m) => m.mail.text.includes('Düzeltme adımları'));
    expect(relay.files.map((f) => f.filename)).toEqual(['duzeltme-adimlari.pdf']);
    expect(relay.files[0]!.content.equals(pdf)).toBe(true);

    // The client replies in their thread with an installer: it reaches the agent as setup.exe,
    // never renamed into something that hides what it is.
    await run.deliver(buildMail({
      from: `Deniz Arslan <${CLIENT}>`, subject: `YNT: ${relay.mail.subject}`, messageId: '<files-2@anadolu.example>',
      inReplyTo: relay.mail.messageId!, references: `<files-1@anadolu.example> ${relay.mail.messageId!}`,
      body: 'Adımları uyguladık; kurulum dosyası ekte, hâlâ hata veriyor.\n\nDeniz',
      attachments: [{ filename: 'setup.exe', contentType: 'application/x-msdownload', content: installer }],
    }));
    const forward = await waitFor(AGENT, 'the forwarded reply', (m) => m.mail.text.includes('kurulum dosyası'));
    expect(forward.files.map((f) => f.filename)).toEqual(['setup.exe']);
    expect(forward.files[0]!.content.equals(installer)).toBe(true);
    expect(forward.mail.text).toContain('- setup.exe (20 KB)');
  }, 120_000);

  it('keeps a Cc\'d colleague in the thread: they get the answers, may reply, and #cc / #bilgi change who does', async () => {
    const colleague = 'emre@anadolu.example';
    const consultant = 'danisman@partner-firma.example';
    await run.deliver(buildMail({
      from: 'Deniz Arslan <deniz.arslan@anadolu.example>', to: 'support@sanarise.example',
      cc: `Emre Kaya <${colleague}>, Ayşe Yılmaz <${AGENT}>`,
      subject: '[Kritik][Erişim] Odoo girişte hata veriyor', messageId: '<cc-1@anadolu.example>',
      body: 'Merhaba,\n\nOdoo\'ya giriş yapamıyoruz. Emre Bey de takipte.\n\nDeniz',
    }));
    const notice = await waitFor(AGENT, 'the team notification', (m) => m.mail.subject.includes('Odoo girişte'));
    const answer = async (body: string, parent: ReadMail) => run.deliver(buildMail({
      from: `Ayşe Yılmaz <${AGENT}>`, to: parent.mail.replyTo[0]!.address, subject: `YNT: ${parent.mail.subject}`,
      inReplyTo: parent.mail.messageId!, references: parent.mail.messageId!, body,
    }));

    await answer('Merhaba,\n\nŞifre sıfırlama bağlantısını gönderdik.\n\nAyşe', notice);
    const relayed = await waitFor('deniz.arslan@anadolu.example', 'the first answer', (m) => m.mail.text.includes('Şifre sıfırlama'));
    // The colleague got the same answer, on Cc; staff on the client's Cc are not copied again.
    expect(relayed.mail.cc.map((a) => a.address)).toEqual([colleague]);
    expect(run.sink.accepted.find((m) => m.messageId === relayed.mail.messageId)!.to.sort()).toEqual(['deniz.arslan@anadolu.example', colleague]);

    // The colleague answers with Reply All: it lands on the ticket and reaches the agent.
    await run.deliver(buildMail({
      from: `Emre Kaya <${colleague}>`, to: 'support@sanarise.example', cc: 'deniz.arslan@anadolu.example',
      subject: `YNT: ${relayed.mail.subject}`, inReplyTo: relayed.mail.messageId!, references: `<cc-1@anadolu.example> ${relayed.mail.messageId!}`,
      body: 'Bağlantı bende de açılmıyor, süresi dolmuş diyor.\n\nEmre',
    }));
    const forward = await waitFor(AGENT, 'the colleague\'s reply', (m) => m.mail.text.includes('süresi dolmuş'));
    const [ticket] = await run.database.db.select().from(tickets).where(eq(tickets.requesterAddress, 'deniz.arslan@anadolu.example'));
    expect(forward.mail.subject).toContain(`[#${ticket!.number}]`);

    // The agent takes the colleague off and puts the client's consultant on, in Turkish.
    await answer(`#cc remove ${colleague}\n#bilgi ekle ${consultant}\n\nYeni bağlantı gönderdik, 24 saat geçerli.\n\nAyşe`, forward);
    const second = await waitFor('deniz.arslan@anadolu.example', 'the second answer', (m) => m.mail.text.includes('24 saat geçerli'));
    expect(second.mail.cc.map((a) => a.address)).toEqual([consultant]);
    await waitFor(AGENT, 'the #bilgi confirmation', (m) => m.mail.text.includes(`${consultant} eklendi`));

    // The consultant, never on a mail of the client's, writes with the token alone: still the same ticket.
    await run.deliver(buildMail({
      from: `Danışman <${consultant}>`, subject: `[#${ticket!.number}] giriş sorunu`, messageId: '<cc-3@partner-firma.example>',
      body: 'Sunucu saatini kontrol ettim, doğru.\n',
    }));
    await waitFor(AGENT, 'the consultant\'s reply', (m) => m.mail.text.includes('Sunucu saatini'));
    expect(await run.database.db.select().from(tickets).where(eq(tickets.requesterAddress, consultant))).toEqual([]);
  }, 120_000);

  it('takes a client\'s correction by tags in a reply: re-classified, clocks recomputed, confirmed in Turkish, recorded', async () => {
    const client = 'selin@mavi-tekstil.example';
    await run.deliver(buildMail({
      from: `Selin Aydın <${client}>`, subject: '[Diğer] Rapor ekranı boş geliyor', messageId: '<fix-1@mavi-tekstil.example>',
      body: 'Merhaba,\n\nSatış raporu ekranı boş geliyor, hiçbir satır görünmüyor.\n\nSelin',
    }));
    const ack = await waitFor(client, 'the acknowledgement', (m) => m.mail.subject.includes('Talebiniz alındı'));
    const [before] = await run.database.db.select().from(tickets).where(eq(tickets.requesterAddress, client));
    expect(before).toMatchObject({ type: 'other', priority: 'low' });

    // As the acknowledgement invites: reply with the right tags (added after the quoted old ones).
    await run.deliver(buildMail({
      from: `Selin Aydın <${client}>`, subject: `YNT: ${ack.mail.subject} [Hata] [Kritik]`, messageId: '<fix-2@mavi-tekstil.example>',
      inReplyTo: ack.mail.messageId!, references: `<fix-1@mavi-tekstil.example> ${ack.mail.messageId!}`,
      body: 'Aslında bu bir hata ve tüm satış ekibi bekliyor.\n\nSelin',
    }));
    const confirmation = await waitFor(client, 'the confirmation', (m) => m.mail.subject.includes('Talebiniz güncellendi'));
    expect(confirmation.mail.subject).toBe(`[#${before!.number}] Talebiniz güncellendi: [Diğer] Rapor ekranı boş geliyor`);
    expect(confirmation.mail.text).toContain('Öncelik: Kritik (önceki: Düşük)');
    expect(confirmation.mail.text).toContain('İlk yanıt en geç:');
    const [after] = await run.database.db.select().from(tickets).where(eq(tickets.id, before!.id));
    expect(after).toMatchObject({ type: 'problem', priority: 'critical', requestedPriority: 'critical' });
    // Critical runs round the clock: first response within an hour of the first mail's arrival.
    expect(after!.firstResponseDue!.getTime() - after!.receivedAt.getTime()).toBe(60 * 60_000);
    const events = await run.database.db.select().from(ticketEvents).where(eq(ticketEvents.ticketId, before!.id));
    expect(events.find((e) => e.kind === 'client-corrected')?.reason).toBe('type other → problem, priority low → critical (client corrected: requested critical)');
  }, 120_000);
});
