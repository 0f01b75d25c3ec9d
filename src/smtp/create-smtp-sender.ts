import nodemailer from 'nodemailer';
import type { Logger } from 'pino';
import type { SmtpSettings } from '../config.js';
import { SlagateError } from '../errors.js';
import { composeRawMessage } from './compose-raw-message.js';
import { classifySmtpError } from './classify-smtp-error.js';
import type { MailSender, SendResult } from './mail-sender.js';
import { createSendGate } from './send-gate.js';

/**
 * A pooled SMTP sender. Pooling matters: smtp-server and many real servers pause before their
 * greeting, so a connection per mail caps throughput at a few mails a second. The pool must not
 * requeue on its own (`maxRequeues: 0`): the outbox decides about retries, with the same
 * Message-ID, and a pool queue would be lost on a crash anyway.
 *
 * Mails beyond the pool's connections wait here, not in nodemailer's pool, so that each is
 * checked against its `maxWaitMs` as its turn comes: one that waited too long is refused unsent
 * (SMTP_NOT_STARTED) instead of going out on a lease that may have passed to another sender.
 * The wait is timed on this process's monotonic clock, never against the caller's.
 */
export function createSmtpSender(settings: SmtpSettings, options: { logger?: Logger; clock?: () => Date } = {}): MailSender {
  const clock = options.clock ?? (() => new Date());
  const transport = nodemailer.createTransport({
    pool: true,
    host: settings.host,
    port: settings.port,
    secure: settings.secure,
    auth: settings.user ? { user: settings.user, pass: settings.password ?? '' } : undefined,
    maxConnections: settings.maxConnections,
    connectionTimeout: settings.connectionTimeoutMs,
    greetingTimeout: settings.connectionTimeoutMs,
    socketTimeout: settings.connectionTimeoutMs * 2,
    maxRequeues: 0,
    tls: { rejectUnauthorized: settings.tlsRejectUnauthorized },
    disableFileAccess: true,
    disableUrlAccess: true,
    ...(settings.dkim ? { dkim: { domainName: settings.dkim.domainName, keySelector: settings.dkim.keySelector, privateKey: settings.dkim.privateKey } } : {}),
    logger: options.logger ? (options.logger.child({ component: 'smtp' }) as never) : false,
  });
  const gate = createSendGate(settings.maxConnections);

  return {
    concurrency: settings.maxConnections,
    holdsOneMore: true,
    async send(mail): Promise<SendResult> {
      let info: { accepted?: unknown[]; rejected?: unknown[]; rejectedErrors?: { recipient?: string; response?: string }[]; response?: string };
      const queuedAt = performance.now();
      const leave = await gate.enter();
      try {
        const waited = performance.now() - queuedAt;
        if (mail.maxWaitMs !== undefined && waited > mail.maxWaitMs) {
          throw new SlagateError('SMTP_NOT_STARTED', `waited ${Math.round(waited)} ms for a connection, over the ${mail.maxWaitMs} ms allowed; not sent`);
        }
        // Composed here, not by nodemailer (see compose-raw-message.ts); the envelope names exactly
        // the To and Cc recipients, so no transport can have a Bcc to leak.
        const { raw, envelope } = composeRawMessage(mail, { date: clock() });
        info = await transport.sendMail({ envelope, raw });
      } catch (err) {
        throw classifySmtpError(err);
      } finally {
        leave();
      }
      const responses = new Map((info.rejectedErrors ?? []).map((e) => [String(e.recipient ?? ''), e.response ?? '']));
      return {
        accepted: (info.accepted ?? []).map(addressOf),
        rejected: (info.rejected ?? []).map(addressOf).map((address) => ({ address, response: responses.get(address) ?? 'rejected' })),
        response: info.response ?? '',
      };
    },
    async close() {
      transport.close();
    },
  };
}

function addressOf(value: unknown): string {
  return typeof value === 'string' ? value : String((value as { address?: string }).address ?? value);
}
