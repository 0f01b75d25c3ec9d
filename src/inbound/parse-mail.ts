import { Readable } from 'node:stream';
import { MailParser, type AddressObject, type AttachmentStream, type HeaderLines, type Headers, type MessageText } from 'mailparser';
import sanitizeHtml from 'sanitize-html';
import { SlagateError } from '../errors.js';
import type { DeliveryReport, DispositionNotification, FeedbackReport, MailAddress, ParsedAttachment, ParsedMail } from './parsed-mail.js';
import { cleanText, cleanLine } from './clean-text.js';

/**
 * The only mailparser import. Everything mailparser can hand back that would hurt downstream is
 * repaired here: NUL and C0 controls (Postgres rejects NUL), raw HTML (sanitised), addresses
 * (ASCII-lowercased), Message-IDs (validated). The raw bytes are never changed: they live in raw_mail.
 */
export interface ParseLimits {
  /** Characters of text and of HTML kept. */
  maxTextChars: number;
}

const MESSAGE_ID = /^<[^<>\s@]+@[^<>\s@]+>$/;
const MAIL_ADDRESS = /^[^\s@<>()|/]+@[^\s@<>()]+\.[^\s@<>()]+$/;

/** The parts a delivery report is read from; every other attachment is hashed and dropped as it streams. */
const REPORT_PARTS = new Set([
  'message/delivery-status', 'message/rfc822', 'text/rfc822-headers', 'message/feedback-report', 'message/disposition-notification',
]);
/**
 * Bytes kept of each report part, and of all of them together: real reports are a few kilobytes,
 * and the returned mail is only searched for its Message-ID, which is in its headers. Without a
 * bound, a bounce that returns a 25 MB mail would be held whole, the very thing streaming avoids.
 */
const REPORT_PART_BYTES = 1024 * 1024; // 1 MiB
const REPORT_TOTAL_BYTES = 2 * 1024 * 1024; // 2 MiB
/** Bytes of the raw mail handed to the parser at a time. */
const FEED_BYTES = 64 * 1024; // 64 KiB

/** What the parser leaves once the message has streamed through: attachment bytes are gone. */
interface StreamedMail {
  headers: Headers;
  headerLines: HeaderLines;
  text: string | undefined;
  html: string | undefined;
  attachments: StreamedAttachment[];
}

interface StreamedAttachment {
  meta: AttachmentStream;
  /** The first REPORT_PART_BYTES of a delivery-report part; null for every other attachment. */
  kept: Buffer | null;
  /** The whole decoded content, for the attachments asked for by `extractAttachments` only. */
  content: Buffer | null;
}

/** One attachment's bytes, by its position among the mail's attachments (the order parseMail lists them). */
export interface ExtractedAttachment {
  index: number;
  filename: string | null;
  contentType: string;
  content: Buffer;
  sha256: string;
}

/**
 * The decoded bytes of the attachments at `indexes` (positions in ParsedMail.attachments), read
 * from the raw mail again: ingest keeps no attachment bytes, so a mail that forwards a client's
 * files rebuilds them from raw_mail when it is sent. Only the wanted parts are held.
 */
export async function extractAttachments(raw: Buffer, indexes: ReadonlySet<number>): Promise<ExtractedAttachment[]> {
  let mp: StreamedMail;
  try {
    mp = await streamParse(raw, indexes);
  } catch (err) {
    throw new SlagateError('PARSE_FAILED', `mail could not be parsed: ${(err as Error).message}`, { cause: err });
  }
  const out: ExtractedAttachment[] = [];
  mp.attachments.forEach((a, index) => {
    if (!a.content) return;
    const meta = attachmentMeta(a.meta);
    out.push({ index, filename: meta.filename, contentType: meta.contentType, content: a.content, sha256: meta.sha256 });
  });
  return out;
}

export async function parseMail(raw: Buffer, limits: ParseLimits): Promise<ParsedMail> {
  let mp: StreamedMail;
  try {
    mp = await streamParse(raw);
  } catch (err) {
    throw new SlagateError('PARSE_FAILED', `mail could not be parsed: ${(err as Error).message}`, { cause: err });
  }
  const warnings: string[] = [];
  const relabelled = await mislabelledTurkish(raw, mp);
  if (relabelled) {
    mp = { ...mp, text: relabelled.text, html: relabelled.html };
    warnings.push('body labelled UTF-8 is not UTF-8: decoded as windows-1254 (Turkish)');
  } else {
    const latin = latin1Turkish(mp.text, mp.html);
    if (latin) {
      mp = { ...mp, text: latin.text, html: latin.html };
      warnings.push('body labelled Latin-1 is windows-1254: read as Turkish');
    }
  }
  const bodyWasTurkish = warnings.length > 0;
  const headers = collectHeaders(mp.headerLines);
  const text = cleanText(mp.text ?? (mp.html ? htmlToPlain(mp.html) : ''), limits.maxTextChars, warnings, 'text');
  const html = mp.html ? sanitize(cleanText(mp.html, limits.maxTextChars, warnings, 'html')) : null;
  const header = <T>(name: string) => mp.headers.get(name) as T | undefined;
  const subject = turkishSubject(raw, header<string>('subject') ?? '', bodyWasTurkish);
  if (subject.warning) warnings.push(subject.warning);
  // Read from the header line: mailparser puts the time of parsing in place of a Date it cannot read.
  const date = headers['date']?.[0] ? new Date(headers['date'][0]) : null;

  return {
    messageId: normaliseMessageId(header<string>('message-id')),
    inReplyTo: normaliseMessageId(firstId(header<string>('in-reply-to'))),
    references: referencesOf(header<string[] | string>('references')),
    from: addresses(header<AddressObject>('from')).slice(0, 10),
    to: addresses(header<AddressObject | AddressObject[]>('to')).slice(0, 200),
    cc: addresses(header<AddressObject | AddressObject[]>('cc')).slice(0, 200),
    replyTo: addresses(header<AddressObject>('reply-to')).slice(0, 10),
    subject: cleanLine(subject.value, 998),
    date: date instanceof Date && !Number.isNaN(date.getTime()) ? date : null,
    text,
    html,
    attachments: mp.attachments.map((a) => attachmentMeta(a.meta)),
    headers,
    contentType: contentTypeOf(mp.headers),
    returnPath: returnPathOf(headers),
    deliveryReport: deliveryReportOf(mp.attachments),
    feedbackReport: feedbackReportOf(mp.attachments),
    dispositionNotification: dispositionNotificationOf(mp.attachments),
    returnedMessageIds: returnedMessageIdsOf(mp.attachments),
    warnings,
  };
}

/**
 * mailparser's streaming parser, read the way its simpleParser reads it but without buffering
 * attachments: each is hashed (sha256) and counted as it streams, and only the small parts a
 * delivery report is read from are kept, bounded. simpleParser held every attachment whole, about
 * 80 MB extra for a 34 MB mail. The same options, so the same text, HTML and limits (EMAXLEN).
 */
function streamParse(raw: Buffer, wanted: ReadonlySet<number> = new Set()): Promise<StreamedMail> {
  return new Promise((resolve, reject) => {
    const parser = new MailParser({
      // cid: images stay links (never inlined as data URIs): that is simpleParser's updateImageLinks, not called here
      skipTextToHtml: true,
      skipImageLinks: true,
      keepDeliveryStatus: true, // the DSN part as an attachment, so we can read which of our mails bounced
      maxHtmlLengthToParse: 2_000_000, // characters: bigger HTML is kept raw but not converted to text
      checksumAlgo: 'sha256', // attachment hashes come from the stream, the bytes are never held
    });
    const attachments: StreamedAttachment[] = [];
    let text: MessageText | null = null;
    let reportBytes = 0;
    // mailparser can emit a non-fatal 'error' and still reach 'end': the first of them wins.
    let settled = false;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      parser.destroy();
      reject(err instanceof Error ? err : new Error(String(err)));
    };

    const take = (a: AttachmentStream, next: () => void) => {
      const keep = REPORT_PARTS.has(a.contentType);
      // Attachments are taken one at a time (the parser waits for each release): this is its position.
      const whole = wanted.has(attachments.length);
      const chunks: Buffer[] = [];
      const wholeChunks: Buffer[] = [];
      let kept = 0;
      a.content.on('data', (chunk: Buffer) => {
        if (whole) wholeChunks.push(chunk);
        const room = Math.min(REPORT_PART_BYTES - kept, REPORT_TOTAL_BYTES - reportBytes);
        if (!keep || room <= 0) return;
        const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
        chunks.push(part);
        kept += part.length;
        reportBytes += part.length;
      });
      a.content.once('error', fail);
      a.content.once('end', () => {
        attachments.push({ meta: a, kept: keep ? Buffer.concat(chunks, kept) : null, content: whole ? Buffer.concat(wholeChunks) : null });
        a.release?.();
        next();
      });
    };

    let reading = false;
    const read = () => {
      reading = true;
      for (;;) {
        if (settled) return;
        const data = parser.read();
        if (data === null) break;
        if (data.type === 'text') text = data;
        else if (data.type === 'attachment') return take(data, read); // the parser waits for its release
      }
      reading = false;
    };
    parser.on('readable', () => { if (!reading) read(); });
    parser.on('error', fail);
    parser.on('end', () => {
      if (settled) return;
      if (!parser.headers || !parser.headerLines) return fail(new Error('the message ended before its headers'));
      settled = true;
      const t = text;
      resolve({ headers: parser.headers, headerLines: parser.headerLines, text: t?.text, html: t?.html, attachments });
    });
    // Fed in slices, honouring the parser's backpressure: written whole, the splitter decodes the
    // entire message ahead of the reader and holds it (about 120 MB for a 34 MB mail).
    Readable.from(slices(raw, FEED_BYTES), { objectMode: false }).pipe(parser);
  });
}

/** What mailparser puts where bytes are not UTF-8. */
const REPLACEMENT = '\uFFFD';
const CONTENT_TYPE_UTF8 = /^(content-type:[^\r\n]*(?:\r?\n[ \t][^\r\n]*)*?charset\s*=\s*"?)(?:utf-?8|us-ascii)("?)/gim;
// A text part that names no charset (mailparser then reads UTF-8): it gets windows-1254 to try.
const CONTENT_TYPE_BARE = /^(content-type:[ \t]*text\/[\w.+-]+)([ \t]*(?:;(?![^\r\n]*charset)[^\r\n]*)?)$(?!\r?\n[ \t][^\r\n]*charset)/gim;
// UTF-8 Turkish read as windows-1254 (Ã¼ for ü, Ä± for ı, Å for ş): the part was UTF-8 after all.
const UTF8_AS_1254 = /Ã[\u0080-\u00ff]|Ä[\u0080-\u00ff±°]|Å[\u0080-\u00ff]/;
const TURKISH_ONLY = /[ığşİĞŞ]/;

/**
 * Old Outlook and Turkish webmail send windows-1254 bytes under a UTF-8 label: read as UTF-8 they
 * become "Etiket yaz�c�s�" in the ticket and in the acknowledgement quoting it. When the
 * text or HTML has replacement characters, the mail is read again with its UTF-8 labels read as
 * windows-1254, and that reading is taken only when it is whole (no replacement character), is
 * not UTF-8 Turkish misread (Ã¼), and has a letter only Turkish has. The raw bytes are not changed.
 */
async function mislabelledTurkish(raw: Buffer, mp: StreamedMail): Promise<{ text: string | undefined; html: string | undefined } | null> {
  const broken = (mp.text ?? '').includes(REPLACEMENT) || (mp.html ?? '').includes(REPLACEMENT);
  if (!broken) return null;
  // Headers only are relabelled: the bodies are binary-safe latin1 on both sides of the replace.
  const relabelled = Buffer.from(raw.toString('latin1').replace(CONTENT_TYPE_UTF8, '$1windows-1254$2')
    .replace(CONTENT_TYPE_BARE, '$1$2; charset=windows-1254'), 'latin1');
  if (relabelled.equals(raw)) return null;
  let again: StreamedMail;
  try {
    again = await streamParse(relabelled);
  } catch {
    return null;
  }
  const both = `${again.text ?? ''}\n${again.html ?? ''}`;
  if (both.includes(REPLACEMENT) || UTF8_AS_1254.test(both) || !TURKISH_ONLY.test(both)) return null;
  return { text: again.text, html: again.html };
}

// The six places where windows-1254 and ISO-8859-1/windows-1252 differ among letters: Turkish
// read as Latin-1 has ý for ı, þ for ş, ð for ğ (and Ý Þ Ð for İ Ş Ğ), everything else is the same.
const LATIN1_TO_1254: Record<string, string> = { 'ý': 'ı', 'þ': 'ş', 'ð': 'ğ', 'Ý': 'İ', 'Þ': 'Ş', 'Ð': 'Ğ' };
const LATIN1_TURKISH = /[ýþðÝÞÐ]/g;
// Icelandic and Faroese use ð, þ and ý too, and æ with them; Turkish never writes æ.
const NORDIC = /[æÆøØåÅ]/;

function turkishFromLatin1(value: string): string | null {
  const found = value.match(LATIN1_TURKISH)?.length ?? 0;
  if (found < 2 || NORDIC.test(value)) return null;
  return value.replace(LATIN1_TURKISH, (c) => LATIN1_TO_1254[c]!);
}

/**
 * Outlook labels windows-1254 as ISO-8859-1 (or windows-1252): every letter reads right but ı, ş,
 * ğ, İ, Ş, Ğ, which come out as ý, þ, ð, Ý, Þ, Ð. Two or more of those, and nothing Nordic, is
 * Turkish, mapped back letter for letter (the raw bytes are not changed).
 */
function latin1Turkish(text: string | undefined, html: string | undefined): { text: string | undefined; html: string | undefined } | null {
  const t = text === undefined ? undefined : turkishFromLatin1(text);
  const h = html === undefined ? undefined : turkishFromLatin1(html);
  if (!t && !h) return null;
  return { text: t ?? text, html: h ?? html };
}

/**
 * The subject, with the same two repairs: an encoded word in ISO-8859-1 holding windows-1254 (as
 * the body, or alone when it has two or more of the six letters), and a raw 8-bit header line that
 * is not UTF-8 (mailparser made it U+FFFD) read as windows-1254 when that is whole and Turkish.
 */
function turkishSubject(raw: Buffer, decoded: string, bodyWasTurkish: boolean): { value: string; warning?: string } {
  if (decoded.includes(REPLACEMENT)) {
    const crlf = raw.indexOf('\r\n\r\n');
    const lf = raw.indexOf('\n\n');
    const head = raw.subarray(0, crlf >= 0 ? crlf : lf >= 0 ? lf : raw.length);
    const line = /^subject:[ \t]*([^\r\n]*(?:\r?\n[ \t][^\r\n]*)*)/im.exec(head.toString('latin1'));
    if (!line || /=\?[^?]+\?[bq]\?/i.test(line[1]!)) return { value: decoded };
    const read = new TextDecoder('windows-1254').decode(Buffer.from(line[1]!.replace(/\r?\n[ \t]/g, ' '), 'latin1'));
    if (read.includes(REPLACEMENT) || !TURKISH_ONLY.test(read)) return { value: decoded };
    return { value: read, warning: 'subject is 8-bit windows-1254: read as Turkish' };
  }
  const mapped = decoded.match(LATIN1_TURKISH) && (bodyWasTurkish ? decoded.replace(LATIN1_TURKISH, (c) => LATIN1_TO_1254[c]!) : turkishFromLatin1(decoded));
  return mapped ? { value: mapped, warning: 'subject labelled Latin-1 is windows-1254: read as Turkish' } : { value: decoded };
}

function* slices(raw: Buffer, size: number): Generator<Buffer> {
  for (let at = 0; at < raw.length; at += size) yield raw.subarray(at, at + size);
}

function firstId(value: string | undefined): string | undefined {
  return value?.match(/<[^<>]+>/)?.[0] ?? value;
}

export function normaliseMessageId(value: string | undefined | null): string | null {
  if (!value) return null;
  let id = cleanLine(value, 998).trim();
  if (!id.startsWith('<')) id = `<${id}>`;
  return MESSAGE_ID.test(id) ? id : null;
}

function referencesOf(value: string[] | string | undefined): string[] {
  const list = Array.isArray(value) ? value : value ? value.split(/\s+/) : [];
  return list.map((v) => normaliseMessageId(v)).filter((v): v is string => v !== null).slice(-100);
}

function addresses(value: AddressObject | AddressObject[] | undefined): MailAddress[] {
  const objects = Array.isArray(value) ? value : value ? [value] : [];
  const out: MailAddress[] = [];
  const walk = (list: { name?: string; address?: string; group?: unknown[] }[]) => {
    for (const a of list) {
      if (Array.isArray(a.group)) walk(a.group as typeof list);
      else if (a.address && a.address.includes('@')) {
        out.push({ name: cleanLine(a.name ?? '', 200), address: asciiLower(cleanLine(a.address, 320)) });
      }
    }
  };
  for (const o of objects) walk(o.value);
  return out;
}

/** Addresses compare with ASCII-only lowercasing: locale rules would turn I into ı (docs/PITFALLS.md). */
function asciiLower(s: string): string {
  return s.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
}

function collectHeaders(headerLines: HeaderLines): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const line of headerLines) {
    const idx = line.line.indexOf(':');
    const value = idx >= 0 ? line.line.slice(idx + 1) : '';
    (out[line.key] ??= []).push(cleanLine(value.replace(/\r?\n[ \t]+/g, ' '), 4000).trim());
  }
  return out;
}

function contentTypeOf(headers: Headers): string {
  const ct = headers.get('content-type') as { value?: string; params?: Record<string, string> } | undefined;
  if (!ct?.value) return 'text/plain';
  const params = Object.entries(ct.params ?? {})
    .filter(([k]) => k !== 'boundary' && k !== 'charset')
    .map(([k, v]) => `; ${k.toLowerCase()}=${String(v).toLowerCase()}`);
  return `${ct.value.toLowerCase()}${params.join('')}`;
}

function returnPathOf(headers: Record<string, string[]>): string | null {
  const value = headers['return-path']?.[0];
  if (value === undefined) return null;
  const inner = value.match(/<([^>]*)>/)?.[1] ?? value;
  return asciiLower(inner.trim());
}

/** Read once the content has ended, when mailparser has set its size and (sha256) checksum. */
function attachmentMeta(a: AttachmentStream): ParsedAttachment {
  return {
    filename: a.filename ? cleanLine(a.filename, 255) : null,
    contentType: cleanLine(a.contentType, 255) || 'application/octet-stream',
    size: a.size ?? 0,
    sha256: a.checksum ?? '',
    contentId: a.contentId ? cleanLine(a.contentId, 255) : null,
    inline: a.contentDisposition === 'inline' || Boolean(a.related),
  };
}

function deliveryReportOf(attachments: StreamedAttachment[]): DeliveryReport | null {
  // Some MTAs send several delivery-status parts (one of them prose): read them all.
  const parts = attachments.filter((a) => a.meta.contentType === 'message/delivery-status');
  if (parts.length === 0) return null;
  const text = parts.map((p) => p.kept?.toString('utf8') ?? '').join('\n\n');
  const recipients: DeliveryReport['recipients'] = [];
  // RFC 3464: per-message fields, then one block of per-recipient fields each, blank-line separated.
  for (const block of recipientBlocks(text)) {
    // The final recipient is the one that failed; when it is no mail address (a pipe, a mailbox
    // file, an LMTP source route), the original recipient is the address the sender used.
    const candidates = [reportField(block, 'Final-Recipient'), reportField(block, 'Original-Recipient')]
      .filter((v): v is string => v !== null)
      .map((v) => asciiLower(v.replace(/^[^;]*;\s*/, '').replace(/[<>]/g, '').trim()));
    if (candidates.length === 0) continue;
    recipients.push({
      address: candidates.find((c) => MAIL_ADDRESS.test(c)) ?? candidates[0]!,
      status: reportField(block, 'Status'),
      action: reportField(block, 'Action')?.toLowerCase() ?? null,
      diagnostic: reportField(block, 'Diagnostic-Code'),
    });
  }
  return { originalMessageId: returnedMessageIdsOf(attachments)[0] ?? null, recipients };
}

/**
 * RFC 3464 separates per-recipient blocks with blank lines; some MTAs (seen: AOL) run them
 * together, so a block naming several Final-Recipients is cut before each one after the first.
 */
function recipientBlocks(text: string): string[] {
  return text.split(/\r?\n\s*\r?\n/).flatMap((block) => {
    const starts = [...block.matchAll(/^Final-Recipient:/gim)].map((m) => m.index);
    if (starts.length < 2) return [block];
    return starts.map((at, i) => block.slice(i === 0 ? 0 : at, starts[i + 1] ?? block.length));
  });
}

/** One field of a report block (RFC 3464/5965/8098 share RFC 822 field syntax), unfolded. */
function reportField(block: string, name: string): string | null {
  return block.match(new RegExp(`^${name}:\\s*(.+(?:\\r?\\n[ \\t].*)*)`, 'im'))?.[1]?.replace(/\s+/g, ' ').trim() ?? null;
}

function reportFields(block: string, name: string): string[] {
  return [...block.matchAll(new RegExp(`^${name}:\\s*(.+)`, 'gim'))].map((m) => m[1]!.trim());
}

function partText(attachments: StreamedAttachment[], contentType: string): string | null {
  const parts = attachments.filter((a) => a.meta.contentType === contentType);
  return parts.length === 0 ? null : parts.map((p) => p.kept?.toString('utf8') ?? '').join('\n\n');
}

function feedbackReportOf(attachments: StreamedAttachment[]): FeedbackReport | null {
  const text = partText(attachments, 'message/feedback-report');
  if (text === null) return null;
  const address = (v: string) => asciiLower(cleanLine(v.replace(/^[^;]*;\s*/, '').replace(/[<>]/g, '').trim(), 320));
  return {
    feedbackType: reportField(text, 'Feedback-Type')?.toLowerCase() ?? null,
    originalRcptTo: reportFields(text, 'Original-Rcpt-To').map(address).filter((a) => a.includes('@')),
    originalMailFrom: (() => { const v = reportField(text, 'Original-Mail-From'); return v === null ? null : address(v); })(),
  };
}

function dispositionNotificationOf(attachments: StreamedAttachment[]): DispositionNotification | null {
  const text = partText(attachments, 'message/disposition-notification');
  if (text === null) return null;
  return {
    disposition: reportField(text, 'Disposition')?.toLowerCase() ?? null,
    originalMessageId: normaliseMessageId(reportField(text, 'Original-Message-ID')),
  };
}

function returnedMessageIdsOf(attachments: StreamedAttachment[]): string[] {
  const ids: string[] = [];
  for (const a of attachments) {
    if (a.meta.contentType !== 'message/rfc822' && a.meta.contentType !== 'text/rfc822-headers') continue;
    // Only the returned mail's own header block: a Message-ID deeper down belongs to its body.
    const head = (a.kept?.toString('utf8') ?? '').split(/\r?\n\r?\n/)[0] ?? '';
    const id = normaliseMessageId(head.match(/^Message-ID:\s*(<[^>\r\n]+>)/im)?.[1]);
    if (id !== null) ids.push(id);
  }
  return ids;
}

/** Sanitised for display: no scripts, no remote images (tracking), only cid: and data: sources. */
function sanitize(html: string): string {
  return sanitizeHtml(html, {
    allowedTags: sanitizeHtml.defaults.allowedTags.concat(['img']),
    allowedAttributes: { ...sanitizeHtml.defaults.allowedAttributes, img: ['src', 'alt', 'width', 'height'] },
    allowedSchemesByTag: { img: ['cid', 'data'] },
  });
}

function htmlToPlain(html: string): string {
  return sanitizeHtml(html, { allowedTags: [], allowedAttributes: {} }).replace(/\n{3,}/g, '\n\n');
}
