import type { SendMailOptions } from 'nodemailer';
import type { SendableMail } from './mail-sender.js';

/**
 * The nodemailer message for a stored mail, the same for every transport. The Message-ID comes
 * from the row, so every attempt of one mail carries the same one. There is no `bcc` field at
 * all: every recipient is in To or Cc, so no transport can leak a Bcc header.
 */
export function buildMessage(mail: SendableMail): SendMailOptions {
  return {
    messageId: mail.messageId,
    from: { name: mail.fromAddress.name ?? '', address: mail.fromAddress.address },
    replyTo: mail.replyTo ? { name: mail.replyTo.name ?? '', address: mail.replyTo.address } : undefined,
    to: mail.to.map((a) => ({ name: a.name ?? '', address: a.address })),
    cc: mail.cc.map((a) => ({ name: a.name ?? '', address: a.address })),
    subject: mail.subject,
    text: mail.text,
    html: mail.html ?? undefined,
    headers: mail.headers,
    attachments: (mail.attachments ?? []).map((a) => ({
      filename: a.filename, contentType: a.contentType, content: Buffer.from(a.contentBase64, 'base64'),
    })),
    // Message content never names local files or URLs; refuse them outright.
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}
