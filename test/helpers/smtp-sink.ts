import { SMTPServer, type SMTPServerAddress, type SMTPServerSession } from 'smtp-server';
import type { AddressInfo, Socket } from 'node:net';

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  messageId: string | null;
  /** When the whole message had arrived (Date.now()). */
  at: number;
}

/** A response for a hook: undefined accepts; otherwise `code message`. */
export type SinkResponse = { code: number; message: string } | undefined;

export interface SmtpSinkPolicy {
  /** Per RCPT TO. */
  rcpt?: (address: string, session: SMTPServerSession) => SinkResponse;
  /** After the whole message was received. */
  data?: (mail: ReceivedMail) => SinkResponse;
  /** Greet with 421 and hang up (the server is "down"). */
  refuseConnections?: boolean;
  /** Waits before answering a received message (a slow server); answers once it settles. */
  holdAnswer?: (mail: ReceivedMail) => Promise<void> | undefined;
  /** Close the connection after receiving the message, without answering (an ambiguous failure). */
  dropAfterData?: (mail: ReceivedMail) => boolean;
}

export interface SmtpSink {
  port: number;
  host: string;
  /** Every message fully received, including ones whose connection was then dropped. */
  received: ReceivedMail[];
  /** Messages answered 250 (what the client was told was delivered). */
  accepted: ReceivedMail[];
  connections: number;
  policy: SmtpSinkPolicy;
  close(): Promise<void>;
}

/** An in-process SMTP server on port 0 whose behaviour is set by `policy` hooks. */
export async function startSmtpSink(policy: SmtpSinkPolicy = {}): Promise<SmtpSink> {
  const sink = { received: [] as ReceivedMail[], accepted: [] as ReceivedMail[], connections: 0, policy } as SmtpSink;
  const sockets = new Set<Socket>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onConnect(_session, callback) {
      sink.connections++;
      if (sink.policy.refuseConnections) {
        const err = Object.assign(new Error('Service not available, try later'), { responseCode: 421 });
        return callback(err);
      }
      callback();
    },
    onRcptTo(address: SMTPServerAddress, session, callback) {
      const r = sink.policy.rcpt?.(address.address, session);
      if (r) return callback(Object.assign(new Error(r.message), { responseCode: r.code }));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      const answer = async () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const mail: ReceivedMail = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          messageId: /^Message-ID:\s*(<[^>]+>)/im.exec(raw)?.[1] ?? null,
          at: Date.now(),
        };
        sink.received.push(mail);
        await sink.policy.holdAnswer?.(mail);
        if (sink.policy.dropAfterData?.(mail)) {
          for (const s of sockets) if (s.remotePort === session.remotePort) s.destroy();
          return;
        }
        const r = sink.policy.data?.(mail);
        if (r) return callback(Object.assign(new Error(r.message), { responseCode: r.code }));
        sink.accepted.push(mail);
        callback();
      };
      // A policy that throws or rejects (holdAnswer) answers 451 instead of leaving an unhandled
      // rejection and a client waiting for an answer that never comes.
      stream.on('end', () => {
        answer().catch((err: unknown) => callback(Object.assign(new Error(String(err)), { responseCode: 451 })));
      });
    },
  });
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const tcp = (server as unknown as { server: import('node:net').Server }).server;
  tcp.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  sink.port = (tcp.address() as AddressInfo).port;
  sink.host = '127.0.0.1';
  sink.close = () => new Promise<void>((resolve) => {
    for (const s of sockets) s.destroy();
    server.close(() => resolve());
  });
  return sink;
}
