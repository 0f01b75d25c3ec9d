import type { Config } from '../config.js';
import type { Language, StoredOutboxAttachment } from './outbound-mail.js';

/** An attachment of a mail we stored, as the attachments table (and ParsedMail) describe it. */
export interface StoredFile {
  rawMailId: number;
  /** Its position among the mail's attachments, in the order the parser lists them. */
  index: number;
  filename: string | null;
  contentType: string;
  /** Decoded bytes. */
  size: number;
  sha256: string;
}

/** A file as a mail lists it: sent with the mail, or named and left on the ticket. */
export interface ListedFile {
  filename: string;
  size: number;
  attached: boolean;
}

export interface ForwardPlan {
  /** References the outbox worker turns into the files' bytes when it sends. */
  attach: StoredOutboxAttachment[];
  /** Every file, in the order sent, for the mail's text. */
  files: ListedFile[];
}

/**
 * Which of a mail's files travel with the mail that forwards it: in their order, each while the
 * total stays within `maxTotalBytes`; a file that would pass it is only listed (a smaller one after
 * it may still go). A file keeps its own name, whatever it is (`setup.exe`, `logs.zip`): renaming
 * it would hide from the reader what it is. A file without a name is called by its position.
 */
export function planForwardedAttachments(stored: readonly StoredFile[], maxTotalBytes: number): ForwardPlan {
  const attach: StoredOutboxAttachment[] = [];
  const files: ListedFile[] = [];
  let total = 0;
  for (const f of stored) {
    const filename = f.filename && f.filename.trim() !== '' ? f.filename : `attachment-${f.index + 1}`;
    const fits = total + f.size <= maxTotalBytes;
    if (fits) {
      total += f.size;
      attach.push({ filename, contentType: f.contentType, stored: { rawMailId: f.rawMailId, index: f.index, size: f.size, sha256: f.sha256 } });
    }
    files.push({ filename, size: f.size, attached: fits });
  }
  return { attach, files };
}

/** "512 B", "120 KB", "3.4 MB" ("3,4 MB" in Turkish): binary units, as mail clients show them. */
export function formatSize(bytes: number, lang: Language): string {
  const units = ['B', 'KB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit >= 2 && value < 100 ? 1 : 0;
  const text = value.toFixed(digits);
  return `${lang === 'tr' ? text.replace('.', ',') : text} ${units[unit]}`;
}

/**
 * The files of a mail being ingested, for the mail that forwards it (the team's notice, a client
 * reply's forward, an agent's relay): nothing is read, the parsed mail lists them (its
 * ParsedAttachment has these fields), in the parser's order.
 */
export function forwardPlanOfMail(
  config: Config, rawMailId: number, files: readonly Omit<StoredFile, 'rawMailId' | 'index'>[],
): ForwardPlan {
  return planForwardedAttachments(files.map((a, index) => ({ rawMailId, index, ...a })), config.limits.forwardAttachmentsMaxBytes);
}
