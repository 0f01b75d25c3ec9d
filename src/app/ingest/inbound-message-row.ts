import type { NewMessageRow } from '../../db/repositories/message-repository.js';
import { safeHeaderValue } from '../../outbound/message-headers.js';
import { withoutReplyTokens } from '../../security/reply-token.js';
import type { RouteInput } from './route-types.js';

/** The messages row for an inbound mail: what agents read, with the raw mail one join away. */
export function inboundMessageRow(ticketId: number, m: RouteInput, authorKind: 'client' | 'agent' | 'manager'): NewMessageRow {
  const { mail } = m;
  const from = mail.from[0];
  return {
    ticketId,
    rawMailId: m.rawMailId,
    direction: 'inbound',
    authorKind,
    messageId: m.messageId,
    inReplyTo: mail.inReplyTo,
    references: mail.references,
    fromAddress: from?.address ?? mail.returnPath ?? '',
    fromName: from?.name || null,
    // A staff reply went to a signed address: what is kept for display names no usable token.
    to: mail.to.map((a) => ({ name: a.name || undefined, address: withoutReplyTokens(a.address) })),
    cc: mail.cc.map((a) => ({ name: a.name || undefined, address: withoutReplyTokens(a.address) })),
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    sentAt: mail.date,
  };
}

export function attachmentRows(m: RouteInput) {
  return m.mail.attachments.map((a) => ({
    filename: a.filename, contentType: a.contentType, size: a.size, sha256: a.sha256, contentId: a.contentId, inline: a.inline,
  }));
}

/** Who really wrote a mail (From, as written), so staff never take a participant for the requester. */
export function senderOf(m: RouteInput): string {
  const from = m.mail.from[0];
  if (!from) return m.mail.returnPath ?? '?';
  const name = safeHeaderValue((from.name ?? '').replace(/[<>"]/g, ''), 100);
  return name ? `${name} <${from.address}>` : from.address;
}
