import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseMail } from '../../src/inbound/parse-mail.js';

const FIXTURE = join(import.meta.dirname, '../fixtures/regressions/windows-1254-labelled-utf8.eml');
const parse = (raw: Buffer) => parseMail(raw, { maxTextChars: 100_000 });

function mail(body: Buffer, charset = 'utf-8'): Buffer {
  return Buffer.concat([Buffer.from([
    'From: a@client.example', 'To: support@sanarise.example', 'Subject: x', 'Message-ID: <m@client.example>',
    'MIME-Version: 1.0', `Content-Type: text/plain; charset=${charset}`, 'Content-Transfer-Encoding: 8bit', '', '',
  ].join('\r\n')), body]);
}

describe('windows-1254 under a Latin-1 label or none (issue 23)', () => {
  const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../fixtures/regressions', name));

  it('reads an Outlook mail labelled ISO-8859-1, subject and body, as the Turkish it is', async () => {
    const parsed = await parse(fixture('windows-1254-labelled-latin1.eml'));
    expect(parsed.subject).toBe('[Hata] Etiket yazıcısı çıktı vermiyor');
    expect(parsed.text).toContain('Etiket yazıcısı dünden beri çıktı vermiyor. Şu an depoda iş durdu.');
    expect(parsed.text).toContain('Ürün etiketleri İzmir şubesinde de aynı, Ğ harfi bile basılmıyor.');
    expect(parsed.text).not.toMatch(/[ýþðÝÞÐ]/);
    expect(parsed.warnings).toContain('body labelled Latin-1 is windows-1254: read as Turkish');
  });

  it('reads a mail with no charset and a raw 8-bit subject as windows-1254', async () => {
    const parsed = await parse(fixture('windows-1254-no-charset.eml'));
    expect(parsed.subject).toBe('Etiket yazıcısı çıktı vermiyor');
    expect(parsed.text).toContain('Şu an depoda iş durdu.');
    expect(`${parsed.subject}${parsed.text}`).not.toContain('\uFFFD');
  });

  it('leaves Latin-1 that is not Turkish alone: French, and Icelandic with its own ð and þ', async () => {
    expect((await parse(mail(Buffer.from('Le café est fermé.\r\n', 'latin1'), 'iso-8859-1'))).text.trim()).toBe('Le café est fermé.');
    const icelandic = 'Það er ýmislegt að gera í þessu máli, sæll.';
    expect((await parse(mail(Buffer.from(`${icelandic}\r\n`, 'latin1'), 'iso-8859-1'))).text.trim()).toBe(icelandic);
  });
});

describe('8-bit Turkish text under a UTF-8 label', () => {
  it('reads an Outlook mail whose windows-1254 body is labelled UTF-8 as the Turkish it is, and says so', async () => {
    const parsed = await parse(readFileSync(FIXTURE));
    expect(parsed.text).toContain('Etiket yazıcısı çıktı vermiyor');
    expect(parsed.text).toContain('Şu an depoda iş durdu.');
    expect(parsed.text).toContain('Ürün etiketleri İzmir şubesinde de aynı.');
    expect(parsed.text).not.toContain('\uFFFD');
    expect(parsed.warnings).toContain('body labelled UTF-8 is not UTF-8: decoded as windows-1254 (Turkish)');
  });

  it('leaves real UTF-8 alone', async () => {
    const parsed = await parse(mail(Buffer.from('Etiket yazıcısı çalışmıyor.\r\n', 'utf8')));
    expect(parsed.text.trim()).toBe('Etiket yazıcısı çalışmıyor.');
    expect(parsed.warnings).toEqual([]);
  });

  it('does not guess Turkish for other 8-bit text (a French latin-1 body keeps its replacement characters)', async () => {
    const parsed = await parse(mail(Buffer.from('Le café est fermé.\r\n', 'latin1')));
    expect(parsed.text).toContain('\uFFFD');
    expect(parsed.warnings).toEqual([]);
  });

  it('does not re-read a mail whose other part is real UTF-8 Turkish (one reading cannot fit both)', async () => {
    const raw = Buffer.concat([Buffer.from([
      'From: a@client.example', 'To: support@sanarise.example', 'Subject: x', 'Message-ID: <m2@client.example>', 'MIME-Version: 1.0',
      'Content-Type: multipart/alternative; boundary="b"', '', '--b', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', '',
    ].join('\r\n')), Buffer.from('yazıcı\r\n', 'utf8'), Buffer.from('--b\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n<p>'),
    Buffer.from([0x79, 0x61, 0x7a, 0xfd, 0x63, 0xfd]), Buffer.from('</p>\r\n--b--\r\n')]);
    const parsed = await parse(raw);
    expect(parsed.text.trim()).toBe('yazıcı');
    expect(parsed.warnings).toEqual([]);
  });
});
