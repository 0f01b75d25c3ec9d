import type { OutboundMail } from '../../src/outbound/outbound-mail.js';

/** A small queued mail for outbox tests: `<prefix>:<n>`, its own Message-ID, one recipient. */
export function outboundMail(prefix: string, n: number, overrides: Partial<OutboundMail> = {}): OutboundMail {
  return {
    dedupeKey: `${prefix}:${n}`, kind: 'acknowledgement', ticketId: null, messageId: `<${prefix}.${n}@slagate.test>`,
    from: { name: 'Destek', address: 'support@sanarise.example' }, replyTo: null,
    to: [{ name: '', address: `client${n}@client.example` }], cc: [], subject: `s ${n}`, text: 't', html: '<p>t</p>', headers: {},
    ...overrides,
  };
}
