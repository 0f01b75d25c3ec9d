import type { MailAddress, ParsedMail } from '../../src/inbound/parsed-mail.js';

let counter = 0;

/** Header values as a test writes them: one string or several; names in any case. */
export type HeaderInput = Record<string, string | string[]>;

export interface ParsedMailOverrides extends Partial<Omit<ParsedMail, 'headers' | 'from'>> {
  /** A plain address, `Name <address>`, or MailAddress objects. */
  from?: string | MailAddress[];
  headers?: HeaderInput;
}

/**
 * A ParsedMail as the parser would give for an ordinary client mail to support: plain text, one
 * sender, a unique Message-ID, a normal return path, no list or auto-reply headers.
 */
export function parsedMail(overrides: ParsedMailOverrides = {}): ParsedMail {
  const n = ++counter;
  const { from, headers, ...rest } = overrides;
  return {
    messageId: `<client-${n}@client.example>`,
    inReplyTo: null,
    references: [],
    from: from === undefined ? [{ name: 'Deniz Client', address: 'deniz@client.example' }] : addresses(from),
    to: [{ name: 'Support', address: 'support@sanarise.example' }],
    cc: [],
    replyTo: [],
    subject: 'Invoice page shows an error',
    date: new Date('2026-03-02T09:15:00Z'),
    text: 'Hello,\nthe invoice page shows an error.\nThanks',
    html: null,
    attachments: [],
    headers: lowerHeaders(headers ?? {}),
    contentType: 'text/plain; charset=utf-8',
    returnPath: 'deniz@client.example',
    deliveryReport: null,
    feedbackReport: null,
    dispositionNotification: null,
    returnedMessageIds: [],
    warnings: [],
    ...rest,
  };
}

function addresses(from: string | MailAddress[]): MailAddress[] {
  if (typeof from !== 'string') return from;
  const m = /^\s*(.*?)\s*<([^>]*)>\s*$/.exec(from);
  const name = m ? (m[1] ?? '').replace(/^"|"$/g, '') : '';
  const address = (m ? m[2] ?? '' : from).trim().replace(/[A-Z]+/g, (s) => s.toLowerCase());
  return [{ name, address }];
}

function lowerHeaders(input: HeaderInput): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(input)) {
    const key = name.toLowerCase();
    out[key] = [...(out[key] ?? []), ...(Array.isArray(value) ? value : [value])];
  }
  return out;
}
