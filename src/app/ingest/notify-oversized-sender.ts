import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/client.js';
import { enqueue, isSuppressed } from '../../db/repositories/outbox-repository.js';
import { detectNoise } from '../../inbound/detect-noise.js';
import { parseMail } from '../../inbound/parse-mail.js';
import { buildClientMail } from '../../outbound/build-client-mail.js';
import { detectLanguage } from '../../outbound/detect-language.js';
import type { MailboxName } from '../../policy/priorities.js';
import type { IngestDeps } from './ingest-batch.js';
import { findPerson, isOwnMailboxAddress } from '../../tickets/staff-directory.js';

/**
 * Tells the sender of a mail we would not download that it was too large, unless the mail is
 * automatic (a robot would answer our notice and start a loop). Returns whether a notice was queued.
 */
export async function notifyOversizedSender(
  tx: Db, deps: IngestDeps, input: { headers: Buffer; size: number; mailbox: MailboxName; rawMailId: number },
): Promise<boolean> {
  const { config } = deps;
  const mail = await parseMail(input.headers, { maxTextChars: config.limits.maxTextChars });
  const noise = detectNoise(mail, {
    addresses: [config.mailboxes.support.address, config.mailboxes.management.address],
    messageIdDomain: config.messageIdDomain,
  });
  const sender = mail.from[0];
  if (!noise.acknowledge || !sender || isOwnMailboxAddress(config, sender.address)) return false;
  if (await isSuppressed(tx, sender.address, deps.clock())) return false;
  const lang = findPerson(config, sender.address)?.language ?? detectLanguage(mail.subject, config.defaultLanguage);
  const toMb = (bytes: number) => (bytes / 1_048_576).toFixed(1);
  const notice = buildClientMail(config, {
    kind: 'oversized-rejected', ticket: null, to: sender, lang, mailbox: input.mailbox,
    dedupeKey: `oversized:${input.rawMailId}`,
    data: { originalSubject: mail.subject || '(no subject)', sizeMb: toMb(input.size), maxMb: toMb(config.limits.maxMessageBytes) },
    thread: { inReplyTo: mail.messageId, references: mail.references },
    random: randomUUID(),
  });
  return enqueue(tx, notice);
}
