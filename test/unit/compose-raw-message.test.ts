import fc from 'fast-check';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import MailComposer from 'nodemailer/lib/mail-composer';
import { describe, expect, it } from 'vitest';
import { safeAddress, safeHeaderValue } from '../../src/outbound/message-headers.js';
import { composeRawMessage } from '../../src/smtp/compose-raw-message.js';
import type { SendableMail } from '../../src/smtp/mail-sender.js';

/**
 * The outbound message is composed by slagate itself (nodemailer's MailComposer cost 0.8 ms of
 * CPU a mail): a mail client must read exactly what it read from nodemailer's, and nothing taken
 * from a mail we received may add a header line.
 */
const DATE = new Date('2026-03-16T09:00:00Z');

/** The message nodemailer composed from the same stored mail, as the senders built it before. */
function nodemailerMessage(mail: SendableMail): Promise<Buffer> {
  return new MailComposer({
    messageId: mail.messageId, date: DATE,
    from: { name: mail.fromAddress.name ?? '', address: mail.fromAddress.address },
    replyTo: mail.replyTo ? { name: mail.replyTo.name ?? '', address: mail.replyTo.address } : undefined,
    to: mail.to.map((a) => ({ name: a.name ?? '', address: a.address })),
    cc: mail.cc.map((a) => ({ name: a.name ?? '', address: a.address })),
    subject: mail.subject, text: mail.text, html: mail.html ?? undefined, headers: mail.headers,
    attachments: (mail.attachments ?? []).map((a) => ({ filename: a.filename, contentType: a.contentType, content: Buffer.from((a as { contentBase64: string }).contentBase64, 'base64') })),
  }).compile().build();
}

/** What a mail client reads of a message. */
function reading(m: ParsedMail) {
  const list = (v: AddressObject | AddressObject[] | undefined) => (Array.isArray(v) ? v : v ? [v] : []).flatMap((o) => o.value).map((a) => ({ name: a.name, address: a.address }));
  return {
    from: list(m.from), to: list(m.to), cc: list(m.cc), replyTo: list(m.replyTo),
    subject: m.subject, messageId: m.messageId, inReplyTo: m.inReplyTo, references: m.references,
    autoSubmitted: m.headers.get('auto-submitted'), ticket: m.headers.get('x-slagate-ticket'),
    text: m.text, html: m.html,
    attachments: m.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content.toString('base64') })),
  };
}

const word = fc.string({ unit: fc.constantFrom(...'aAzZ09 .,;:"\'<>()[]@\\-_çÇğĞıİöÖşŞüÜ€—日本'.split('')), maxLength: 40 });
// Templates always render some text.
const text = fc.string({ unit: fc.constantFrom(...'ab yz.,=\n\t"<>&çğıİşü€—日'.split('')), maxLength: 400 }).map((t) => `x${t}`);
const address = fc.tuple(fc.stringMatching(/^[a-z0-9._+-]{1,12}$/), fc.constantFrom('client.example', 'müşteri.example', 'ACME.example'))
  .map(([local, domain]) => `${local}@${domain}`);
const person = fc.record({ name: word, address }).map((p) => safeAddress(p.name, p.address));
const storedMail: fc.Arbitrary<SendableMail> = fc.record({
  from: person, replyTo: fc.option(person, { nil: null }), to: fc.array(person, { minLength: 1, maxLength: 3 }), cc: fc.array(person, { maxLength: 2 }),
  subject: word, text, html: fc.option(text.map((t) => `<p>${t}</p>`), { nil: null }), ticket: fc.stringMatching(/^SR-[0-9]{1,5}$/),
  attachments: fc.array(fc.record({ filename: word.map((w) => `${w || 'rapor'}.html`), content: fc.uint8Array({ maxLength: 300 }) }), { maxLength: 2 }),
}).map((r) => ({
  messageId: '<ack.abc@slagate.test>', fromAddress: r.from, replyTo: r.replyTo, to: r.to, cc: r.cc,
  subject: safeHeaderValue(r.subject), text: r.text, html: r.html,
  headers: { 'Auto-Submitted': 'auto-replied', 'In-Reply-To': '<orig@client.example>', References: '<a@client.example> <orig@client.example>', 'X-Slagate-Ticket': r.ticket },
  attachments: r.attachments.map((a) => ({ filename: safeHeaderValue(a.filename), contentType: 'text/html; charset=utf-8', contentBase64: Buffer.from(a.content).toString('base64') })),
}));

describe('composing an outbound message', () => {
  it('reads, to a mail client, exactly as the message nodemailer composed', async () => {
    await fc.assert(fc.asyncProperty(storedMail, async (mail) => {
      const ours = await simpleParser(composeRawMessage(mail, { date: DATE }).raw);
      const theirs = await simpleParser(await nodemailerMessage(mail));
      expect(reading(ours)).toEqual(reading(theirs));
    }), { numRuns: 300 });
  });

  it('addresses the envelope to every To and Cc once, from the sender, with no Bcc anywhere', () => {
    const mail: SendableMail = {
      messageId: '<m@slagate.test>', fromAddress: { name: 'Destek', address: 'support@sanarise.example' }, replyTo: null,
      to: [{ name: 'A', address: 'a@client.example' }, { name: 'B', address: 'b@müşteri.example' }],
      cc: [{ name: 'A again', address: 'a@client.example' }], subject: 's', text: 't', html: null, headers: {},
    };
    const { raw, envelope } = composeRawMessage(mail, { date: DATE });
    expect(envelope).toEqual({ from: 'support@sanarise.example', to: ['a@client.example', 'b@xn--mteri-kva70e.example'] });
    expect(raw.toString()).not.toMatch(/^bcc:/im);
    expect(raw.toString()).toMatch(/^Content-Type: text\/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\nt$/m);
  });

  it('lets nothing from a received mail add a header line, whatever its bytes', async () => {
    const hostile = fc.string({ unit: fc.constantFrom('a', ' ', '\r', '\n', '\r\n', '\u0000', '\u007f', ':', 'Bcc: x@evil.example', 'ş', '=?utf-8?q?=0d=0a?=', '\u2028'), maxLength: 60 });
    await fc.assert(fc.asyncProperty(hostile, hostile, hostile, hostile, async (name, subject, ticket, filename) => {
      const mail: SendableMail = {
        messageId: '<m@slagate.test>', fromAddress: { name, address: 'support@sanarise.example' }, replyTo: { name, address: `r${name}@x.example` },
        to: [{ name, address: `c${name}@client.example` }], cc: [], subject, text: subject, html: null,
        headers: { 'X-Slagate-Ticket': ticket, 'In-Reply-To': `<${ticket}@x>` },
        attachments: [{ filename, contentType: `text/plain${name}`, contentBase64: '' }],
      };
      const raw = composeRawMessage(mail, { date: DATE }).raw.toString('utf8');
      const head = raw.slice(0, raw.indexOf('\r\n\r\n'));
      const names = head.split('\r\n').filter((l) => !/^[ \t]/.test(l)).map((l) => l.slice(0, l.indexOf(':')).toLowerCase());
      expect(names).toEqual(['x-slagate-ticket', 'in-reply-to', 'from', 'to', 'reply-to', 'subject', 'message-id', 'date', 'mime-version', 'content-type']);
      expect(raw).not.toMatch(/\r(?!\n)|(?<!\r)\n/); // every line break is CRLF
      for (const line of raw.split('\r\n')) expect(line.length).toBeLessThanOrEqual(998);
      const parsed = await simpleParser(raw);
      expect(parsed.headers.has('bcc')).toBe(false);
      expect(parsed.attachments).toHaveLength(1);
    }), { numRuns: 300 });
  });

  it('refuses a stored mail that tries to set its own structure or addressing', () => {
    for (const name of ['Bcc', 'content-type', 'From', 'X Bad', 'X-Bad:']) {
      const mail: SendableMail = {
        messageId: '<m@slagate.test>', fromAddress: { address: 'support@sanarise.example' }, replyTo: null,
        to: [{ address: 'a@client.example' }], cc: [], subject: 's', text: 't', html: null, headers: { [name]: 'x' },
      };
      expect(() => composeRawMessage(mail, { date: DATE }), name).toThrow(/may not be set/);
    }
  });
});
