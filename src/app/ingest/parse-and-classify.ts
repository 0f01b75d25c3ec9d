import type { Config } from '../../config.js';
import { SlagateError, describeError } from '../../errors.js';
import { classify, type Classification } from '../../inbound/classify.js';
import { mailIdentity, type MailIdentity } from '../../inbound/content-hash.js';
import { detectNoise, type NoiseVerdict } from '../../inbound/detect-noise.js';
import { parseMail } from '../../inbound/parse-mail.js';
import type { ParsedMail } from '../../inbound/parsed-mail.js';
import type { MailboxName } from '../../policy/priorities.js';

export type ClassifiedMail =
  | { ok: true; mail: ParsedMail; noise: NoiseVerdict; classification: Classification }
  | { ok: false; code: string; reason: string };

/**
 * Everything ingest does before its transaction, and all of it CPU: the size limit, a sanity check
 * that this is mail at all, parsing, noise detection and classification. Shared by ingest and by
 * the quarantine retry, so a retried mail is judged exactly as a new one.
 */
export async function parseAndClassify(config: Config, raw: Buffer, mailbox: MailboxName): Promise<ClassifiedMail> {
  if (raw.length > config.limits.maxMessageBytes) {
    return { ok: false, code: 'MESSAGE_TOO_LARGE', reason: `message is ${raw.length} bytes, over the limit of ${config.limits.maxMessageBytes}` };
  }
  // Lenient on purpose (an mbox From_ line first, obsolete "From  :" spacing): only input with no
  // header field at all near its start is refused as not being mail.
  if (!/^[\x21-\x39\x3b-\x7e]+[ \t]*:/m.test(raw.subarray(0, 4096).toString('latin1'))) {
    return { ok: false, code: 'NOT_A_MAIL', reason: raw.length === 0 ? 'empty input' : 'no header field found' };
  }
  let mail: ParsedMail;
  try {
    mail = await parseMail(raw, { maxTextChars: config.limits.maxTextChars });
  } catch (err) {
    return { ok: false, code: err instanceof SlagateError ? err.code : 'PARSE_FAILED', reason: describeError(err) };
  }
  const noise = detectNoise(mail, {
    addresses: [config.mailboxes.support.address, config.mailboxes.management.address],
    messageIdDomain: config.messageIdDomain,
    allowedLists: config.policy.allowedLists,
  });
  const classification = classify({
    subject: mail.subject, text: mail.text, mailbox, recipients: recipientsOf(mail), managementAddress: config.mailboxes.management.address,
  }, config.policy, [config.ticketPrefix, config.privateTicketPrefix]);
  return { ok: true, mail, noise, classification };
}

/** What ingest computes of a mail before its transaction: its identity, and the parse and classification. */
export interface ReadyMail { identity: MailIdentity; prepared: ClassifiedMail }

/** A mail's identity and its parse and classification, now (parse-ahead.ts does the same, earlier). */
export async function readyMail(config: Config, raw: Buffer, mailbox: MailboxName): Promise<ReadyMail> {
  return { identity: mailIdentity(raw), prepared: await parseAndClassify(config, raw, mailbox) };
}

/** Every address a mail says it went to: To, Cc, and the envelope headers our server adds. */
function recipientsOf(mail: ParsedMail): string[] {
  const envelope = ['delivered-to', 'x-original-to'].flatMap((h) => mail.headers[h] ?? []);
  return [...mail.to.map((a) => a.address), ...mail.cc.map((a) => a.address), ...envelope];
}
