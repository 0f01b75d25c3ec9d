import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { MAILBOXES } from '../policy/priorities.js';
import type { DoctorCheck } from './doctor-check.js';

/** The IMAP and SMTP probes; passed in so run-doctor stays free of the mail libraries. */
export interface MailServerProbes {
  verifyImapMailbox: typeof import('../imap/verify-mailbox.js').verifyImapMailbox;
  verifySmtp: typeof import('../smtp/verify-smtp.js').verifySmtp;
}

export async function checkImapMailboxes(config: Config, probes: MailServerProbes, logger: Logger, onStart: (what: string) => void): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  for (const mailbox of MAILBOXES) {
    const imap = config.mailboxes[mailbox].imap;
    if (!imap) continue;
    const name = `imap ${mailbox}`;
    const key = `mailboxes.${mailbox}.imap`;
    const server = `${imap.host}:${imap.port}`;
    onStart(`checking IMAP for ${mailbox} at ${server}`);
    const v = await probes.verifyImapMailbox(imap, logger);
    if (!v.ok && v.stage === 'connect') {
      checks.push({ name, ok: false, detail: `cannot reach the IMAP server for ${mailbox} at ${server}${imap.secure ? ' (TLS)' : ''}: ${v.detail} — check ${key}.host, ${key}.port and ${key}.secure, and that the server is up` });
      continue;
    }
    if (!v.ok) {
      checks.push({ name, ok: false, detail: `IMAP login to ${mailbox} failed: ${v.detail} — check ${key}.user and SLAGATE_IMAP_${mailbox.toUpperCase()}_PASSWORD` });
      continue;
    }
    const problems: string[] = [];
    if (!v.folderExists) problems.push(`folder "${imap.folder}" does not exist — check ${key}.folder`);
    if (typeof v.processedFolder === 'object') {
      problems.push(`processed folder "${imap.processedFolder}" is missing and could not be created (${v.processedFolder.failed}) — create it or change ${key}.processedFolder`);
    }
    if (problems.length > 0) {
      checks.push({ name, ok: false, detail: `logged in to ${server} as ${imap.user}, but ${problems.join('; ')}` });
      continue;
    }
    const processed = v.processedFolder === 'created' ? `processed folder "${imap.processedFolder}" was missing and has been created` : `processed folder "${imap.processedFolder}" exists`;
    const idle = !v.idle ? `no IDLE: the folder is checked every ${imap.pollIntervalMs / 1000} s`
      : imap.noopIntervalMs > 0 ? `IDLE supported, and the folder is also checked every ${imap.noopIntervalMs} ms` : 'IDLE supported (the server announces new mail)';
    checks.push({ name, ok: true, detail: `logged in to ${server} as ${imap.user}; folder "${imap.folder}" exists; ${processed}; ${idle}` });
  }
  return checks;
}

export async function checkSmtp(config: Config, probes: MailServerProbes, onStart: (what: string) => void): Promise<DoctorCheck | null> {
  const smtp = config.smtp;
  if (!smtp) return null;
  const server = `${smtp.host}:${smtp.port}`;
  onStart(`checking SMTP at ${server}`);
  const v = await probes.verifySmtp(smtp);
  if (v.ok) return { name: 'smtp', ok: true, detail: `connected to ${server}, EHLO accepted${smtp.user ? `, logged in as ${smtp.user}` : ''}` };
  const detail = {
    connect: `cannot reach the SMTP server at ${server}: ${v.detail} — check smtp.host and smtp.port, and that the server is up`,
    login: `SMTP login as ${smtp.user ?? '(no user)'} at ${server} was refused: ${v.detail} — check smtp.user and SLAGATE_SMTP_PASSWORD`,
    tls: `TLS with the SMTP server at ${server} failed: ${v.detail} — check smtp.secure (true for port 465, false for 587 with STARTTLS) and smtp.tlsRejectUnauthorized`,
    other: `the SMTP server at ${server} did not accept us: ${v.detail} — check the smtp settings`,
  }[v.stage];
  return { name: 'smtp', ok: false, detail };
}
