import { createHash, generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, DEFAULT_CONFIG_INPUT } from '../../src/config.js';
import { createSmtpSender } from '../../src/smtp/create-smtp-sender.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';

/** Issue 21: with `smtp.dkim`, what reaches the SMTP server is DKIM-signed for our domain. */
describe('DKIM signing of outgoing mail', () => {
  let sink: SmtpSink;
  beforeAll(async () => { sink = await startSmtpSink(); });
  afterAll(async () => { await sink.close(); });
  const mail = (id: string) => ({
    messageId: id, fromAddress: { name: 'Sanarise Destek', address: 'support@sanarise.example' }, replyTo: null,
    to: [{ address: 'deniz@anadolu.example' }], cc: [], subject: 'Test', text: 'Merhaba,\nçalışıyor.\n', html: null, headers: {},
  });
  const smtp = (dkim?: object) => parseConfig({
    ...structuredClone(DEFAULT_CONFIG_INPUT), smtp: { host: sink.host, port: sink.port, secure: false, tlsRejectUnauthorized: false, ...(dkim ? { dkim } : {}) },
  }).smtp!;

  it('signs with the configured domain and selector when a key is set, and not otherwise', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const signed = createSmtpSender(smtp({ domainName: 'sanarise.example', keySelector: 's2026', privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }) }));
    const plain = createSmtpSender(smtp());
    try {
      await signed.send(mail('<dkim-1@sanarise.example>'));
      await plain.send(mail('<dkim-2@sanarise.example>'));
    } finally {
      await signed.close();
      await plain.close();
    }
    const one = sink.accepted.find((m) => m.messageId === '<dkim-1@sanarise.example>')!.raw;
    const two = sink.accepted.find((m) => m.messageId === '<dkim-2@sanarise.example>')!.raw;
    const header = /^DKIM-Signature:(.*(?:\r\n[ \t].*)*)/m.exec(one)?.[1]?.replace(/\s+/g, '') ?? '';
    expect(header).toContain('d=sanarise.example');
    expect(header).toContain('s=s2026');
    // The body hash is of the body that was sent (relaxed canonicalisation, RFC 6376 §3.4.4).
    const body = one.slice(one.indexOf('\r\n\r\n') + 4).replace(/[ \t]+\r\n/g, '\r\n').replace(/[ \t]+/g, ' ').replace(/(\r\n)*$/, '\r\n');
    expect(header).toContain(`bh=${createHash('sha256').update(body).digest('base64')}`);
    expect(two).not.toMatch(/^DKIM-Signature:/m);
  });
});
