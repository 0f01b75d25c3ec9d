import { caseFold } from './case-fold.js';

/** A reply split into what was newly written and what it carried along. */
export interface ExtractedText {
  /** The text newly written, without quoted history or signature, blank lines trimmed at the ends. */
  body: string;
  /** The quoted history removed from it (attribution, `>` lines, Outlook header block onward). */
  quoted: string;
  /** The signature removed from the new text (after a `-- ` line, or a lone "Sent from my …"). */
  signature: string;
}

// Attribution lines carry a date or an address; requiring a digit keeps a sentence such as
// "On the form the system wrote:" in the body. Matched on folded text, so "yazdı" is "yazdi".
const ATTRIBUTIONS: RegExp[] = [
  /^on\b.*\bwrote:$/, // English: Gmail, Apple Mail, Thunderbird
  /\btarihinde\b.*\byazdi:$/, // Turkish Gmail: "Ayşe <a@b>, 5 Oca 2026 Pzt, 10:00 tarihinde şunu yazdı:"
  /^am\b.*\bschrieb\b.*:$/, // German: "Am 05.01.2026 um 10:00 schrieb Name <x>:"
  /^le\b.*\ba ecrit ?:$/, // French: "Le 5 janv. 2026 à 10:00, Name <x> a écrit :"
];
// How many lines an attribution may be wrapped over (Gmail wraps long ones).
const ATTRIBUTION_SPAN = 3;

// Outlook's separator, matched on the words between the dashes once folded.
const ORIGINAL_MESSAGE = /^\s*-{2,}\s*([^-].*?)\s*-{2,}\s*$/;
const ORIGINAL_MESSAGE_WORDS = new Set([
  'original message', 'ursprungliche nachricht', 'ozgun ileti', 'orijinal ileti', "message d'origine",
]);
const OUTLOOK_RULE = /^_{10,}$/;
const HEADER_FROM = /^\*?(from|von|kimden|de|gonderen):\*? /;
const HEADER_NEXT = /^\*?(sent|date|gesendet|datum|gonderildi|tarih|envoye|to|kime|an|a|subject|konu|betreff|objet):\*?/;
const HEADER_ONE_LINE = /^\*?(from|kimden):\*? .*\b(sent|gonderildi|date|tarih):\*? /;

const SIGNATURE_DELIMITER = /^-- ?$/;
const MOBILE_SIGNATURE = /^(sent from my \S+|get outlook for \S+|iphone['’]umdan gonderildi|von meinem \S+ gesendet)/;

/**
 * Separates what an agent or client newly wrote from the history their mail client quoted and
 * from their signature. Conservative: a line is only taken away when it clearly belongs to a
 * known quoting shape; anything unsure stays in the body.
 */
export function extractNewText(text: string): ExtractedText {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const folded = lines.map((l) => caseFold(l));
  const cut = historyStart(lines, folded);

  const kept: string[] = [];
  const quoted: string[] = [];
  for (let i = 0; i < cut; i++) {
    const line = lines[i] ?? '';
    if (/^\s*>/.test(line)) quoted.push(line);
    else kept.push(line);
  }
  quoted.push(...lines.slice(cut));

  const { body, signature } = splitSignature(kept);
  return { body: trimBlankLines(body).join('\n'), quoted: trimBlankLines(quoted).join('\n'), signature: trimBlankLines(signature).join('\n') };
}

/** Index of the first line of quoted history (attribution or forwarded header block), or lines.length. */
function historyStart(lines: string[], folded: string[]): number {
  for (let i = 0; i < lines.length; i++) {
    if ((folded[i] ?? '') === '') continue;
    if (isOriginalMessageRule(lines[i] ?? '')) return i;
    if (isHeaderBlock(folded, i)) return precededByRule(lines, i);
    const attribution = attributionEndingAt(folded, i);
    if (attribution !== null) return attribution;
  }
  return lines.length;
}

function isOriginalMessageRule(line: string): boolean {
  const m = ORIGINAL_MESSAGE.exec(line);
  return m !== null && ORIGINAL_MESSAGE_WORDS.has(caseFold(m[1] ?? ''));
}

/** The first line of an attribution that ends on line `end` (wrapped over a few lines), or null. */
function attributionEndingAt(folded: string[], end: number): number | null {
  if (!/:$/.test(folded[end] ?? '')) return null;
  let joined = '';
  // The shortest span wins, so a body line just above an attribution stays in the body.
  for (let start = end; start > end - ATTRIBUTION_SPAN && start >= 0; start--) {
    const line = folded[start] ?? '';
    if (line === '') return null;
    joined = joined === '' ? line : `${line} ${joined}`;
    if (/\d/.test(joined) && ATTRIBUTIONS.some((p) => p.test(joined))) return start;
  }
  return null;
}

function isHeaderBlock(folded: string[], i: number): boolean {
  const f = folded[i] ?? '';
  if (HEADER_ONE_LINE.test(f)) return true;
  if (!HEADER_FROM.test(f)) return false;
  let fields = 0;
  for (let j = i + 1; j < Math.min(folded.length, i + 6); j++) {
    const next = folded[j] ?? '';
    if (next === '') continue;
    if (!HEADER_NEXT.test(next)) break;
    fields++;
  }
  // From plus at least two of Sent/To/Subject: a body line starting "From: accounting" is not one.
  return fields >= 2;
}

function precededByRule(lines: string[], i: number): number {
  for (let j = i - 1; j >= 0; j--) {
    const line = (lines[j] ?? '').trim();
    if (line === '') continue;
    return OUTLOOK_RULE.test(line) ? j : i;
  }
  return i;
}

function splitSignature(lines: string[]): { body: string[]; signature: string[] } {
  const delimiter = lines.findIndex((l) => SIGNATURE_DELIMITER.test(l));
  if (delimiter >= 0) return { body: lines.slice(0, delimiter), signature: lines.slice(delimiter + 1) };
  const trimmed = trimBlankLines(lines);
  const last = trimmed[trimmed.length - 1];
  if (last !== undefined && trimmed.length > 1 && MOBILE_SIGNATURE.test(caseFold(last))) {
    return { body: trimmed.slice(0, -1), signature: [last] };
  }
  return { body: lines, signature: [] };
}

function trimBlankLines(lines: string[]): string[] {
  let start = 0;
  let end = lines.length;
  while (start < end && (lines[start] ?? '').trim() === '') start++;
  while (end > start && (lines[end - 1] ?? '').trim() === '') end--;
  return lines.slice(start, end).map((l) => l.replace(/\s+$/, ''));
}
