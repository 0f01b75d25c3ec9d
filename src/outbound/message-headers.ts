import type { MailAddress } from './outbound-mail.js';

/** RFC 5322 recommends 78 characters a line; folded values may be longer, but not unbounded. */
const MAX_HEADER_VALUE = 998;
const MAX_MESSAGE_ID = 250;
/** References grow with every reply; the oldest ids matter least to threading clients. */
const MAX_REFERENCES = 20;

/**
 * Makes a value from inbound mail safe for one of our header lines: CR/LF (header injection) and
 * other control characters become spaces, runs of whitespace collapse, and the length is bounded.
 */
export function safeHeaderValue(value: string, maxLength = MAX_HEADER_VALUE): string {
  // eslint-disable-next-line no-control-regex -- controls are what this removes (header injection)
  const cleaned = value.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim();
  if (cleaned.length <= maxLength) return cleaned;
  return cleaned.slice(0, maxLength).trimEnd();
}

const MESSAGE_ID = /^<[^<>\s@]+@[^<>\s@]+>$/;

/** `<local@domain>` without spaces, controls or nested brackets, and of a sane length. */
export function isValidMessageId(value: string | null | undefined): value is string {
  if (!value || value.length > MAX_MESSAGE_ID) return false;
  // eslint-disable-next-line no-control-regex -- a control in a Message-ID is what this refuses
  return MESSAGE_ID.test(value) && !/[\u0000-\u001f\u007f]/.test(value);
}

/**
 * The References of a reply: the parent's references plus the parent itself, invalid ids dropped,
 * duplicates removed (first occurrence kept) and only the last MAX_REFERENCES kept.
 */
export function buildReferences(inReplyTo: string | null, references: readonly string[]): string[] {
  const ids = [...references, ...(inReplyTo ? [inReplyTo] : [])].filter(isValidMessageId);
  const unique = [...new Set(ids)];
  return unique.slice(-MAX_REFERENCES);
}

/** A Message-ID in our own domain, so loop detection can recognise our mail when it comes back. */
export function makeMessageId(domain: string, kind: string, random: string): string {
  const local = `${kind}.${random}`.replace(/[^A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]/g, '');
  return `<${local}@${domain}>`;
}

/** `[#SR-1042]`: the thread token that routes a reply to its ticket. */
export function ticketToken(ticketNumber: string): string {
  return `[#${ticketNumber}]`;
}

/**
 * The subject with the ticket token in front, exactly once: a reply to our own mail already
 * carries it (perhaps after `Re:`), and stacking tokens would grow the subject on every turn.
 */
export function subjectWithToken(subject: string, ticketNumber: string): string {
  const token = ticketToken(ticketNumber);
  const clean = safeHeaderValue(subject, 400);
  // Most subjects carry no token at all: a ticket number's pattern is new each time, so building
  // and compiling it for them (about 30 µs) is skipped when there is no "[#" to find.
  const escaped = token.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const stripped = clean.includes('[#') ? clean.replace(new RegExp(`\\s*${escaped}\\s*`, 'gi'), ' ') : clean;
  const withoutToken = safeHeaderValue(stripped);
  return withoutToken ? `${token} ${withoutToken}` : token;
}

/** A display name safe for a header, and an address lowercased the ASCII way (never by locale). */
export function safeAddress(name: string | null | undefined, address: string): MailAddress {
  return {
    // The brackets and quotes go first, so the name is trimmed and its spaces collapsed after them.
    name: safeHeaderValue((name ?? '').replace(/[<>"]/g, ''), 200),
    address: safeHeaderValue(address, 320).replace(/[A-Z]/g, (c) => c.toLowerCase()),
  };
}
