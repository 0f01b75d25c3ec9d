import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { classifyMachineMail, type MachineMailContext } from '../../src/inbound/machine-mail.js';
import { parseMail } from '../../src/inbound/parse-mail.js';
import type { ParsedMail } from '../../src/inbound/parsed-mail.js';
import { parsedMail } from '../helpers/parsed-mail-factory.js';
import { CORPUS_DIR } from '../helpers/real-world-corpus.js';

const ctx: MachineMailContext = { ownAddresses: ['support@sanarise.example'], messageIdDomain: 'slagate.sanarise.example', allowedLists: [] };
const judge = (m: ParsedMail) => {
  const v = classifyMachineMail(m, ctx);
  return { kind: v.kind, acknowledge: v.acknowledge, signals: v.signals };
};

// Footers mailing-list software and newsletters put under a mail's text (Mailman, Google Groups,
// Sympa, a Turkish newsletter): words in a body are never a list signal, only RFC 2369/2919 headers are.
const FOOTERS = [
  '_______________________________________________\nOdoo-users mailing list\nodoo-users@lists.example\nhttps://lists.example/mailman/listinfo/odoo-users',
  '--\nYou received this message because you are subscribed to the Google Groups "odoo-tr" group.\nTo unsubscribe from this group and stop receiving emails from it, send an email to odoo-tr+unsubscribe@googlegroups.com.',
  'Unsubscribe: https://news.example/u/123 | Manage preferences | This is an automated message, please do not reply.',
  'Bu e-postayı almak istemiyorsanız abonelikten çıkın. Bu otomatik bir mesajdır, lütfen yanıtlamayınız.',
  'Delivery Status Notification (Failure) -- 550 5.1.1 User unknown -- Mail delivery failed: returning message to sender',
];

describe('machine-mail classifier: properties over human mail (issue 22)', () => {
  let humans: ParsedMail[] = [];

  beforeAll(async () => {
    const files = readdirSync(CORPUS_DIR).filter((f) => f.endsWith('.eml') && !f.startsWith('multipart_report_emails__')).sort();
    const parsed = await Promise.all(files.map(async (f) => parseMail(readFileSync(join(CORPUS_DIR, f)), { maxTextChars: 1_000_000 })));
    humans = parsed.filter((m) => classifyMachineMail(m, ctx).kind === 'person');
  });

  it('reads every human mail of the real-world corpus as a person', () => {
    // Only mime_emails__raw_email_with_mimepart_without_content_type is a (delayed) DSN besides the five reports.
    expect(humans.length).toBeGreaterThanOrEqual(95);
  });

  // Any mail a person writes: arbitrary subject and text, a person's address, possibly a noreply one
  // (a forum relaying a person), possibly quoting a whole bounce.
  const personMail = fc.record({
    subject: fc.string({ maxLength: 80 }),
    text: fc.string({ maxLength: 400 }),
    local: fc.constantFrom('deniz', 'ayse.kaya', 'it-admin', 'muhasebe', 'noreply', 'info'),
  }).map(({ subject, text, local }) => parsedMail({ subject, text, from: `${local}@client.example`, returnPath: `${local}@client.example` }));

  const anyHuman = () => fc.oneof(fc.constantFrom(...humans), personMail);

  it('gives the same verdict when a mailing-list footer is added to the text', () => {
    fc.assert(fc.property(anyHuman(), fc.constantFrom(...FOOTERS), fc.boolean(), (mail, footer, above) => {
      const wrapped = { ...mail, text: above ? `${footer}\n\n${mail.text}` : `${mail.text}\n\n${footer}\n` };
      expect(judge(wrapped)).toEqual(judge(mail));
    }), { numRuns: 300 });
  });

  it('gives the same verdict when Auto-Submitted: no is added (RFC 3834: a person wrote it)', () => {
    fc.assert(fc.property(anyHuman(), fc.constantFrom('no', 'No', ' no ', 'no (written by a person)'), (mail, value) => {
      const marked = { ...mail, headers: { ...mail.headers, 'auto-submitted': [value] } };
      expect(judge(marked)).toEqual(judge(mail));
    }), { numRuns: 300 });
  });

  it('gives a person mail of any subject and text, never a machine verdict', () => {
    fc.assert(fc.property(personMail, (mail) => {
      expect(['person', 'auto-reply']).toContain(classifyMachineMail(mail, ctx).kind);
    }), { numRuns: 500 });
  });
});
