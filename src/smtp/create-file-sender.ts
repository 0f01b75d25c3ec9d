import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { composeRawMessage } from './compose-raw-message.js';
import type { MailSender } from './mail-sender.js';

/**
 * Local mail mode (no SMTP server configured): each mail is written as an .eml file, built from
 * the same bytes the SMTP sender sends (compose-raw-message.ts), which have no Bcc to leak.
 */
export function createFileSender(outDir: string, options: { clock?: () => Date } = {}): MailSender {
  const clock = options.clock ?? (() => new Date());
  return {
    async send(mail) {
      // Outgoing mail carries client text and staff reply addresses: for the gateway's user only.
      await mkdir(outDir, { recursive: true, mode: 0o700 });
      const now = clock();
      const { raw } = composeRawMessage(mail, { date: now });
      const stamp = now.toISOString().replace(/[:.]/g, '-');
      const name = `${stamp}-${mail.messageId.replace(/[^A-Za-z0-9.@-]/g, '_')}.eml`;
      await writeFile(join(outDir, name), raw, { mode: 0o600 });
      const all = [...mail.to, ...mail.cc].map((a) => a.address);
      return { accepted: all, rejected: [], response: `written to ${name}` };
    },
    async close() {},
  };
}
