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

// Headings after which each failed address opens a block (indented or bare), one per family of
// wording; the address may stand alone on its line or be followed by a date or an explanation.
const RECIPIENT_LINE_AFTER = [
  /following address(?:es|\(es\))? failed:?/i, // Exim
  /delivery to the following recipients? (?:failed|has been delayed)[^\n]*/i, // Gmail
  /did not reach the following recipients?(?:\(s\))?:?/i, // Exchange 2003
  /could not be delivered to (?:the following|one or more)[^\n]*/i,
  /wasn't able to deliver your message to the following addresses\.?/i, // qmail
  /following addresses had (?:permanent fatal )?errors[ -]*/i, // sendmail
];

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

  // qmail: each failed address opens its block as `<address>:` alone at the start of a line.
  for (const m of text.matchAll(new RegExp(String.raw`^<(${ADDRESS})>:[ \t]*$`, 'gm'))) add(m[1]!, m.index);
  // sendmail transcripts: `550 <address>... User unknown`.
  for (const m of text.matchAll(new RegExp(String.raw`^[ \t]*5\d\d[ -]<?(${ADDRESS})>?\.\.\.`, 'gm'))) add(m[1]!, m.index);
  // Headed lists: the addresses on the lines right after the heading, up to the first blank-line
  // gap that follows an address.
  for (const heading of RECIPIENT_LINE_AFTER) {
    const h = heading.exec(text);
    if (!h) continue;
    const after = text.slice(h.index + h[0].length);
    let offset = h.index + h[0].length;
    for (const line of after.split('\n').slice(0, 40)) {
      const m = new RegExp(String.raw`^[ \t]*<?(${ADDRESS})>?(?:[ \t]+(?:on|<|\().*|[ \t]*:?)?[ \t]*\r?$`).exec(line);
      if (m) add(m[1]!, offset);
      offset += line.length + 1;
    }
  }
  // `Could not be delivered to: <address>` on one line.
  for (const m of text.matchAll(new RegExp(String.raw`(?:could ?n[o']t be delivered|delivery (?:has )?failed|undeliverable) to:?[ \t]*<?(${ADDRESS})>?`, 'gi'))) add(m[1]!, m.index);
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
