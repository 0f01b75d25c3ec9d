import type { Policy, TicketTypeRule } from '../policy/default-policy.js';
import { priorityRank, type MailboxName, type Priority } from '../policy/priorities.js';
import { decidePrivacy, type PrivacyDecision } from './decide-privacy.js';
import { caseFold } from './case-fold.js';
import { readSubjectTags, type SubjectTags } from './subject-tags.js';

export interface ClassifyInput {
  subject: string;
  text: string;
  mailbox: MailboxName;
  /** To, Cc and envelope addresses of the mail: naming management makes a support copy private. */
  recipients?: readonly string[];
  /** The management mailbox's address; without it only the mailbox and the subject decide privacy. */
  managementAddress?: string;
}

/** Where the type came from; `agent` is only ever set later, by an agent's command. */
export type ClassifiedTypeSource = 'tag' | 'keywords' | 'mailbox' | 'default';

export interface Classification {
  type: string;
  typeSource: ClassifiedTypeSource;
  /** The priority the client's tag asked for; null when there was no priority tag. */
  requestedPriority: Priority | null;
  /** The priority granted: the request clamped to the type's allowed list, or the type's default. */
  priority: Priority;
  /** Why `priority` was granted, in English, for the acknowledgement and the event log. */
  priorityReason: string;
  private: boolean;
  tags: SubjectTags;
}

// A keyword in the subject says more about the request than the same word deep in a body.
const SUBJECT_WEIGHT = 3;
const BODY_WEIGHT = 1;
// Long bodies are mostly quoted history, logs and signatures; their words mislead more than help.
const BODY_CHARS = 4000;

/**
 * Decides a new ticket's type, priority and privacy from its subject, body and mailbox
 * (SLA-POLICY.md, "Ticket types", "Subject tags", "Where mail arrives").
 */
export function classify(input: ClassifyInput, policy: Policy, ticketPrefix: string | readonly string[]): Classification {
  const tags = readSubjectTags(input.subject, policy, ticketPrefix);
  const privacy = decidePrivacy({
    mailbox: input.mailbox, recipients: input.recipients ?? [], cleanSubject: tags.cleanSubject,
    managementAddress: input.managementAddress ?? '',
  }, policy);
  const { rule, source } = chooseType(input, tags, policy, privacy);
  const requestedPriority = tags.priority?.priority ?? null;
  const { priority, reason } = grantPriority(rule, requestedPriority);
  return {
    type: rule.slug,
    typeSource: source,
    requestedPriority,
    priority,
    priorityReason: reason,
    private: privacy.private || rule.private === true,
    tags,
  };
}

function chooseType(
  input: ClassifyInput, tags: SubjectTags, policy: Policy, privacy: PrivacyDecision,
): { rule: TicketTypeRule; source: ClassifiedTypeSource } {
  // A private mail is a private type whatever else its tags say: `[Bug] [Complaint]` is a complaint.
  if (privacy.reason === 'mailbox' || privacy.reason === 'addressed') return { rule: complaintRule(policy), source: 'mailbox' };
  if (privacy.type !== null && (tags.type === null || !policy.types.find((t) => t.slug === tags.type?.slug)?.private)) {
    return { rule: ruleFor(policy, privacy.type), source: 'tag' };
  }
  const tagged = tags.type && policy.types.find((t) => t.slug === tags.type?.slug);
  if (tagged) return { rule: tagged, source: 'tag' };
  const byKeywords = bestKeywordMatch(tags.cleanSubject, input.text, policy);
  if (byKeywords) return { rule: byKeywords, source: 'keywords' };
  return { rule: ruleFor(policy, 'other'), source: 'default' };
}

function complaintRule(policy: Policy): TicketTypeRule {
  const rule = policy.types.find((t) => t.slug === 'complaint') ?? policy.types.find((t) => t.private);
  if (!rule) throw new Error('policy has no private type; validatePolicy should have refused it');
  return rule;
}

function ruleFor(policy: Policy, slug: string): TicketTypeRule {
  const rule = policy.types.find((t) => t.slug === slug);
  if (!rule) throw new Error(`policy has no "${slug}" type; validatePolicy should have refused it`);
  return rule;
}

/** A folded keyword, and the pattern that finds it as a whole word. */
interface Keyword { folded: string; pattern: RegExp }

const patterns = new WeakMap<TicketTypeRule, Keyword[]>();
// By keyword too: each start of the gateway parses its policy anew, and compiling the default
// policy's patterns again took 19 ms of its first batch.
const compiled = new Map<string, Keyword>();

function keywordPatterns(rule: TicketTypeRule): Keyword[] {
  let list = patterns.get(rule);
  if (!list) {
    // Policies list both spellings ("şifre", "sifre"); folded they are one keyword, counted once.
    list = [...new Set(rule.keywords.map((k) => caseFoldForMatching(k)))]
      .filter((k) => k !== '')
      .map((k) => {
        let keyword = compiled.get(k);
        if (!keyword) {
          keyword = { folded: k, pattern: new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(k)}(?![\\p{L}\\p{N}])`, 'gu') };
          compiled.set(k, keyword);
        }
        return keyword;
      });
    patterns.set(rule, list);
  }
  return list;
}

/** The type whose keywords score highest; null when none matched. Ties go to policy order. */
function bestKeywordMatch(subject: string, text: string, policy: Policy): TicketTypeRule | null {
  const foldedSubject = caseFoldForMatching(subject);
  const foldedBody = caseFoldForMatching(text.slice(0, BODY_CHARS));
  let best: TicketTypeRule | null = null;
  let bestScore = 0;
  for (const rule of policy.types) {
    let score = 0;
    for (const keyword of keywordPatterns(rule)) {
      score += SUBJECT_WEIGHT * countMatches(keyword, foldedSubject) + BODY_WEIGHT * countMatches(keyword, foldedBody);
    }
    if (score > bestScore) {
      best = rule;
      bestScore = score;
    }
  }
  return best;
}

// Typographic apostrophes would otherwise keep "can’t access" from matching "can't access".
function caseFoldForMatching(s: string): string {
  return caseFold(s.replace(/[’‘`´]/g, "'"));
}

function countMatches({ folded, pattern }: Keyword, text: string): number {
  // Most keywords are in no given mail, and a plain substring search says so about ten times
  // faster than the Unicode pattern with its look-arounds, which only runs where it might match.
  if (!text.includes(folded)) return 0;
  pattern.lastIndex = 0;
  let n = 0;
  while (pattern.exec(text)) n++;
  return n;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Clamps a requested priority to the ones the type allows: the nearest by rank, ties to the more
 * urgent one. No request gives the type's default.
 */
export function grantPriority(rule: TicketTypeRule, requested: Priority | null): { priority: Priority; reason: string } {
  if (requested === null) return { priority: rule.defaultPriority, reason: `default for ${rule.slug}` };
  if (rule.priorities.includes(requested)) return { priority: requested, reason: `requested ${requested}` };
  const wanted = priorityRank(requested);
  let nearest = rule.defaultPriority;
  let distance = Infinity;
  for (const p of rule.priorities) {
    const d = Math.abs(priorityRank(p) - wanted);
    if (d < distance || (d === distance && priorityRank(p) < priorityRank(nearest))) {
      nearest = p;
      distance = d;
    }
  }
  return {
    priority: nearest,
    reason: `requested ${requested}; ${rule.slug} allows ${rule.priorities.join(', ')}: nearest is ${nearest}`,
  };
}
