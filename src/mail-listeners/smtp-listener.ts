import type { AddressInfo, Server } from 'node:net';
import type { Logger } from 'pino';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { IngestInput, IngestOutcome } from '../inbound/ingest-types.js';
import type { Config } from '../config.js';
import { SlagateError } from '../errors.js';
import { handOver, smtpError, withReturnPath } from './hand-over.js';
import { MAILBOXES, MANAGEMENT_FIRST, type MailboxName } from '../policy/priorities.js';

export interface SmtpListenerOptions {
  config: Config;
  /** The same ingest path as IMAP; called once per target mailbox, after the whole message arrived. */
  ingest: (input: IngestInput) => Promise<IngestOutcome>;
  clock: () => Date;
  logger: Logger;
  /** Overrides `config.localMail` (tests pass port 0). */
  host?: string;
  port?: number;
}

export interface SmtpListener {
  name: string;
  start(): Promise<void>;
  close(): Promise<void>;
  /** The bound address; only after start(). */
  address(): { host: string; port: number };
}

/**
 * Local mail mode: a loopback SMTP server standing in for the IMAP mailboxes. It takes mail only
 * for the support and management addresses (plus-addressed agent replies included), answers 250
 * only once every target mailbox's ingest has committed, and 451 when that could not happen, so
 * the sending client keeps the mail and tries again: nothing accepted is ever lost.
 */
export function createSmtpListener(options: SmtpListenerOptions): SmtpListener {
  const { config, clock } = options;
  const logger = options.logger.child({ component: 'local-smtp' });
  const maxBytes = config.limits.maxMessageBytes;

  const server = new SMTPServer({
    authOptional: true,
    // Loopback only and no passwords to protect: offering AUTH or STARTTLS would only invite
    // clients to fail at them.
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: maxBytes,
    logger: false,
    banner: 'slagate local mail',
    onRcptTo(address, _session, callback) {
      if (mailboxOf(config, address.address)) return callback();
      callback(smtpError(550, `5.1.1 <${address.address}>: this gateway takes mail for ${config.mailboxes.support.address} and ${config.mailboxes.management.address} only`));
    },
    onData(stream, session, callback) {
      receive(stream, session).then(() => callback(), (err: Error) => callback(err));
    },
  });
  server.on('error', (err) => logger.error({ err, code: 'LOCAL_SMTP' }, 'local smtp listener error'));

  async function receive(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    if (stream.sizeExceeded) {
      logger.warn({ code: 'MESSAGE_TOO_LARGE', limit: maxBytes }, 'local mail refused: too large');
      throw smtpError(552, `5.3.4 message exceeds the limit of ${maxBytes} bytes`);
    }
    const receivedAt = clock();
    const raw = withReturnPath(Buffer.concat(chunks), session.envelope.mailFrom ? session.envelope.mailFrom.address : '');
    const targets = new Set<MailboxName>();
    for (const rcpt of session.envelope.rcptTo) {
      const mailbox = mailboxOf(config, rcpt.address);
      if (mailbox) targets.add(mailbox);
    }
    // One ingest per mailbox, as two IMAP mailboxes would each see their own copy. Management
    // first (MANAGEMENT_FIRST), so the support copy of a Bcc to management joins its private
    // ticket; a failure stops before the support copy. A retry after a 451 is harmless: the
    // mailbox that already committed answers `duplicate`.
    for (const mailbox of MANAGEMENT_FIRST) {
      if (!targets.has(mailbox)) continue;
      await handOver(options.ingest, logger, { raw, mailbox, receivedAt, source: 'smtp' });
    }
  }

  let bound: { host: string; port: number } | undefined;
  return {
    name: 'local-smtp',
    start() {
      const tcp = (server as unknown as { server: Server }).server;
      return new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        server.listen(options.port ?? config.localMail.port, options.host ?? config.localMail.host, () => {
          tcp.off('error', reject);
          const info = tcp.address() as AddressInfo;
          bound = { host: info.address, port: info.port };
          logger.info(bound, 'local smtp listener ready');
          resolve();
        });
      });
    },
    close() {
      if (!bound) return Promise.resolve();
      bound = undefined;
      // smtp-server waits for open sessions to end, for up to its closeTimeout (30 s by default);
      // a session mid-DATA finishes its ingest first, which is what we want.
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
    address() {
      if (!bound) throw new SlagateError('INTERNAL', 'local smtp listener not started');
      return bound;
    },
  };
}

/**
 * Which mailbox an envelope recipient means: the support or management address, or a plus form
 * of one (`support+token@…`, a signed agent reply). Compared ASCII-lowercased (docs/PITFALLS.md).
 */
export function mailboxOf(config: Config, recipient: string): MailboxName | null {
  const address = recipient.replace(/[A-Z]/g, (c) => c.toLowerCase());
  const at = address.lastIndexOf('@');
  if (at < 1) return null;
  const local = address.slice(0, at);
  const plus = local.indexOf('+');
  const base = `${plus < 0 ? local : local.slice(0, plus)}${address.slice(at)}`;
  for (const mailbox of MAILBOXES) {
    if (config.mailboxes[mailbox].address === base) return mailbox;
  }
  return null;
}
