import { grantPriority } from '../inbound/classify.js';
import type { Policy } from '../policy/default-policy.js';
import type { Priority } from '../policy/priorities.js';

/** The type and priority tags of one subject, in order (tagsInSubject). */
export interface SubjectTagList { types: string[]; priorities: Priority[] }

/** What a ticket is classified as now. */
export interface Classified {
  type: string;
  priority: Priority;
  requestedPriority: Priority | null;
  private: boolean;
}

export interface Correction {
  type: string;
  requestedPriority: Priority | null;
  priority: Priority;
  /** As a new mail's: why this priority (clamped to what the type allows, or its default). */
  priorityReason: string;
  from: { type: string; priority: Priority };
}

/**
 * A client's reply that names a type or priority tag re-classifies the ticket by the rules of a
 * new mail (SLA-POLICY.md: "replying with other tags corrects them"). Replies to our mails carry
 * the tags of the first subject back (`RE: Talebiniz alındı: [Kritik][Hata] ...`), and an agent
 * may have changed the ticket since: a tag counts only when no earlier subject of the ticket
 * carried it, so a reply that repeats old tags undoes nothing. A type tag of the other side
 * (a complaint tag on a team ticket) is not a correction: privacy never changes this way.
 * Null when nothing changes.
 */
export function clientCorrection(
  reply: SubjectTagList, earlier: readonly SubjectTagList[], ticket: Classified, policy: Policy,
): Correction | null {
  const typeTag = reply.types.find((slug) => !earlier.some((t) => t.types.includes(slug))) ?? null;
  const priorityTag = reply.priorities.find((p) => !earlier.some((t) => t.priorities.includes(p))) ?? null;
  return correctionBy(typeTag, priorityTag, ticket, policy);
}

/**
 * Whether clientCorrection could find a correction in these tags, whatever the ticket's earlier
 * subjects: it picks at most one type tag and one priority tag of the reply (or none), so when no
 * such pair corrects anything, reading the earlier subjects would change nothing. Replies repeat
 * the first subject's tags (`RE: [Hata] ...`), and most of them end here, with no query.
 */
export function mayCorrect(reply: SubjectTagList, ticket: Classified, policy: Policy): boolean {
  return [null, ...reply.types].some((typeTag) => [null, ...reply.priorities]
    .some((priorityTag) => correctionBy(typeTag, priorityTag, ticket, policy) !== null));
}

function correctionBy(typeTag: string | null, priorityTag: Priority | null, ticket: Classified, policy: Policy): Correction | null {
  const typeRule = typeTag ? policy.types.find((t) => t.slug === typeTag) : undefined;
  const newType = typeRule && (typeRule.private === true) === ticket.private ? typeRule : policy.types.find((t) => t.slug === ticket.type);
  if (!newType || (newType.slug === ticket.type && priorityTag === null)) return null;
  // The request the client made stands unless they make a new one: a type correction alone is
  // judged against the priority they asked for.
  const requestedPriority = priorityTag ?? ticket.requestedPriority;
  const granted = grantPriority(newType, requestedPriority);
  if (newType.slug === ticket.type && granted.priority === ticket.priority && requestedPriority === ticket.requestedPriority) return null;
  return {
    type: newType.slug, requestedPriority, priority: granted.priority, priorityReason: `client corrected: ${granted.reason}`,
    from: { type: ticket.type, priority: ticket.priority },
  };
}
