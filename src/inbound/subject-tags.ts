import type { Policy } from '../policy/default-policy.js';
import type { Priority } from '../policy/priorities.js';
import { caseFold } from './case-fold.js';

/** What the bracketed tokens of a subject ask for (SLA-POLICY.md, "Subject tags"). */
export interface SubjectTags {
  /** Our thread token, e.g. `SR-1042` from `[#SR-1042]` or `[sr-1042]`, upper-case; null when none. */
  threadToken: string | null;
  /** The first type tag, with the token as the client wrote it. */
  type: { slug: string; raw: string } | null;
  /** The first priority tag, with the token as the client wrote it. */
  priority: { priority: Priority; raw: string } | null;
  /** `[Escalate]` / `[Yükselt]` (or another policy escalate alias) was present. */
  escalate: boolean;
  /** Tokens that are none of the above, kept as written (`EXTERNAL`, `SPAM?`). */
  unknown: string[];
  /** The subject with reply and forward prefixes removed, tags kept. */
  cleanSubject: string;
  /** `cleanSubject` without our thread token and the tags understood above; for ticket titles. */
  title: string;
}

/** Folded alias → meaning, built once per policy object. */
export interface AliasLookup {
  priorities: Map<string, Priority>;
  /** Type aliases and slugs; on a clash the type listed first in the policy wins. */
  types: Map<string, string>;
  escalate: Set<string>;
  replyPrefixes: Set<string>;
}

const lookups = new WeakMap<Policy, AliasLookup>();

/** The policy's aliases folded for lookup; memoised by policy identity since it runs per mail. */
export function aliasLookup(policy: Policy): AliasLookup {
  let lookup = lookups.get(policy);
  if (!lookup) {
    lookup = buildLookup(policy);
    lookups.set(policy, lookup);
  }
  return lookup;
}

function buildLookup(policy: Policy): AliasLookup {
  const priorities = new Map<string, Priority>();
  for (const rule of policy.priorities) {
    for (const alias of [rule.priority, ...rule.aliases]) setFirst(priorities, caseFold(alias), rule.priority);
  }
  const types = new Map<string, string>();
  for (const rule of policy.types) {
    for (const alias of [rule.slug, ...rule.aliases]) setFirst(types, caseFold(alias), rule.slug);
  }
  return {
    priorities,
    types,
    escalate: new Set(policy.escalateAliases.map(caseFold)),
    replyPrefixes: new Set(policy.replyPrefixes.map(caseFold)),
  };
}

function setFirst<V>(map: Map<string, V>, key: string, value: V): void {
  if (key !== '' && !map.has(key)) map.set(key, value);
}

// A prefix word, an optional counter (`Re[2]:`, `Re(3):`), then an ASCII or fullwidth colon.
const PREFIX = /^\s*([^\s:：[\]()［］（）]{1,12})\s*(?:[[［(（]\s*\d{1,4}\s*[\]］)）])?\s*[:：]/u;

/**
 * Removes leading reply/forward prefixes, repeated or nested (`Fwd: Re[2]: YNT：`), comparing
 * each prefix word folded against `prefixes`. Prefixes after the start are left alone.
 */
export function stripReplyPrefixes(subject: string, prefixes: readonly string[]): string {
  const known = prefixes.length > 0 ? new Set(prefixes.map(caseFold)) : new Set<string>();
  return stripKnownPrefixes(subject, known);
}

function stripKnownPrefixes(subject: string, known: ReadonlySet<string>): string {
  let rest = subject;
  for (;;) {
    const m = PREFIX.exec(rest);
    if (!m || !known.has(caseFold(m[1] ?? ''))) return rest.trim();
    rest = rest.slice(m[0].length);
  }
}

/** One bracketed token of a subject, ASCII or fullwidth brackets; shared with decide-privacy. */
export const BRACKETED = /[[［]([^[\]［］]*)[\]］]/gu;

/**
 * Reads the tags of a subject after its reply prefixes are removed. Tokens are matched folded
 * against the policy's aliases; the first type and the first priority tag win; our thread token
 * (`[#SR-1042]`) is never taken for a type or priority.
 */
export function readSubjectTags(subject: string, policy: Policy, ticketPrefix: string | readonly string[]): SubjectTags {
  const lookup = aliasLookup(policy);
  const cleanSubject = stripKnownPrefixes(subject, lookup.replyPrefixes);
  const threadPattern = threadTokenPattern(ticketPrefix);
  const result: SubjectTags = {
    threadToken: null, type: null, priority: null, escalate: false, unknown: [], cleanSubject, title: '',
  };
  const understood: [number, number][] = [];

  for (const m of cleanSubject.matchAll(BRACKETED)) {
    const raw = (m[1] ?? '').trim();
    if (raw === '') continue;
    const span: [number, number] = [m.index, m.index + m[0].length];
    const thread = threadPattern.exec(raw);
    if (thread) {
      result.threadToken ??= `${(thread[1] ?? '').toUpperCase()}-${thread[2]}`;
      understood.push(span);
      continue;
    }
    const folded = caseFold(raw);
    const priority = lookup.priorities.get(folded);
    const type = lookup.types.get(folded);
    if (priority) {
      result.priority ??= { priority, raw };
    } else if (type) {
      result.type ??= { slug: type, raw };
    } else if (lookup.escalate.has(folded)) {
      result.escalate = true;
    } else {
      result.unknown.push(raw);
      continue;
    }
    understood.push(span);
  }
  result.title = removeSpans(cleanSubject, understood);
  return result;
}

function threadTokenPattern(ticketPrefix: string | readonly string[]): RegExp {
  // Team and private tickets have prefixes of their own (SR, YN). They are ASCII by config
  // validation; escaping keeps an odd override harmless.
  const escaped = (typeof ticketPrefix === 'string' ? [ticketPrefix] : ticketPrefix).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^#?\\s*(${escaped.join('|')})\\s*-\\s*(\\d{1,12})$`, 'i');
}

function removeSpans(text: string, spans: [number, number][]): string {
  let out = '';
  let at = 0;
  for (const [start, end] of spans) {
    out += `${text.slice(at, start)} `;
    at = end;
  }
  return (out + text.slice(at)).replace(/\s+/g, ' ').trim();
}

/**
 * The priority a person means by a word: its name or any alias of the policy (`urgent`, `acil`,
 * `p1`, `Kritik`, `YÜKSEK`...), Turkish letters folded as in subjects. Null for none.
 */
export function priorityNamed(word: string, policy: Policy): Priority | null {
  return aliasLookup(policy).priorities.get(caseFold(word.trim())) ?? null;
}

/**
 * Every type and priority tag of a subject in order, not only the first of each: a client who
 * corrects a ticket by replying often adds the new tag after the old ones it quotes
 * (`RE: Talebiniz alındı: [Diğer] Rapor [Hata]`).
 */
export function tagsInSubject(subject: string, policy: Policy): { types: string[]; priorities: Priority[] } {
  const lookup = aliasLookup(policy);
  const types: string[] = [];
  const priorities: Priority[] = [];
  for (const m of subject.matchAll(BRACKETED)) {
    const folded = caseFold((m[1] ?? '').trim());
    const priority = lookup.priorities.get(folded);
    const type = lookup.types.get(folded);
    if (priority) priorities.push(priority);
    else if (type) types.push(type);
  }
  return { types, priorities };
}
