import { createLogger } from '../logger.js';
import { serveOffloaded } from '../offload/serve-offloaded.js';
import { createSmtpSender } from './create-smtp-sender.js';
import type { SmtpOffloadData } from './create-offloaded-smtp-sender.js';
import type { SendableMail, SendResult } from './mail-sender.js';

// The thread of createOffloadedSmtpSender: the same pooled sender, its CPU on another core.
serveOffloaded<SmtpOffloadData, SendableMail, SendResult>(({ settings, logLevel }) => {
  const sender = createSmtpSender(settings, { logger: createLogger({ level: logLevel }) });
  return { handle: (mail) => sender.send(mail), close: () => sender.close() };
});
