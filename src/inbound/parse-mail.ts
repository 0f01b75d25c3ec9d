import { createHash } from 'node:crypto';
import { simpleParser, type AddressObject, type Attachment, type ParsedMail as MpMail } from 'mailparser';
import sanitizeHtml from 'sanitize-html';
import { SlagateError } from '../errors.js';
import type { DeliveryReport, MailAddress, ParsedAttachment, ParsedMail } from './parsed-mail.js';
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

export async function parseMail(raw: Buffer, limits: ParseLimits): Promise<ParsedMail> {
  let mp: MpMail;
  try {
    mp = await simpleParser(raw, {
      keepCidLinks: true, // do not inline cid: images as data URIs (memory, and HTML we sanitise anyway)
      skipTextToHtml: true,
      skipImageLinks: true,
      keepDeliveryStatus: true, // the DSN part as an attachment, so we can read which of our mails bounced
      maxHtmlLengthToParse: 2_000_000, // characters: bigger HTML is kept raw but not converted to text
    });
  } catch (err) {
    throw new SlagateError('PARSE_FAILED', `mail could not be parsed: ${(err as Error).message}`, { cause: err });
  }
  const warnings: string[] = [];
  const headers = collectHeaders(mp);
  const text = cleanText(mp.text ?? (mp.html ? htmlToPlain(mp.html) : ''), limits.maxTextChars, warnings, 'text');
  const html = mp.html ? sanitize(cleanText(mp.html, limits.maxTextChars, warnings, 'html')) : null;

  return {
    messageId: normaliseMessageId(mp.messageId),
    inReplyTo: normaliseMessageId(firstId(mp.inReplyTo)),
    references: referencesOf(mp.references),
    from: addresses(mp.from).slice(0, 10),
    to: addresses(mp.to).slice(0, 200),
    cc: addresses(mp.cc).slice(0, 200),
    replyTo: addresses(mp.replyTo).slice(0, 10),
    subject: cleanLine(mp.subject ?? '', 998),
    date: mp.date && !Number.isNaN(mp.date.getTime()) ? mp.date : null,
    text,
    html,
    attachments: mp.attachments.map(attachmentMeta),
    headers,
    contentType: contentTypeOf(mp),
    returnPath: returnPathOf(headers),
    deliveryReport: deliveryReportOf(mp),
    warnings,
  };
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
  for (const o of objects) walk(o.value as never);
  return out;
}

/** Addresses compare with ASCII-only lowercasing: locale rules would turn I into ı (PITFALLS.md). */
function asciiLower(s: string): string {
  return s.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
}

function collectHeaders(mp: MpMail): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const line of mp.headerLines) {
    const idx = line.line.indexOf(':');
    const value = idx >= 0 ? line.line.slice(idx + 1) : '';
    (out[line.key] ??= []).push(cleanLine(value.replace(/\r?\n[ \t]+/g, ' '), 4000).trim());
  }
  return out;
}

function contentTypeOf(mp: MpMail): string {
  const ct = mp.headers.get('content-type') as { value?: string; params?: Record<string, string> } | undefined;
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

function attachmentMeta(a: Attachment): ParsedAttachment {
  return {
    filename: a.filename ? cleanLine(a.filename, 255) : null,
    contentType: cleanLine(a.contentType, 255) || 'application/octet-stream',
    size: a.size ?? a.content.length,
    sha256: createHash('sha256').update(a.content).digest('hex'),
    contentId: a.contentId ? cleanLine(a.contentId, 255) : null,
    inline: a.contentDisposition === 'inline' || Boolean(a.related),
  };
}

function deliveryReportOf(mp: MpMail): DeliveryReport | null {
  // Some MTAs send several delivery-status parts (one of them prose): read them all.
  const parts = mp.attachments.filter((a) => a.contentType === 'message/delivery-status');
  if (parts.length === 0) return null;
  const text = parts.map((p) => p.content.toString('utf8')).join('\n\n');
  const recipients: DeliveryReport['recipients'] = [];
  // RFC 3464: per-message fields, then one block of per-recipient fields each, blank-line separated.
  for (const block of text.split(/\r?\n\s*\r?\n/)) {
    const field = (name: string) => block.match(new RegExp(`^${name}:\\s*(.+(?:\\r?\\n[ \\t].*)*)`, 'im'))?.[1]?.replace(/\s+/g, ' ').trim() ?? null;
    const recipient = field('Final-Recipient') ?? field('Original-Recipient');
    if (!recipient) continue;
    recipients.push({
      address: asciiLower(recipient.replace(/^[^;]*;\s*/, '').replace(/[<>]/g, '').trim()),
      status: field('Status'),
      action: field('Action')?.toLowerCase() ?? null,
      diagnostic: field('Diagnostic-Code'),
    });
  }
  const returned = mp.attachments.find((a) => a.contentType === 'message/rfc822' || a.contentType === 'text/rfc822-headers');
  const idMatch = returned?.content.toString('utf8').match(/^Message-ID:\s*(<[^>\r\n]+>)/im);
  return { originalMessageId: normaliseMessageId(idMatch?.[1]), recipients };
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
