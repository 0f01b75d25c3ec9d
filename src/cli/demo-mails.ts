import type { Config } from '../config.js';

/** One mail of the demo, as a client's mail program would hand it to a server. */
export interface DemoMail {
  label: string;
  from: string;
  to: string[];
  raw: Buffer;
  messageId: string;
}

interface DemoInput {
  from: { name: string; address: string };
  to: string;
  subject: string;
  body: string;
  date: Date;
  messageId: string;
  inReplyTo?: string;
  attachment?: { name: string; type: string; content: Buffer };
}

/**
 * The first mails `slagate demo` sends: Turkish and English, several types and priorities
 * (one critical), a complaint to management and a mail with an attachment. The reply to the
 * first of them comes after, from `demoReply`, once its ticket number is known.
 */
export function demoMails(config: Config, now: Date, run: string): DemoMail[] {
  const support = config.mailboxes.support.address;
  const management = config.mailboxes.management.address;
  const id = (n: number) => `<demo-${run}-${n}@client.example>`;
  const mails: (DemoInput & { label: string })[] = [
    {
      label: 'critical outage (Turkish)', from: { name: 'Deniz Arslan', address: 'deniz@anadolu-lojistik.example' }, to: support,
      subject: '[Erişim][Kritik] Odoo açılmıyor, depo sevkiyatı durdu',
      body: 'Merhaba,\n\nBu sabah 09:40\'tan beri Odoo sunucusuna erişemiyoruz; depo sevkiyat yapamıyor.\nAcil dönüş rica ederiz.\n\nDeniz Arslan\nAnadolu Lojistik',
      date: now, messageId: id(1),
    },
    {
      label: 'license request (English)', from: { name: 'Sarah Miller', address: 'sarah@northwind.example' }, to: support,
      subject: 'Request new Odoo licenses for 5 users',
      body: 'Hello,\n\nWe are onboarding five new users next Monday and need additional Odoo licenses.\nPlease let us know the next steps.\n\nBest regards,\nSarah',
      date: now, messageId: id(2),
    },
    {
      label: 'high-priority bug with a screenshot (Turkish)', from: { name: 'Emre Çelik', address: 'emre@ege-tekstil.example' }, to: support,
      subject: '[Hata][Yüksek] Fatura onaylanırken ValidationError',
      body: 'Merhaba,\n\nFaturayı onaylarken "ValidationError: tax_id" hatası alıyoruz. Ekran görüntüsü ekte.\n\nTeşekkürler,\nEmre',
      date: now, messageId: id(3),
      attachment: { name: 'hata-ekrani.png', type: 'image/png', content: TINY_PNG },
    },
    {
      label: 'question (English)', from: { name: 'Tom Becker', address: 'tom@brightlabs.example' }, to: support,
      subject: '[Question] How do we configure multi-currency invoices?',
      body: 'Hi team,\n\nCould you point us to the right settings for invoicing in EUR and TRY from the same company?\n\nThanks,\nTom',
      date: now, messageId: id(4),
    },
    {
      label: 'complaint to management (Turkish, private)', from: { name: 'Deniz Arslan', address: 'deniz@anadolu-lojistik.example' }, to: management,
      subject: '[Şikayet] Geri dönüş sürelerinden memnun değiliz',
      body: 'Sayın yetkili,\n\nSon iki haftadır taleplerimize geç dönüş yapılıyor. Bunu yönetim olarak değerlendirmenizi rica ederim.\n\nDeniz Arslan',
      date: now, messageId: id(5),
    },
  ];
  return mails.map((m) => ({ label: m.label, from: m.from.address, to: [m.to], raw: buildRaw(m), messageId: m.messageId }));
}

/** The client's follow-up on a ticket, threaded by its number in the subject and by In-Reply-To. */
export function demoReply(config: Config, now: Date, run: string, ticketNumber: string, original: DemoMail): DemoMail {
  const messageId = `<demo-${run}-reply@client.example>`;
  const input: DemoInput = {
    from: { name: 'Deniz Arslan', address: original.from }, to: config.mailboxes.support.address,
    subject: `Re: [#${ticketNumber}] [Erişim][Kritik] Odoo açılmıyor, depo sevkiyatı durdu`,
    body: 'Ek bilgi: tarayıcıda "502 Bad Gateway" görüyoruz. Sunucuyu yeniden başlatmayı denedik, değişmedi.\n\nDeniz',
    date: now, messageId, inReplyTo: original.messageId,
  };
  return { label: `client reply to ${ticketNumber} (Turkish)`, from: original.from, to: [input.to], raw: buildRaw(input), messageId };
}

function buildRaw(m: DemoInput): Buffer {
  const headers = [
    `From: ${encodeWord(m.from.name)} <${m.from.address}>`,
    `To: ${m.to}`,
    `Subject: ${encodeWord(m.subject)}`,
    `Message-ID: ${m.messageId}`,
    ...(m.inReplyTo ? [`In-Reply-To: ${m.inReplyTo}`, `References: ${m.inReplyTo}`] : []),
    `Date: ${m.date.toUTCString().replace('GMT', '+0000')}`,
    'MIME-Version: 1.0',
  ];
  const text = ['Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: base64', '', base64Lines(Buffer.from(m.body, 'utf8'))];
  if (!m.attachment) return crlf([...headers, ...text]);
  const boundary = `demo-${m.messageId.replace(/[^a-z0-9]/gi, '')}`;
  return crlf([
    ...headers,
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    ...text,
    `--${boundary}`,
    `Content-Type: ${m.attachment.type}; name="${m.attachment.name}"`,
    `Content-Disposition: attachment; filename="${m.attachment.name}"`,
    'Content-Transfer-Encoding: base64',
    '',
    base64Lines(m.attachment.content),
    `--${boundary}--`,
  ]);
}

function encodeWord(s: string): string {
  return /^[\x20-\x7e]*$/.test(s) ? s : `=?UTF-8?B?${Buffer.from(s, 'utf8').toString('base64')}?=`;
}

function base64Lines(data: Buffer): string {
  return (data.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
}

function crlf(lines: string[]): Buffer {
  return Buffer.from(`${lines.join('\r\n')}\r\n`, 'latin1');
}

// A 1x1 PNG: enough to show an attachment travelling through the gateway.
const TINY_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4z8DwHwAFAAH/iZk9HQAAAABJRU5ErkJggg==', 'base64');
