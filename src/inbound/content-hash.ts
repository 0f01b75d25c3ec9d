import { createHash, type Hash } from 'node:crypto';

/**
 * Identity of a raw mail without parsing it, so that even mail the parser rejects is deduplicated
 * and kept. `sha256` is of the exact bytes; `contentHash` leaves out trace headers (Received,
 * Delivered-To, Return-Path...) so a redelivery of the same mail through another hop is still the
 * same mail.
 */
export interface MailIdentity {
  sha256: string;
  contentHash: string;
  /** The Message-ID header read directly from the bytes, or null. */
  headerMessageId: string | null;
}

const IDENTITY_HEADERS = new Set(['from', 'to', 'cc', 'subject', 'date', 'message-id', 'in-reply-to', 'content-type']);

export function mailIdentity(raw: Buffer): MailIdentity {
  const sha256 = createHash('sha256').update(raw).digest('hex');
  const split = findHeaderEnd(raw);
  const head = raw.subarray(0, split.headerEnd).toString('latin1');
  const body = raw.subarray(split.bodyStart);
  const fields = unfoldHeaderLines(head)
    .map((line) => {
      const idx = line.indexOf(':');
      return idx > 0 ? [line.slice(0, idx).trim().toLowerCase(), line.slice(idx + 1).replace(/\s+/g, ' ').trim()] as const : null;
    })
    .filter((f): f is readonly [string, string] => f !== null && IDENTITY_HEADERS.has(f[0]));
  const hash = createHash('sha256');
  for (const [k, v] of fields) hash.update(`${k}:${v}\n`);
  hash.update('\n');
  hashBody(hash, body);
  const rawId = fields.find(([k]) => k === 'message-id')?.[1].match(/<[^<>\s]+>/)?.[0] ?? null;
  return { sha256, contentHash: hash.digest('hex'), headerMessageId: rawId };
}

/** Bytes of the body decoded to a string at a time (a whole 34 MB body cost about 110 MB at peak). */
const BODY_WINDOW_BYTES = 64 * 1024; // 64 KiB
/** The bytes JavaScript's `\s` matches in a latin1 string: tab, LF, VT, FF, CR, space and NBSP. */
const isSpace = (byte: number) => (byte >= 0x09 && byte <= 0x0d) || byte === 0x20 || byte === 0xa0;

/**
 * Hashes exactly what `hash.update(body.toString('latin1').replace(/\r\n/g, '\n').replace(/\s+$/, ''))`
 * hashed, which existing contentHash values were made with, but a window at a time. Line endings
 * differ between hops (LF on disk, CRLF on the wire), hence the normalisation. No window ends
 * between a CR and its LF, so replacing per window is replacing in the whole.
 */
function hashBody(hash: Hash, body: Buffer): void {
  let end = body.length;
  while (end > 0 && isSpace(body[end - 1]!)) end -= 1;
  for (let at = 0; at < end;) {
    let next = Math.min(at + BODY_WINDOW_BYTES, end);
    if (next < end && body[next - 1] === 0x0d && body[next] === 0x0a) next += 1;
    hash.update(body.toString('latin1', at, next).replace(/\r\n/g, '\n'));
    at = next;
  }
}

/** A stable Message-ID for mail that has none, derived from its content. */
export function syntheticMessageId(contentHash: string): string {
  return `<${contentHash.slice(0, 40)}@no-message-id.slagate.invalid>`;
}

function findHeaderEnd(raw: Buffer): { headerEnd: number; bodyStart: number } {
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { headerEnd: crlf, bodyStart: crlf + 4 };
  if (lf >= 0) return { headerEnd: lf, bodyStart: lf + 2 };
  return { headerEnd: raw.length, bodyStart: raw.length };
}

function unfoldHeaderLines(head: string): string[] {
  return head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/);
}
