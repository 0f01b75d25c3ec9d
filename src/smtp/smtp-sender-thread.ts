import { createLogger } from '../logger.js';
import { serveThread } from '../threads/serve-thread.js';
import { createSmtpSender } from './create-smtp-sender.js';
import type { SmtpThreadData } from './create-threaded-smtp-sender.js';
import type { SendableMail, SendResult } from './mail-sender.js';

// The thread of createThreadedSmtpSender: the same pooled sender, its CPU on another core.
serveThread<SmtpThreadData, SendableMail, SendResult>(({ settings, logLevel }) => {
  const sender = createSmtpSender(settings, { logger: createLogger({ level: logLevel }) });
  return { handle: (mail) => sender.send(mail), close: () => sender.close() };
});
