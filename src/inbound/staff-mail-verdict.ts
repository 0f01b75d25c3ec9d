import type { MailboxName } from '../policy/priorities.js';
import type { ParsedToken } from '../security/reply-token.js';
import type { AuthVerdict } from './authentication-results.js';

/**
 * The one rule of who may act on a ticket by mail. Pure: the caller (identify-agent-mail.ts) reads
 * the mail, parses the tokens and looks the tickets up; this decides.
 *
 * Authority comes only from a signed reply address the mail was delivered to (Delivered-To,
 * X-Original-To, To, Cc), whose token names the sender; never from In-Reply-To/References (our
 * Message-IDs are random and carry no token) and never from a subject. A mail From a member of
 * staff that carries no such address is refused outright: read as a client's mail it would open a
 * ticket, acknowledge the "client" and page the team, which is what a forger wants.
 */

export interface StaffMember {
  /** ASCII-lowercased address, as config has it. */
  address: string;
  role: 'agent' | 'lead' | 'manager';
}

/** A token found in one of the addresses the mail was delivered to, with what it names. */
export interface TokenCandidate {
  /** The mailbox whose plus address carried the token. */
  mailbox: MailboxName;
  parsed: ParsedToken;
  /** The ticket the token names, when it parsed and the ticket exists. */
  ticket: { id: number; private: boolean; mailbox: string } | null;
}

export interface StaffMailFacts {
  /** The mailbox this copy of the mail was read from. */
  readFrom: MailboxName;
  /** Every address in every From header (ASCII-lowercased); a mail may have several. */
  fromAddresses: readonly string[];
  fromHeaderCount: number;
  staff: readonly StaffMember[];
  candidates: readonly TokenCandidate[];
  /** Our mail server's (or mailauth's) verdict on the From domain; null when not configured. */
  authentication: AuthVerdict | null;
}

/** Why a staff mail was refused: stable codes, worded for the staff member by the notice templates. */
export const REFUSAL_CODES = [
  'no-signed-address', 'several-senders', 'token-malformed', 'token-bad-signature', 'token-expired',
  'token-of-another', 'token-ticket-missing', 'token-wrong-mailbox', 'not-authenticated',
] as const;
export type RefusalCode = (typeof REFUSAL_CODES)[number];

export type StaffMailVerdict =
  /** Not from staff and no token: an ordinary mail. */
  | { kind: 'none' }
  /** A token, but not From staff (a client or stranger answering a staff address): read as client mail, never acting. */
  | { kind: 'not-staff'; reason: string }
  /** The copy of a staff reply read from the other mailbox: the copy in the token's own mailbox acts. */
  | { kind: 'other-copy'; staff: StaffMember; reason: string }
  /** From staff without their valid token: nothing applied, the member told privately. */
  | { kind: 'refused'; staff: StaffMember; code: RefusalCode; reason: string }
  | { kind: 'staff'; staff: StaffMember; ticketId: number };

function rank(code: RefusalCode): number {
  // The most telling reason wins when several tokens were refused.
  return ['not-authenticated', 'token-expired', 'token-wrong-mailbox', 'token-ticket-missing', 'token-of-another', 'token-bad-signature', 'token-malformed',
    'several-senders', 'no-signed-address'].indexOf(code);
}

export function judgeStaffMail(f: StaffMailFacts): StaffMailVerdict {
  const senders = [...new Set(f.fromAddresses)];
  const staffSenders = senders.map((a) => f.staff.find((p) => p.address === a)).filter((p): p is StaffMember => p !== undefined);
  if (staffSenders.length === 0) {
    return f.candidates.length === 0 ? { kind: 'none' } : { kind: 'not-staff', reason: `reply token used by ${senders[0] ?? 'nobody'}, not a member of staff` };
  }
  const member = staffSenders[0]!;
  // The parser reads one From; the mail server may have judged DMARC on another. A mail naming
  // a member of staff among several senders is nobody's.
  if (f.fromHeaderCount !== 1 || senders.length !== 1) {
    return { kind: 'refused', staff: member, code: 'several-senders', reason: `the mail names ${senders.length} senders in ${f.fromHeaderCount} From headers` };
  }
  let best: { code: RefusalCode; reason: string } = {
    code: 'no-signed-address', reason: 'the mail was not sent to a signed reply address (it carries no reply token)',
  };
  const refuse = (code: RefusalCode, reason: string) => {
    if (rank(code) < rank(best.code)) best = { code, reason };
  };
  let otherCopy: string | null = null;
  for (const c of f.candidates) {
    if (!c.parsed.ok) {
      const code = c.parsed.reason === 'expired' ? 'token-expired'
        : c.parsed.reason === 'bad-signature' ? 'token-bad-signature'
          : c.parsed.reason === 'unknown-agent' ? 'token-of-another' : 'token-malformed';
      refuse(code, `the reply token is ${c.parsed.reason === 'unknown-agent' ? 'not issued to anyone on staff' : c.parsed.reason.replace('-', ' ')}`);
      continue;
    }
    const { claims } = c.parsed;
    if (claims.agent !== member.address) {
      refuse('token-of-another', 'the reply address was issued to another member of staff');
      continue;
    }
    if (c.ticket === null) {
      refuse('token-ticket-missing', `the reply address names ticket ${claims.ticketId}, which does not exist`);
      continue;
    }
    const scope = scopeRefusal(c.ticket, member, c.mailbox);
    if (scope) {
      refuse('token-wrong-mailbox', scope);
      continue;
    }
    // A mail sent to both mailboxes is read once from each: only the copy in the mailbox the
    // token names acts, the other one is only recorded (no notice: nothing went wrong).
    if (c.mailbox !== f.readFrom) {
      otherCopy = `the copy read from ${f.readFrom} of a reply through ${c.mailbox}: that copy acts`;
      continue;
    }
    // The member's own valid token, but the mail's origin is not vouched for (no DMARC or aligned
    // DKIM pass): a token can leak with a forwarded mail, so it is refused as a forgery is (issue 21).
    if (f.authentication && !f.authentication.pass) {
      return { kind: 'refused', staff: member, code: 'not-authenticated', reason: f.authentication.reason };
    }
    return { kind: 'staff', staff: member, ticketId: c.ticket.id };
  }
  if (otherCopy) return { kind: 'other-copy', staff: member, reason: otherCopy };
  return { kind: 'refused', staff: member, code: best.code, reason: best.reason };
}

/** Private tickets are for managers through the management mailbox; team tickets never go there. */
function scopeRefusal(ticket: { private: boolean; mailbox: string }, member: StaffMember, mailbox: MailboxName): string | null {
  if (ticket.private) {
    if (mailbox !== 'management') return 'a team reply address cannot act on a private ticket';
    if (member.role !== 'manager') return 'only managers act on private tickets';
    return null;
  }
  if (mailbox !== ticket.mailbox) return `a ${mailbox} reply address cannot act on a ${ticket.mailbox} ticket`;
  return null;
}
