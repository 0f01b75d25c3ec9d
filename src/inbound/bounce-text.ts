/**
 * Reading a delivery failure written as prose (qmail, Exim, Gmail, Exchange 2003, sendmail and
 * the many servers that send no RFC 3464 part): which recipients failed, with which status, and
 * whether for good. Pure; only ever called on mail already known to come from a mail system
 * (a person quoting a bounce in their own words is never read as one).
 */

export interface FailedRecipient {
  /** ASCII-lowercased address. */
  address: string;
  /** RFC 3463 enhanced status code (`5.1.1`) when the report gives one, else the SMTP reply code (`550`), else null. */
  status: string | null;
  /** A class 5 status or reply code, or the report says so in words; a 4.x.x failure is never permanent. */
  permanent: boolean;
}

// Where the returned copy of the mail starts: nothing below it is the report's own text.
const RETURNED_COPY = [
  /^-+ ?this is a copy of the message/im, // Exim
  /^--- below this line is a copy of the message/im, // qmail
  /^-+ ?original message ?-+/im, // Gmail
  /^ *-+ ?(unsent|returned) message follows ?-+/im, // sendmail
  /^-+ ?original message follows ?-+/im,
  /^-+ ?the header of the original message/im,
];

const ADDRESS = String.raw`[^\s<>()"',;:@]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}`;
const ENHANCED = /\b([245])\.(\d{1,3})\.(\d{1,3})\b/;
const REPLY_CODE = /(?<![\d.#-])([45]\d\d)(?=[ -]|$)(?![\d.])/m;

// A line that is nothing but a failed address, as every family writes its list: bare or indented
// (Exim, Gmail), `<address>:` (qmail), `"address":` (GMX), `address on <date>` (Exchange),
// `address [reason]`, `* address`, `>>> address <address>`, `Recipient: <address>`.
const ADDRESS_LINE = new RegExp(
  String.raw`^[ \t]*(?:[*>]+[ \t]*)?(?:recipient:[ \t]*)?["<]?(${ADDRESS})[">]?(?:[ \t]*:|[ \t]+\[.*\]|[ \t]+<[^<>\s]+>|[ \t]+on[ \t].*|[ \t]+\(.*\))?[ \t]*\r?$`,
  'i',
);
// The line before an address that is the sender's, not a failed recipient ("A message sent by").
const SENDER_LEAD = /(?:sent by|\bfrom|sender|reply-to)[ \t]*:?[ \t]*\r?$/i;

/** The report's own text: what precedes the copy of the returned mail. */
export function reportPart(text: string): string {
  let end = text.length;
  for (const p of RETURNED_COPY) {
    const m = p.exec(text);
    if (m && m.index < end) end = m.index;
  }
  return text.slice(0, end);
}

/** The status codes a prose report gives, first the enhanced one, for the signals. */
export function statusCodesIn(text: string): string[] {
  const codes = new Set<string>();
  for (const m of text.matchAll(new RegExp(ENHANCED.source, 'g'))) codes.add(m[0]);
  for (const m of text.matchAll(new RegExp(REPLY_CODE.source, 'gm'))) codes.add(m[1]!);
  return [...codes];
}

/** The failed recipients a prose report names, each with the status given in its own block. */
export function failedRecipientsInText(fullText: string, ownAddresses: ReadonlySet<string>): FailedRecipient[] {
  const text = reportPart(fullText);
  const permanentWords = /permanent (?:error|failure)|failed permanently|given up|user unknown|does not exist|no such user/i.test(text);
  const temporaryWords = /temporary (?:error|failure)|will (?:continue|keep) trying|still trying|delayed/i.test(text);
  const found: { address: string; at: number }[] = [];
  const add = (address: string, at: number) => {
    const a = address.replace(/[A-Z]+/g, (s) => s.toLowerCase());
    if (ownAddresses.has(a) || found.some((f) => f.address === a)) return;
    found.push({ address: a, at });
  };

  // RFC 3464 fields written into the text (a report whose MIME structure broke, or an MTA that
  // prints them inline): per-recipient blocks, blank-line separated.
  const inline: FailedRecipient[] = [];
  for (const block of text.split(/\r?\n[ \t]*\r?\n/)) {
    const rcpt = new RegExp(String.raw`^(?:Final|Original)-Recipient:[ \t]*[^;\n]*;[ \t]*<?(${ADDRESS})>?`, 'im').exec(block);
    if (!rcpt) continue;
    const action = /^Action:[ \t]*(\S+)/im.exec(block)?.[1]?.toLowerCase();
    if (action !== undefined && action !== 'failed') continue;
    const status = new RegExp(String.raw`^Status:[ \t]*(${ENHANCED.source})`, 'im').exec(block)?.[1] ?? null;
    const address = rcpt[1]!.replace(/[A-Z]+/g, (c) => c.toLowerCase());
    if (!ownAddresses.has(address)) inline.push({ address, status, permanent: status?.startsWith('5') ?? false });
  }
  if (inline.length > 0) return inline;

  // Address lines, each opening its own block (the explanation follows it).
  const lines = text.split('\n');
  let offset = 0;
  let previous = '';
  for (const line of lines) {
    const m = ADDRESS_LINE.exec(line);
    if (m && !SENDER_LEAD.test(previous)) add(m[1]!, offset);
    if (line.trim() !== '') previous = line;
    offset += line.length + 1;
  }
  // sendmail transcripts: `550 <address>... User unknown`.
  for (const m of text.matchAll(new RegExp(String.raw`^[ \t]*5\d\d[ -]<?(${ADDRESS})>?\.\.\.`, 'gm'))) add(m[1]!, m.index);
  // `Could not be delivered to: <address>` on one line.
  for (const m of text.matchAll(new RegExp(String.raw`(?:could ?n[o']t be delivered|unable to deliver(?: message)?|delivery (?:has )?failed|undeliverable) to:?[ \t]*<?(${ADDRESS})>?`, 'gi'))) add(m[1]!, m.index);
  // Last resort, a transcript naming the refused recipient: `RCPT TO:<address>` or `RCPT TO: address`.
  if (found.length === 0) {
    for (const m of text.matchAll(new RegExp(String.raw`RCPT TO:[ \t]*<?(${ADDRESS})>?`, 'gi'))) add(m[1]!, m.index);
  }

  found.sort((a, b) => a.at - b.at);
  return found.map((f, i) => {
    // Each address's own block runs to the next address; its status is the first code in it.
    const block = text.slice(f.at, found[i + 1]?.at ?? text.length);
    const enhanced = ENHANCED.exec(block);
    const reply = REPLY_CODE.exec(block);
    const status = enhanced?.[0] ?? reply?.[1] ?? null;
    const permanent = status !== null ? status.startsWith('5') : permanentWords && !temporaryWords;
    return { address: f.address, status, permanent };
  });
}
