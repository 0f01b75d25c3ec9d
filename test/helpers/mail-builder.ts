/** A small RFC 5322 mail for tests, CRLF line endings, UTF-8 headers encoded as RFC 2047. */
export interface TestMail {
  from?: string;
  to?: string;
  cc?: string;
  subject?: string;
  messageId?: string;
  inReplyTo?: string;
  references?: string;
  date?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Files, as a mail client attaches them (multipart/mixed, base64); `inline` as a pasted image. */
  attachments?: TestAttachment[];
}

export interface TestAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
  inline?: boolean;
}

const BOUNDARY = 'test-boundary-7f3a';

function encodeWord(s: string): string {
  return /^[\x20-\x7e]*$/.test(s) ? s : `=?UTF-8?B?${Buffer.from(s).toString('base64')}?=`;
}

export function buildMail(m: TestMail): Buffer {
  const lines = [
    `From: ${m.from ?? 'Ayşe Kaya <ayse@client.example>'}`.replace(/^From: (.*) </, (_, name: string) => `From: ${encodeWord(name)} <`),
    `To: ${m.to ?? 'support@sanarise.example'}`,
    ...(m.cc ? [`Cc: ${m.cc}`] : []),
    `Subject: ${encodeWord(m.subject ?? 'Fatura modülü hata veriyor')}`,
    ...(m.messageId !== '' ? [`Message-ID: ${m.messageId ?? `<${Math.random().toString(36).slice(2)}@client.example>`}`] : []),
    ...(m.inReplyTo ? [`In-Reply-To: ${m.inReplyTo}`] : []),
    ...(m.references ? [`References: ${m.references}`] : []),
    `Date: ${m.date ?? 'Mon, 16 Mar 2026 10:00:00 +0300'}`,
    'MIME-Version: 1.0',
    ...(m.attachments?.length ? [`Content-Type: multipart/mixed; boundary="${BOUNDARY}"`] : ['Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit']),
    ...Object.entries(m.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
    '',
    ...(m.attachments?.length ? [`--${BOUNDARY}`, 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', ''] : []),
    m.body ?? 'Merhaba,\n\nFatura modülünde kaydet düğmesine basınca hata alıyoruz. Ekran görüntüsü ekte yok ama hata mesajı: "ValidationError".\n\nTeşekkürler,\nAyşe',
    ...(m.attachments ?? []).flatMap((a) => [
      `--${BOUNDARY}`,
      `Content-Type: ${a.contentType}; name="${encodeWord(a.filename)}"`,
      `Content-Disposition: ${a.inline ? 'inline' : 'attachment'}; filename="${encodeWord(a.filename)}"`,
      'Content-Transfer-Encoding: base64',
      '',
      ...(a.content.toString('base64').match(/.{1,76}/g) ?? ['']),
    ]),
    ...(m.attachments?.length ? [`--${BOUNDARY}--`] : []),
  ];
  return Buffer.from(`${lines.join('\r\n').replace(/\r?\n/g, '\r\n')}\r\n`, 'utf8');
}
