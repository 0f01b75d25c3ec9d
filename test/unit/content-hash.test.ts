import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mailIdentity, syntheticMessageId } from '../../src/inbound/content-hash.js';

const mail = (extraTrace = '', eol = '\r\n') =>
  Buffer.from([
    ...(extraTrace ? [extraTrace] : []),
    'From: Ayşe <ayse@client.example>', 'To: support@sanarise.example', 'Subject: [Bug] Fatura',
    'Message-ID: <abc@client.example>', 'Date: Mon, 16 Mar 2026 10:00:00 +0300', '', 'Merhaba,', 'fatura modülü hata veriyor.', '',
  ].join(eol));

describe('mail identity', () => {
  it('is the same mail when a relay adds trace headers or changes line endings', () => {
    const direct = mailIdentity(mail());
    const relayed = mailIdentity(mail('Received: from mx.example by mx2.example; Mon, 16 Mar 2026 10:00:01 +0300', '\n'));
    expect(relayed.contentHash).toBe(direct.contentHash);
    expect(relayed.sha256).not.toBe(direct.sha256);
  });

  it('is a different mail when the body differs', () => {
    const other = Buffer.from(mail().toString().replace('hata veriyor', 'çalışmıyor'));
    expect(mailIdentity(other).contentHash).not.toBe(mailIdentity(mail()).contentHash);
  });

  it('reads the Message-ID without parsing, and makes a stable synthetic one when there is none', () => {
    expect(mailIdentity(mail()).headerMessageId).toBe('<abc@client.example>');
    const bare = Buffer.from('From: a@b.example\r\nSubject: x\r\n\r\nbody\r\n');
    const id = mailIdentity(bare);
    expect(id.headerMessageId).toBeNull();
    expect(syntheticMessageId(id.contentHash)).toBe(syntheticMessageId(mailIdentity(Buffer.from(bare)).contentHash));
    expect(syntheticMessageId(id.contentHash)).toMatch(/^<[0-9a-f]{40}@no-message-id\.slagate\.invalid>$/);
  });

  it('hashes a body of any size exactly as the whole-string normalisation did, so stored identities still match', () => {
    const head = 'From: a@b.example\r\nMessage-ID: <x@b.example>\r\n';
    // What contentHash was computed with before bodies were hashed a window at a time.
    const wholeString = (raw: Buffer) => {
      const at = raw.indexOf('\r\n\r\n');
      const hash = createHash('sha256');
      hash.update('from:a@b.example\nmessage-id:<x@b.example>\n\n');
      hash.update(raw.subarray(at + 4).toString('latin1').replace(/\r\n/g, '\n').replace(/\s+$/, ''));
      return hash.digest('hex');
    };
    const piece = fc.constantFrom('\r\n', '\r', '\n', ' ', '\t', '\xa0', '\x85', '\x0b', 'a', 'ş', '\u00ff', '=\r\n');
    const body = fc.tuple(fc.nat({ max: 70_000 }), fc.array(piece, { maxLength: 40 }), fc.array(piece, { maxLength: 40 }))
      .map(([filler, middle, tail]) => Buffer.from(`${'x'.repeat(filler)}${middle.join('')}y${tail.join('')}`, 'latin1'));
    fc.assert(fc.property(body, (b) => {
      const raw = Buffer.concat([Buffer.from(`${head}\r\n`), b]);
      expect(mailIdentity(raw).contentHash).toBe(wholeString(raw));
    }), { numRuns: 300 });
    // A CRLF split exactly across the 64 KiB window, and a CR alone there.
    for (const filler of [65_535, 65_534, 65_536]) {
      for (const tail of ['\r\nz', '\rz', '\r\r\nz', '\r\n \r\n']) {
        const raw = Buffer.from(`${head}\r\n${'x'.repeat(filler)}${tail}`, 'latin1');
        expect(mailIdentity(raw).contentHash).toBe(wholeString(raw));
      }
    }
  });
});
