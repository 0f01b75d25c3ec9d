import nodemailer from 'nodemailer';
import { classifySmtpError } from './classify-smtp-error.js';

export interface RawEnvelope {
  from: string;
  to: string[];
}

export interface RawMailClient {
  /** Resolves with the server's answer once it accepted the message (250). */
  send(envelope: RawEnvelope, raw: Buffer): Promise<string>;
  close(): void;
}

/**
 * Hands ready-made RFC 5322 bytes to an SMTP server unchanged: `slagate demo` delivering its mails
 * to the local listener. Plain SMTP on loopback; pooled, because smtp-server pauses before each
 * greeting (docs/PITFALLS.md).
 */
export function createRawMailClient(server: { host: string; port: number }): RawMailClient {
  const transport = nodemailer.createTransport({
    pool: true,
    maxConnections: 1,
    host: server.host,
    port: server.port,
    secure: false,
    ignoreTLS: true,
    maxRequeues: 0,
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  return {
    async send(envelope, raw) {
      try {
        const info: { response?: string } = await transport.sendMail({ envelope: { from: envelope.from, to: envelope.to }, raw });
        return String(info.response ?? '');
      } catch (err) {
        throw classifySmtpError(err);
      }
    },
    close() {
      transport.close();
    },
  };
}
