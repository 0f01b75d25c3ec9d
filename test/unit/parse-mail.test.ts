import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseMail } from '../../src/inbound/parse-mail.js';

const CORPUS = join(import.meta.dirname, '../../../shared/corpus/real-world');
const limits = { maxTextChars: 1_000_000 };

describe('parse-mail', () => {
  it('strips NUL and control characters that PostgreSQL would reject, and says so', async () => {
    const raw = Buffer.from('From: a@b.example\r\nSubject: bad\u0000subject\r\nMessage-ID: <n@b.example>\r\n\r\nhello\u0000world\u0007!\r\n');
    const mail = await parseMail(raw, limits);
    expect(mail.subject).toBe('bad subject');
    expect(mail.text).toContain('helloworld!');
    expect(mail.text).not.toMatch(/[\u0000\u0007]/);
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
