import nodemailer from 'nodemailer';
import type { SmtpSettings } from '../config.js';

export type SmtpVerification = { ok: true } | { ok: false; stage: 'connect' | 'login' | 'tls' | 'other'; detail: string };

/**
 * Connects, says EHLO and logs in when credentials are configured (nodemailer's `verify()`), on
 * a one-off unpooled connection: it checks the settings and sends nothing.
 */
export async function verifySmtp(settings: SmtpSettings): Promise<SmtpVerification> {
  const transport = nodemailer.createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.secure,
    auth: settings.user ? { user: settings.user, pass: settings.password ?? '' } : undefined,
    connectionTimeout: settings.connectionTimeoutMs,
    greetingTimeout: settings.connectionTimeoutMs,
    socketTimeout: settings.connectionTimeoutMs,
    tls: { rejectUnauthorized: settings.tlsRejectUnauthorized },
    disableFileAccess: true,
    disableUrlAccess: true,
    logger: false,
  });
  try {
    await transport.verify();
    return { ok: true };
  } catch (err) {
    const e = err as { code?: string; response?: string; message?: string };
    const detail = e.response ?? e.message ?? String(err);
    if (e.code === 'EAUTH') return { ok: false, stage: 'login', detail };
    if (e.code === 'ETLS') return { ok: false, stage: 'tls', detail };
    if (e.code === 'ECONNECTION' || e.code === 'ETIMEDOUT' || e.code === 'ESOCKET' || e.code === 'EDNS') {
      return { ok: false, stage: 'connect', detail: /ECONNREFUSED/.test(detail) ? 'connection refused' : detail };
    }
    return { ok: false, stage: 'other', detail };
  } finally {
    transport.close();
  }
}
