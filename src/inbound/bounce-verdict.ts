import { isBounceAddressOf } from '../security/bounce-address.js';

/**
 * What a delivery report may change. Only a report delivered to the signed envelope sender of the
 * mail it names (bounce-address.ts) is a real bounce of our own mail: it may mark that mail
 * bounced and suppress its recipients. Any other (a forged DSN quoting a Message-ID from some
 * client's References, or one sent to the plain mailbox address) is recorded and changes nothing.
 */
export type BounceVerdict = { trusted: true } | { trusted: false; reason: string };

export function judgeBounce(input: {
  secret: string | undefined;
  /** Envelope recipient headers (Delivered-To, X-Original-To), then To and Cc of the report. */
  deliveredTo: readonly string[];
  mailboxAddresses: readonly string[];
  originalMessageId: string;
}): BounceVerdict {
  if (!input.secret) return { trusted: false, reason: 'no tokenSecret: our envelope senders are not signed, so no report can be verified' };
  const ok = input.deliveredTo.some((a) => isBounceAddressOf(input.secret!, a, input.mailboxAddresses, input.originalMessageId));
  return ok ? { trusted: true }
    : { trusted: false, reason: `not delivered to the signed envelope sender of ${input.originalMessageId}: a report anyone could have written` };
}
