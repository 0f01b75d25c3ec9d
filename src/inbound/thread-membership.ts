import type { ThreadVia } from './decide-thread.js';

/**
 * Who may continue a ticket through what a mail says about itself (In-Reply-To, References, a
 * `[#SR-…]` subject token). All of it can be written by anyone who saw one of the thread's mails
 * or guessed a sequential number, so it joins a ticket only for the people the thread already
 * includes: its requester and participants (copied on, or wrote, one of its mails) and staff. A
 * colleague at the requester's own organisation may name the ticket's number in a subject (the
 * long-standing rule for the token). Anyone else starts a new ticket linked to it.
 */
export interface MembershipFacts {
  via: ThreadVia;
  /** The requester, or a participant of one of the ticket's mails. */
  participant: boolean;
  staff: boolean;
  /** Same organisation's own domain as the requester (not a public mail service). */
  colleague: boolean;
}

export function mayContinueThread(f: MembershipFacts): boolean {
  if (f.participant || f.staff) return true;
  return f.via === 'token' && f.colleague;
}
