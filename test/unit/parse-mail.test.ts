import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseMail } from '../../src/inbound/parse-mail.js';
import { CORPUS_DIR as CORPUS } from '../helpers/real-world-corpus.js';

const limits = { maxTextChars: 1_000_000 };

/** A multipart mail whose parts are given as [headers, body] pairs, CRLF throughout. */
function multipart(head: string[], parts: [string[], string][], type = 'multipart/mixed'): Buffer {
  const lines = [...head, `Content-Type: ${type}; boundary="b1"`, ''];
  for (const [headers, body] of parts) lines.push('--b1', ...headers, '', body);
  lines.push('--b1--', '');
  return Buffer.from(lines.join('\r\n'));
}
const base64 = (data: Buffer) => data.toString('base64').replace(/.{76}/g, '$&\r\n');

describe('parse-mail', () => {
  it('strips NUL and control characters that PostgreSQL would reject, and says so', async () => {
    const raw = Buffer.from('From: a@b.example\r\nSubject: bad\u0000subject\r\nMessage-ID: <n@b.example>\r\n\r\nhello\u0000world\u0007!\r\n');
    const mail = await parseMail(raw, limits);
    expect(mail.subject).toBe('bad subject');
    expect(mail.text).toContain('helloworld!');
    expect(mail.text).not.toContain('\0');
    expect(mail.text).not.toContain('\x07');
    expect(mail.warnings).toContain('NUL bytes removed from text');
  });

  it('ASCII-lowercases addresses without Turkish locale rules', async () => {
    const mail = await parseMail(Buffer.from('From: "Işık" <ISIK@Firma.Example>\r\nSubject: x\r\n\r\nb\r\n'), limits);
    expect(mail.from).toEqual([{ name: 'Işık', address: 'isik@firma.example' }]);
  });

  it('never lets a CR/LF from an encoded subject through', async () => {
    const mail = await parseMail(Buffer.from('From: a@b.example\r\nSubject: =?UTF-8?B?aGVsbG8NCkJjYzogZXZpbEB4LmV4YW1wbGU=?=\r\n\r\nb\r\n'), limits);
    expect(mail.subject).toBe('hello Bcc: evil@x.example');
  });

  it('sanitises HTML: no scripts, no remote images', async () => {
    const raw = Buffer.from('From: a@b.example\r\nContent-Type: text/html\r\n\r\n<p onclick="x()">hi<script>alert(1)</script><img src="http://track.example/p.gif"></p>\r\n');
    const mail = await parseMail(raw, limits);
    expect(mail.html).not.toMatch(/script|onclick|track\.example/);
    expect(mail.text).toContain('hi');
  });

  it('reads which of our mails a delivery report is about', async () => {
    const mail = await parseMail(readFileSync(join(CORPUS, 'multipart_report_emails__report_530.eml')), limits);
    expect(mail.contentType).toBe('multipart/report; report-type=delivery-status');
    expect(mail.deliveryReport).toEqual({
      originalMessageId: '<200712232303.lBNN3jDq002941@mail12.rrrr.com.au>',
      recipients: [expect.objectContaining({ address: 'edwin@zzzzzzz.com', status: '5.3.0', action: 'failed' })],
    });
  });

  it('describes each attachment by the sha256 and size of its decoded bytes, inline images included', async () => {
    const file = Buffer.alloc(3 * 1024 * 1024, 'x');
    const logo = Buffer.from('not really a png');
    const raw = multipart(['From: a@b.example', 'Subject: ekler'], [
      [['Content-Type: text/plain; charset=utf-8'], 'ekte'],
      [['Content-Type: application/pdf; name="rapor.pdf"', 'Content-Disposition: attachment; filename="rapor.pdf"', 'Content-Transfer-Encoding: base64'], base64(file)],
      [['Content-Type: image/png', 'Content-ID: <logo@b.example>', 'Content-Disposition: inline', 'Content-Transfer-Encoding: base64'], base64(logo)],
    ]);
    const mail = await parseMail(raw, limits);
    expect(mail.text).toContain('ekte');
    expect(mail.attachments).toEqual([
      { filename: 'rapor.pdf', contentType: 'application/pdf', size: file.length, sha256: createHash('sha256').update(file).digest('hex'), contentId: null, inline: false },
      { filename: null, contentType: 'image/png', size: logo.length, sha256: createHash('sha256').update(logo).digest('hex'), contentId: '<logo@b.example>', inline: true },
    ]);
  });

  it('reads a delivery report whose returned mail carries a large attachment', async () => {
    const returned = multipart(['From: support@sanarise.example', 'Message-ID: <ours-1@sanarise.example>', 'Subject: SR-7'], [
      [['Content-Type: text/plain'], 'hello'],
      [['Content-Type: application/octet-stream', 'Content-Transfer-Encoding: base64'], base64(Buffer.alloc(3 * 1024 * 1024, 1))],
    ]).toString('latin1').replaceAll('b1', 'b2');
    const raw = multipart(['From: MAILER-DAEMON@mx.example', 'Subject: Undelivered'], [
      [['Content-Type: text/plain'], 'Your mail could not be delivered.'],
      [['Content-Type: message/delivery-status'], 'Reporting-MTA: dns; mx.example\r\n\r\nFinal-Recipient: rfc822; Gone@Client.example\r\nAction: failed\r\nStatus: 5.1.1'],
      [['Content-Type: message/rfc822'], returned],
    ], 'multipart/report; report-type=delivery-status');
    const mail = await parseMail(raw, limits);
    expect(mail.deliveryReport).toEqual({
      originalMessageId: '<ours-1@sanarise.example>',
      recipients: [{ address: 'gone@client.example', status: '5.1.1', action: 'failed', diagnostic: null }],
    });
  });

  it('refuses a mail past mailparser\'s limits as unparseable instead of half-reading it', async () => {
    const parts = Array.from({ length: 1100 }, (_, i): [string[], string] => [['Content-Type: text/plain'], `part ${i}`]);
    await expect(parseMail(multipart(['From: a@b.example'], parts), limits)).rejects.toMatchObject({ code: 'PARSE_FAILED' });
  });

  it('parses every mail of the real-world corpus without throwing', async () => {
    const files = readdirSync(CORPUS).filter((f) => f.endsWith('.eml'));
    expect(files.length).toBeGreaterThanOrEqual(100);
    for (const f of files) {
      const mail = await parseMail(readFileSync(join(CORPUS, f)), limits);
      expect(mail.text, f).not.toContain('\u0000');
      expect(mail.subject, f).not.toMatch(/[\r\n]/);
    }
  });
});
