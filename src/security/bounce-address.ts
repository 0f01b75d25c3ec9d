import { createHmac, timingSafeEqual } from 'node:crypto';
import { base32 } from './base32.js';
import { asciiLowerAddress } from '../inbound/case-fold.js';

/**
 * Signed envelope senders (BATV-style): every mail we send has `support+b<tag>@…` (of its From
 * mailbox) as its SMTP MAIL FROM, where the tag is a keyed hash of its Message-ID. A delivery
 * report goes to the envelope sender, so a genuine bounce of our mail arrives addressed to that
 * tag, while anyone can write a report quoting one of our Message-IDs (they are in every client's
 * References) but nobody can write the tag for it. Only a report delivered to the right tag may
 * change anything (bounce-verdict.ts).
 */

const TAG_BYTES = 10;
/** `b` and 16 base32 characters: never 34 long, so never read as a reply token. */
const TAG_TEXT = `b[a-z2-7]{${Math.ceil((TAG_BYTES * 8) / 5)}}`;

function tagOf(secret: string, messageId: string): string {
  const mac = createHmac('sha256', secret).update(`slagate/bounce-address\0${messageId.trim()}`).digest().subarray(0, TAG_BYTES);
  return `b${base32(mac)}`;
}

/** The envelope sender of the mail with `messageId` from `mailboxAddress`. */
export function bounceAddress(secret: string, mailboxAddress: string, messageId: string): string {
  const at = mailboxAddress.lastIndexOf('@');
  return `${mailboxAddress.slice(0, at)}+${tagOf(secret, messageId)}@${mailboxAddress.slice(at + 1)}`;
}

/** Whether `address` is the signed envelope sender of `messageId` on one of `mailboxAddresses`. */
export function isBounceAddressOf(secret: string, address: string, mailboxAddresses: readonly string[], messageId: string): boolean {
  const m = new RegExp(`^([^@+]+)\\+(${TAG_TEXT})@([^@]+)$`, 'i').exec(address.trim());
  if (!m) return false;
  const bare = `${asciiLowerAddress(m[1]!)}@${asciiLowerAddress(m[3]!)}`;
  if (!mailboxAddresses.some((a) => asciiLowerAddress(a) === bare)) return false;
  const expected = Buffer.from(tagOf(secret, messageId));
  const given = Buffer.from(asciiLowerAddress(m[2]!));
  return expected.length === given.length && timingSafeEqual(expected, given);
}
