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
});
