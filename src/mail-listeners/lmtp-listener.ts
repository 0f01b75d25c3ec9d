import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { connect, type AddressInfo, type Server } from 'node:net';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { IngestInput, IngestOutcome } from '../inbound/ingest-types.js';
import type { Config } from '../config.js';
import { SlagateError } from '../errors.js';
import { mailboxOf } from './smtp-listener.js';
import { MANAGEMENT_FIRST, type MailboxName } from '../policy/priorities.js';
import { handOver, smtpError, withReturnPath } from './hand-over.js';

/** Where an LMTP listener listens: loopback TCP, or a Unix socket. */
export type LmtpAddress = { host: string; port: number } | { socket: string };

export interface LmtpListenerOptions {
  config: Config;
  /** The same ingest path as IMAP and the local SMTP listener (it wakes the outbox on commit). */
  ingest: (input: IngestInput) => Promise<IngestOutcome>;
  clock: () => Date;
  logger: Logger;
  listen: LmtpAddress;
  /** Names the worker (two LMTP listeners may run: TCP and a Unix socket). */
  name?: string;
  /** Socket file mode; the MTA's delivery agent may run as another user than the gateway. */
  socketMode?: number;
}

export interface LmtpListener {
  name: string;
  start(): Promise<void>;
  close(): Promise<void>;
  /** The bound address; only after start(). */
  address(): LmtpAddress;
}


/**
 * LMTP (RFC 2033) for the local MTA. Unlike SMTP, every recipient gets its own reply after DATA,
 * and each is given only once that recipient's mailbox has committed the raw mail: 250 means
 * stored, 451 means "keep it and try again" (database down, disk full), so the MTA's queue is the
 * buffer and nothing it handed over is lost. A mail to support and management is one delivery per
 * mailbox, and each recipient's reply is its mailbox's. Unknown recipients are refused at RCPT.
 */
export function createLmtpListener(options: LmtpListenerOptions): LmtpListener {
  const { config, clock } = options;
  const name = options.name ?? 'lmtp';
  const logger = options.logger.child({ component: name });
  const maxBytes = config.limits.maxMessageBytes;

  const server = new SMTPServer({
    lmtp: true,
    authOptional: true,
    // Loopback or a local socket, and no passwords to protect: AUTH or STARTTLS would only
    // invite clients to fail at them.
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: maxBytes,
    logger: false,
    banner: 'slagate',
    // The client is the local MTA or `slagate ingest`: a reverse DNS lookup of it only delays
    // the greeting (about 0.1 s a connection on a Unix socket, measured), which the pipe pays per mail.
    disableReverseLookup: true,
    // A delivering MTA keeps its connection open between deliveries (Postfix caches LMTP
    // sessions); the default 60 s would only make it reconnect more.
    socketTimeout: 300_000,
    onRcptTo(address, _session, callback) {
      if (mailboxOf(config, address.address)) return callback();
      callback(smtpError(550, `5.1.1 <${address.address}>: this gateway takes mail for ${config.mailboxes.support.address} and ${config.mailboxes.management.address} only`));
    },
    onData(stream, session, callback) {
      receive(stream, session).then((replies) => callback(null, replies as unknown as string), (err: Error) => callback(err));
    },
  });
  server.on('error', (err) => logger.error({ err, code: 'LMTP' }, 'lmtp listener error'));

  async function receive(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<(string | Error)[]> {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    if (stream.sizeExceeded) {
      logger.warn({ code: 'MESSAGE_TOO_LARGE', limit: maxBytes }, 'lmtp mail refused: too large');
      // smtp-server answers 552 for every recipient itself.
      throw smtpError(552, `5.3.4 message exceeds the limit of ${maxBytes} bytes`);
    }
    const receivedAt = clock();
    const body = Buffer.concat(chunks);
    const raw = withReturnPath(body, session.envelope.mailFrom ? session.envelope.mailFrom.address : '');
    const recipients = session.envelope.rcptTo.map((r) => mailboxOf(config, r.address));
    const replies = new Map<MailboxName, string | Error>();
    // One ingest per mailbox, one after the other, management first (MANAGEMENT_FIRST); a retry
    // after a 451 is harmless: the mailbox that already committed answers `duplicate`.
    for (const mailbox of MANAGEMENT_FIRST) {
      if (!recipients.includes(mailbox)) continue;
      const management = replies.get('management');
      if (management instanceof Error) {
        // The support copy is not taken while its management copy is not stored: alone it would
        // open a team ticket with the complaint (nothing in a Bcc'd copy names management). It
        // gets management's answer, so the MTA retries (or returns) both together.
        replies.set(mailbox, management);
        continue;
      }
      try {
        const outcome = await handOver(options.ingest, logger, { raw, mailbox, receivedAt, source: 'lmtp' });
        // A private ticket's number is not for whoever reads the MTA's logs.
        replies.set(mailbox, `2.0.0 ${mailbox}: ${outcome.decision}${outcome.ticket && !outcome.ticket.private ? ` ${outcome.ticket.number}` : ''}`);
      } catch (err) {
        replies.set(mailbox, err as Error);
      }
    }
    return recipients.map((mailbox) => replies.get(mailbox!)!);
  }

  let bound: LmtpAddress | undefined;
  const listen = options.listen;
  return {
    name,
    async start() {
      if ('socket' in listen && !(await clearStaleSocket(listen.socket))) {
        throw new SlagateError('CONFIG_INVALID', `${listen.socket}: another process already listens on this socket`);
      }
      const tcp = (server as unknown as { server: Server }).server;
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        const ready = () => {
          tcp.off('error', reject);
          resolve();
        };
        if ('socket' in listen) server.listen(listen.socket, ready);
        else server.listen(listen.port, listen.host, ready);
      });
      if ('socket' in listen) {
        if (options.socketMode !== undefined) chmodSync(listen.socket, options.socketMode);
        bound = { socket: listen.socket };
      } else {
        const info = tcp.address() as AddressInfo;
        bound = { host: info.address, port: info.port };
      }
      logger.info(bound, 'lmtp listener ready');
    },
    close() {
      if (!bound) return Promise.resolve();
      const was = bound;
      bound = undefined;
      // smtp-server waits for open sessions to end, for up to its closeTimeout (30 s by default);
      // a session mid-DATA finishes its ingest and gets its replies first.
      return new Promise<void>((resolve) => server.close(() => {
        if ('socket' in was) rmSync(was.socket, { force: true });
        resolve();
      }));
    },
    address() {
      if (!bound) throw new SlagateError('INTERNAL', `${name} listener not started`);
      return bound;
    },
  };
}

/**
 * A socket file left by a gateway that was killed is removed (true: free to listen); one a live
 * process answers on is not taken over (that would cut it off from its clients): false.
 */
async function clearStaleSocket(path: string): Promise<boolean> {
  mkdirSync(dirname(path), { recursive: true });
  const live = await new Promise<boolean>((resolve) => {
    const probe = connect(path);
    probe.once('connect', () => { probe.destroy(); resolve(true); });
    probe.once('error', () => resolve(false));
  });
  if (live) return false;
  rmSync(path, { force: true });
  return true;
}
