import type { SmtpSettings } from '../config.js';
import { SlagateError } from '../errors.js';
import { startOffloadClient } from '../offload/offload-client.js';
import { offloadScriptUrl } from '../offload/offload-script.js';
import type { MailSender, SendableMail, SendResult } from './mail-sender.js';

export interface SmtpOffloadData { settings: SmtpSettings; logLevel: string }

/**
 * createSmtpSender run in a worker thread (smtp-sender-offloaded.ts). Composing a message and
 * speaking SMTP through nodemailer's streams cost CPU for every mail: on the main thread that is
 * time the mailbox workers, the database driver and IMAP keepalives wait for. Results and
 * errors (with their codes) come back as the in-process sender gives them; if the thread dies
 * under a mail, that send fails as a lost connection does (retryable, and ambiguous: the server
 * may have the mail), and a new thread takes the next one.
 */
export function createOffloadedSmtpSender(settings: SmtpSettings, options: { logLevel: string }): MailSender {
  const client = startOffloadClient<SendableMail, SendResult>(offloadScriptUrl('smtp-sender-offloaded', import.meta.url), {
    name: 'smtp',
    workerData: { settings, logLevel: options.logLevel } satisfies SmtpOffloadData,
    onCrash: (reason) => new SlagateError('SMTP_CONNECTION', `SMTP sender unavailable: ${reason}`),
  });
  return {
    concurrency: settings.maxConnections,
    holdsOneMore: true,
    // Only what a sender reads crosses over, not the whole outbox row it may be handed.
    send: (mail) => client.call({
      messageId: mail.messageId, fromAddress: mail.fromAddress, replyTo: mail.replyTo, to: mail.to, cc: mail.cc,
      subject: mail.subject, text: mail.text, html: mail.html, headers: mail.headers, attachments: mail.attachments,
      maxWaitMs: mail.maxWaitMs, envelopeFrom: mail.envelopeFrom,
    }),
    close: () => client.close(),
  };
}
