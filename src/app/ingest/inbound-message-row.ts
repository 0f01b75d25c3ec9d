import type { NewMessageRow } from '../../db/repositories/message-repository.js';
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
    to: mail.to.map((a) => ({ name: a.name || undefined, address: a.address })),
    cc: mail.cc.map((a) => ({ name: a.name || undefined, address: a.address })),
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
