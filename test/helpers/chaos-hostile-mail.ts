import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { CORPUS_DIR } from './real-world-corpus.js';

/**
 * Hostile mail for the fault-injection suite: the real-world corpus mutated the ways broken
 * clients, relays and attackers mutate mail, plus hand-made monsters (deep MIME, huge headers,
 * NUL bytes, header injection through encoded words). Every value is a Buffer of raw bytes.
 */

export function loadCorpus(dir = CORPUS_DIR): { name: string; raw: Buffer }[] {
  return readdirSync(dir).filter((f) => f.endsWith('.eml')).sort()
    .map((name) => ({ name, raw: readFileSync(join(dir, name)) }));
}

/** One mutation and what it did, so a failing case reads as a recipe. */
export type Mutation =
  | { kind: 'flip'; at: number; byte: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'duplicate-header'; line: number; value: string }
  | { kind: 'line-endings'; to: 'lf' | 'crlf' | 'cr' | 'mixed'; seed: number }
  | { kind: 'charset'; charset: string }
  | { kind: 'nul'; at: number; count: number }
  | { kind: 'subject'; value: string };

/** Charsets mailparser knows, ones it half-knows, and nonsense. */
const CHARSETS = ['utf-8', 'iso-8859-9', 'windows-1254', 'utf-7', 'iso-2022-jp', 'shift_jis', 'ks_c_5601-1987',
  'x-unknown', 'utf-16', 'ucs-4', '', '"', 'utf-8"; charset="koi8-r', 'iso-8859-1\u0000', 'b\u00e4d'];

/** Values that, copied raw into one of our headers, would start a new header or a body. */
export const INJECTIONS = [
  'Hello\r\nBcc: victim@evil.example',
  'Hello\nX-Injected: yes',
  'Hello\rX-Injected: yes',
  'Hi\r\n\r\n<html>body injection</html>',
  `=?UTF-8?B?${Buffer.from('Merhaba\r\nBcc: victim@evil.example').toString('base64')}?=`,
  `=?UTF-8?Q?Fatura=0D=0AX-Injected:=20yes?=`,
  `=?ISO-8859-9?Q?=DE=0ABcc:=20a@evil.example?=`,
  'Hello\u2028X-Injected: yes',
  'Sipariş \u0000 iptal',
];

const fraction = fc.double({ min: 0, max: 1, noNaN: true });

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fraction, byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fraction }),
  fc.record({ kind: fc.constant('duplicate-header' as const), line: fc.nat(40), value: fc.oneof(fc.string({ maxLength: 60 }), fc.constantFrom(...INJECTIONS)) }),
  fc.record({ kind: fc.constant('line-endings' as const), to: fc.constantFrom('lf' as const, 'crlf' as const, 'cr' as const, 'mixed' as const), seed: fc.nat() }),
  fc.record({ kind: fc.constant('charset' as const), charset: fc.constantFrom(...CHARSETS) }),
  fc.record({ kind: fc.constant('nul' as const), at: fraction, count: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant('subject' as const), value: fc.oneof(fc.constantFrom(...INJECTIONS), fc.string({ unit: 'binary', maxLength: 80 })) }),
);

export function applyMutation(raw: Buffer, m: Mutation): Buffer {
  const at = (f: number) => Math.min(raw.length, Math.floor(f * raw.length));
  switch (m.kind) {
    case 'flip': {
      if (raw.length === 0) return raw;
      const copy = Buffer.from(raw);
      copy[Math.min(copy.length - 1, at(m.at))] = m.byte;
      return copy;
    }
    case 'truncate':
      return raw.subarray(0, at(m.at));
    case 'duplicate-header': {
      const { head, sep, body } = splitHead(raw);
      const lines = head.split(/\r?\n/);
      const i = m.line % Math.max(1, lines.length);
      const name = /^([^:\s]+):/.exec(lines[i] ?? '')?.[1] ?? 'Subject';
      lines.splice(i + 1, 0, `${name}: ${m.value}`);
      return Buffer.concat([Buffer.from(lines.join('\r\n'), 'latin1'), sep, body]);
    }
    case 'line-endings': {
      const text = raw.toString('latin1');
      let n = m.seed;
      const eol = () => {
        if (m.to !== 'mixed') return { lf: '\n', crlf: '\r\n', cr: '\r' }[m.to];
        n = (n * 1103515245 + 12345) >>> 0;
        return ['\n', '\r\n', '\r'][n % 3]!;
      };
      return Buffer.from(text.replace(/\r\n|\n|\r/g, () => eol()), 'latin1');
    }
    case 'charset': {
      const text = raw.toString('latin1');
      const replaced = text.replace(/charset=("?)[^";\s]*\1/gi, `charset="${m.charset}"`);
      return Buffer.from(replaced === text ? text.replace(/^(Content-Type:[^\r\n]*)/im, `$1; charset="${m.charset}"`) : replaced, 'latin1');
    }
    case 'nul': {
      const i = at(m.at);
      return Buffer.concat([raw.subarray(0, i), Buffer.alloc(m.count, 0), raw.subarray(i)]);
    }
    case 'subject': {
      const { head, sep, body } = splitHead(raw);
      const lines = head.split(/\r?\n/).filter((l) => !/^Subject:/i.test(l));
      lines.push(`Subject: ${m.value}`);
      return Buffer.concat([Buffer.from(lines.join('\r\n'), 'latin1'), sep, body]);
    }
  }
}

function splitHead(raw: Buffer): { head: string; sep: Buffer; body: Buffer } {
  const text = raw.toString('latin1');
  const m = /\r?\n\r?\n/.exec(text);
  if (!m) return { head: text, sep: Buffer.from('\r\n\r\n'), body: Buffer.alloc(0) };
  return { head: text.slice(0, m.index), sep: Buffer.from(m[0], 'latin1'), body: raw.subarray(m.index + m[0].length) };
}

export interface HostileCase { label: string; raw: Buffer }

/** A corpus mail with one to four mutations applied in order. */
export function mutatedCorpusArb(corpus: { name: string; raw: Buffer }[]): fc.Arbitrary<HostileCase> {
  return fc.record({
    source: fc.constantFrom(...corpus),
    mutations: fc.array(mutationArb, { minLength: 1, maxLength: 4 }),
  }).map(({ source, mutations }) => ({
    label: `${source.name} + ${mutations.map((m) => m.kind).join(', ')}`,
    raw: mutations.reduce(applyMutation, source.raw),
  }));
}

/** A clean client mail whose subject and display name carry an injection attempt: it must become a ticket. */
export function injectionArb(): fc.Arbitrary<HostileCase> {
  return fc.record({
    subject: fc.constantFrom(...INJECTIONS),
    name: fc.constantFrom(...INJECTIONS, 'Ayşe Kaya'),
    n: fc.nat(),
  }).map(({ subject, name, n }) => ({
    label: `injection subject=${JSON.stringify(subject)} name=${JSON.stringify(name)}`,
    raw: Buffer.from([
      `From: ${name.startsWith('=?') ? name : `"${name}"`} <client${n % 50}@customer.example>`,
      'To: support@sanarise.example',
      `Subject: ${subject}`,
      `Message-ID: <inj-${n}-${Math.random().toString(36).slice(2)}@customer.example>`,
      'Date: Mon, 16 Mar 2026 10:00:00 +0300',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Fatura ekranı açılmıyor, yardımcı olur musunuz?',
      '',
    ].join('\r\n'), 'utf8'),
  }));
}

/** The monsters, each once: they are too big to generate thousands of. */
export function monsterCases(): HostileCase[] {
  const head = (subject: string, extra = '') => `From: Deep <deep@customer.example>\r\nTo: support@sanarise.example\r\nSubject: ${subject}\r\nMessage-ID: <${subject.replace(/\W/g, '')}-${Date.now()}@customer.example>\r\nMIME-Version: 1.0\r\n${extra}`;
  let deep = 'Content-Type: text/plain\r\n\r\nthe bottom\r\n';
  for (let i = 999; i >= 0; i--) {
    deep = `Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\n${deep}\r\n--b${i}--\r\n`;
  }
  const hugeHeader = `X-Huge: ${'a'.repeat(76)}\r\n`.repeat(Math.ceil(5 * 1024 * 1024 / 86));
  return [
    { label: '1000-deep MIME nesting', raw: Buffer.from(head('Deep MIME') + deep) },
    { label: '5 MB header', raw: Buffer.from(`${head('Huge header')}${hugeHeader}Content-Type: text/plain\r\n\r\nbody\r\n`) },
    { label: 'NUL bytes in headers and body', raw: Buffer.from(`${head('Nul\u0000 subject')}Content-Type: text/plain\r\n\r\nbo\u0000dy\u0000\r\n`) },
    { label: 'unknown charset', raw: Buffer.from(`${head('=?x-unknown?B?SGVsbG8=?=')}Content-Type: text/plain; charset=x-unknown\r\n\r\n\xff\xfe body\r\n`, 'latin1') },
    { label: 'lying charset with 8-bit headers', raw: Buffer.from(`${head('Fatura \xdd\xfeLEM\xdd')}Content-Type: text/plain; charset=utf-8\r\n\r\n\xc3\x28 \xa0\xa1\r\n`, 'latin1') },
    { label: 'empty input', raw: Buffer.alloc(0) },
    { label: 'only a body', raw: Buffer.from('no headers at all, just words\r\n') },
  ];
}
