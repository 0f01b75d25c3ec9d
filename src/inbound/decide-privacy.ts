import type { Policy } from '../policy/default-policy.js';
import type { MailboxName } from '../policy/priorities.js';
import { asciiLowerAddress, caseFold } from './case-fold.js';
import { aliasLookup, BRACKETED } from './subject-tags.js';

/** What the privacy decision reads of a mail: where it came in, who it names, its subject. */
export interface PrivacyInput {
  /** The mailbox this copy was read from. */
  mailbox: MailboxName;
  /** Addresses the mail names as recipients (To, Cc) and envelope headers (Delivered-To, X-Original-To). */
  recipients: readonly string[];
  /** The subject with reply prefixes removed (SubjectTags.cleanSubject). */
  cleanSubject: string;
  /** The management mailbox's address. */
  managementAddress: string;
}

export type PrivacyReason = 'mailbox' | 'addressed' | 'tag' | 'prefix';

export interface PrivacyDecision {
  private: boolean;
  /** Why it is private: read through management, addressed to it, a private type's tag, or its prefix. */
  reason: PrivacyReason | null;
  /** The private type the tag or prefix named (its slug), when one did. */
  type: string | null;
}

// `Complaint: ...`, `Şikayet：...`: a private type's name or alias, then an ASCII or fullwidth colon.
const PREFIX = /^\s*([^:：[\]［］]{1,40}?)\s*[:：]/u;

/**
 * The one rule of the management channel (SLA-POLICY.md, "Where mail arrives"): a mail is private
 * when it reached the management mailbox in any way we can see (read from it, or its own To/Cc or
 * envelope headers name it, so the support copy of a mail also sent to management is recognised
 * whichever copy arrives first), or when its subject asks for a private type: that type's tag in
 * any position among the tags (`[Bug] [Complaint]`), or its name as a prefix (`Şikayet: ...`).
 * Pure; every path that decides privacy calls it.
 */
export function decidePrivacy(input: PrivacyInput, policy: Policy): PrivacyDecision {
  if (input.mailbox === 'management') return { private: true, reason: 'mailbox', type: null };
  const management = splitAddress(input.managementAddress);
  if (management && input.recipients.some((r) => sameMailbox(splitAddress(r), management))) {
    return { private: true, reason: 'addressed', type: null };
  }
  const lookup = aliasLookup(policy);
  const privateSlugs = new Set(policy.types.filter((t) => t.private).map((t) => t.slug));
  for (const m of input.cleanSubject.matchAll(BRACKETED)) {
    const slug = lookup.types.get(caseFold(m[1] ?? ''));
    if (slug && privateSlugs.has(slug)) return { private: true, reason: 'tag', type: slug };
  }
  const prefix = PREFIX.exec(input.cleanSubject);
  const slug = prefix ? lookup.types.get(caseFold(prefix[1] ?? '')) : undefined;
  if (slug && privateSlugs.has(slug)) return { private: true, reason: 'prefix', type: slug };
  return { private: false, reason: null, type: null };
}

interface SplitAddress { local: string; domain: string }

function splitAddress(address: string): SplitAddress | null {
  const bare = asciiLowerAddress(address.replace(/^.*</, '').replace(/>.*$/, ''));
  const at = bare.lastIndexOf('@');
  if (at <= 0 || at === bare.length - 1) return null;
  // management+anything@ is still the management mailbox (a signed reply address, a sub-address).
  const local = bare.slice(0, at);
  const plus = local.indexOf('+');
  return { local: plus > 0 ? local.slice(0, plus) : local, domain: bare.slice(at + 1) };
}

function sameMailbox(a: SplitAddress | null, b: SplitAddress): boolean {
  return a !== null && a.local === b.local && a.domain === b.domain;
}

/**
 * Whether a stored mail's raw header block names the management address (any case, any
 * sub-address): a quarantined mail could not be parsed, so the privacy of what the team may see of
 * it is judged on its bytes. Errs towards private.
 */
export function headerBlockNamesAddress(headerBlock: string, address: string): boolean {
  const at = address.lastIndexOf('@');
  if (at <= 0) return false;
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![\\w.+-])${escape(address.slice(0, at))}(?:\\+[^@\\s<>"]*)?@${escape(address.slice(at + 1))}(?![\\w-])`, 'i').test(headerBlock);
}
