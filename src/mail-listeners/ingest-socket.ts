import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import type { IngestInput, IngestOutcome } from '../inbound/ingest-types.js';
import { MAILBOXES, type MailboxName } from '../policy/priorities.js';
import { handOver } from './hand-over.js';
import { INGEST_PROTOCOL, parseRequestHeader } from './ingest-protocol.js';

/**
 * The pipe's socket: `slagate ingest` hands its bytes to the running gateway here and gets the
 * outcome after the commit. A protocol of its own rather than LMTP because smtp-server holds
 * every greeting back 100 ms (its early-talker check), which alone was most of the pipe's budget;
 * this one costs a header line, the bytes and a reply line. The exactly-once contract is the
 * listeners' (hand-over.ts): a reply only after the commit, 451 for a temporary failure.
 *
 *   client: `SLAGATE-INGEST 1 <mailbox> <bytes>\n` then the bytes, as often as it has mails
 *   server: `250 <outcome as JSON>\n` | `451 <text>\n` | `554 <text>\n` for each, in order
 */
export interface IngestSocketOptions {
  path: string;
  ingest: (input: IngestInput) => Promise<IngestOutcome>;
  clock: () => Date;
  logger: Logger;
}

export interface IngestSocket {
  name: string;
  start(): Promise<void>;
  close(): Promise<void>;
  /** False when another live gateway on the same folder already serves this socket. */
  listening(): boolean;
}

export function createIngestSocket(options: IngestSocketOptions): IngestSocket {
  const logger = options.logger.child({ component: 'ingest-socket' });
  const connections = new Set<Socket>();
  const busy = new Set<Promise<void>>();
  const server = createServer((socket) => {
    connections.add(socket);
    socket.on('close', () => connections.delete(socket));
    socket.on('error', (err) => logger.debug({ err }, 'ingest socket client went away'));
    serve(socket);
  });
  let bound = false;

  function serve(socket: Socket) {
    let buffer: Buffer = Buffer.alloc(0);
    let want: { mailbox: MailboxName; bytes: number } | null = null;
    let working = Promise.resolve();
    socket.on('data', (chunk: Buffer) => {
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
      for (;;) {
        if (!want) {
          const nl = buffer.indexOf(0x0a);
          if (nl < 0) {
            if (buffer.length > 200) refuse(socket, 'header line too long');
            return;
          }
          const header = parseRequestHeader(buffer.subarray(0, nl).toString('latin1'));
          if (!header || !MAILBOXES.includes(header.mailbox as MailboxName)) return refuse(socket, `expected "${INGEST_PROTOCOL} <mailbox> <bytes>"`);
          want = { mailbox: header.mailbox as MailboxName, bytes: header.bytes };
          buffer = buffer.subarray(nl + 1);
        }
        if (buffer.length < want.bytes) return;
        const raw = Buffer.from(buffer.subarray(0, want.bytes));
        const mailbox = want.mailbox;
        buffer = buffer.subarray(want.bytes);
        want = null;
        // One mail after the other per connection, replies in order.
        const job = working.then(() => deliver(socket, raw, mailbox));
        working = job;
        busy.add(job);
        void job.finally(() => busy.delete(job));
      }
    });
  }

  async function deliver(socket: Socket, raw: Buffer, mailbox: MailboxName): Promise<void> {
    let reply: string;
    try {
      const outcome = await handOver(options.ingest, logger, { raw, mailbox, receivedAt: options.clock(), source: 'cli' });
      reply = `250 ${JSON.stringify(outcome)}`;
    } catch (err) {
      const code = (err as { responseCode?: number }).responseCode ?? 451;
      reply = `${code} ${(err as Error).message.replace(/[\r\n]+/g, ' ')}`;
    }
    if (!socket.destroyed) socket.write(`${reply}\n`);
  }

  function refuse(socket: Socket, why: string) {
    socket.end(`500 ${why}\n`);
  }

  return {
    name: 'ingest-socket',
    async start() {
      mkdirSync(dirname(options.path), { recursive: true });
      if (await answers(options.path)) {
        // Another instance on the same folder (and, the file says, the same database) serves the pipe.
        logger.warn({ socket: options.path }, 'another gateway already serves the ingest socket; leaving it to that one');
        return;
      }
      rmSync(options.path, { force: true }); // left by a gateway that was killed
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.path, () => {
          server.off('error', reject);
          resolve();
        });
      });
      // Only this user's `slagate ingest` (an MTA's pipe runs as the gateway's user) may write here.
      chmodSync(options.path, 0o600);
      bound = true;
      logger.info({ socket: options.path }, 'ingest socket ready');
    },
    async close() {
      if (!bound) return;
      bound = false;
      // No new clients; a mail already handed over gets its reply after its commit, then the
      // connections close (the client sees the end and goes on without the gateway).
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.allSettled([...busy]);
      for (const socket of connections) socket.end();
      await closed;
      rmSync(options.path, { force: true });
    },
    listening: () => bound,
  };
}

function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(path);
    probe.once('connect', () => { probe.destroy(); resolve(true); });
    probe.once('error', () => resolve(false));
  });
}
