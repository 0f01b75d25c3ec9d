import { authenticationMode, type Config, type Person } from '../../../config.js';
import type { Db } from '../../../db/client.js';
import { getTicket, type TicketRow } from '../../../db/repositories/ticket-repository.js';
import { judgeAuthentication, type AuthVerdict } from '../../../inbound/authentication-results.js';
import { judgeVerifiedMail } from '../../../inbound/mail-authentication.js';
import type { ParsedMail } from '../../../inbound/parsed-mail.js';
import { judgeStaffMail, type RefusalCode, type TokenCandidate } from '../../../inbound/staff-mail-verdict.js';
import { MAILBOXES, type MailboxName } from '../../../policy/priorities.js';
import { parseReplyToken, tokenFromAddress } from '../../../security/reply-token.js';
import type { RouteContext, RouteInput } from '../route-types.js';

/**
 * What a mail is to the agent-by-email channel (the rule is judgeStaffMail's; this is its IO):
 * - `none`: not from staff, no reply token: an ordinary mail.
 * - `rejected`: a token, but not From staff: it runs nothing and is handled as client mail.
 * - `refused`: From staff without that person's valid token: no ticket, no acknowledgement, the
 *   member told privately.
 * - `other-copy`: the other mailbox's copy of a staff reply: recorded only.
 * - `agent`: the member's reply.
 */
export type AgentMailIdentity =
  | { kind: 'none' }
  | { kind: 'rejected'; reason: string }
  | { kind: 'refused'; agent: Person; code: RefusalCode; reason: string }
  | { kind: 'other-copy'; agent: Person; reason: string }
  | { kind: 'agent'; agent: Person; ticket: TicketRow };

const warnedDisabled = new WeakSet<Config>();

/** Reads what judgeStaffMail needs from the mail and the database, and returns its verdict. */
export async function identifyAgentMail(tx: Db, ctx: RouteContext, m: RouteInput): Promise<AgentMailIdentity> {
  const { config, now } = ctx;
  const found = findTokens(config, m.mail);
  if (!config.tokenSecret && found.length > 0 && !warnedDisabled.has(config)) {
    warnedDisabled.add(config);
    ctx.logger.warn({ mailbox: m.input.mailbox }, 'mail carries a reply token but tokenSecret is unset: agent-by-email is disabled');
  }
  const secret = config.tokenSecret;
  const tickets = new Map<number, TicketRow | null>();
  const candidates: TokenCandidate[] = [];
  for (const t of secret ? found : []) {
    const parsed = parseReplyToken(secret!, t.token, config.people, now);
    let ticket: TicketRow | null = null;
    if (parsed.ok) {
      if (!tickets.has(parsed.claims.ticketId)) tickets.set(parsed.claims.ticketId, await getTicket(tx, parsed.claims.ticketId));
      ticket = tickets.get(parsed.claims.ticketId) ?? null;
    }
    candidates.push({ mailbox: t.mailbox, parsed, ticket });
  }
  const fromAddresses = fromHeaderAddresses(m.mail);
  const fromDomain = fromAddresses[0]?.slice(fromAddresses[0].lastIndexOf('@') + 1) ?? '';
  const verdict = judgeStaffMail({
    readFrom: m.input.mailbox,
    fromAddresses,
    fromHeaderCount: (m.mail.headers['from'] ?? []).length,
    staff: config.people,
    candidates,
    authentication: authenticationVerdict(config, m, fromDomain),
  });
  const person = (address: string) => config.people.find((p) => p.address === address)!;
  switch (verdict.kind) {
    case 'none': return { kind: 'none' };
    case 'not-staff':
      ctx.logger.info({ mailbox: m.input.mailbox, rawMailId: m.rawMailId }, 'reply token refused: sender is not staff');
      return { kind: 'rejected', reason: verdict.reason };
    case 'refused':
      ctx.logger.info({ mailbox: m.input.mailbox, rawMailId: m.rawMailId, code: verdict.code }, 'staff mail refused');
      return { kind: 'refused', agent: person(verdict.staff.address), code: verdict.code, reason: verdict.reason };
    case 'other-copy': return { kind: 'other-copy', agent: person(verdict.staff.address), reason: verdict.reason };
    case 'staff': return { kind: 'agent', agent: person(verdict.staff.address), ticket: tickets.get(verdict.ticketId)! };
  }
}

/**
 * Who vouches for the mail's origin, by authentication mode: our mail server's topmost
 * Authentication-Results, slagate's own check (made before the transaction, RouteInput), or nobody.
 */
function authenticationVerdict(config: Config, m: RouteInput, fromDomain: string): AuthVerdict | null {
  switch (authenticationMode(config)) {
    case 'off': return null;
    case 'trusted-authserv': return judgeAuthentication(m.mail.headers['authentication-results'] ?? [], config.trustedAuthservId!, fromDomain);
    case 'verify': return judgeVerifiedMail(m.authentication ?? null, fromDomain);
  }
}

/**
 * Whether a mail must be routed alone through identifyAgentMail: it names a reply token where
 * identifyAgentMail looks, valid or not, or comes From a member of staff (who may not open tickets).
 */
export function carriesReplyToken(config: Config, mail: ParsedMail, _mailbox: MailboxName): boolean {
  if (findTokens(config, mail).length > 0) return true;
  return fromHeaderAddresses(mail).some((a) => config.people.some((p) => p.address === a));
}

/** Every address of every From header, ASCII-lowercased: the parser keeps only the first header's. */
function fromHeaderAddresses(mail: ParsedMail): string[] {
  const parsed = mail.from.map((a) => a.address);
  const raw = (mail.headers['from'] ?? []).flatMap((v) => [...v.matchAll(/[^\s<>",;:()]+@[^\s<>",;:()]+/g)].map((x) => x[0]));
  return [...new Set([...parsed, ...raw].map((a) => a.replace(/[A-Z]/g, (c) => c.toLowerCase())))];
}

/**
 * Tokens in the plus addresses the mail was delivered to: the envelope headers our server adds
 * first, then To and Cc. Never In-Reply-To/References: anyone can quote a Message-ID.
 */
function findTokens(config: Config, mail: ParsedMail): { token: string; mailbox: MailboxName }[] {
  const found: { token: string; mailbox: MailboxName }[] = [];
  const seen = new Set<string>();
  const envelope = ['delivered-to', 'x-original-to'].flatMap((h) => mail.headers[h] ?? []).map((v) => v.replace(/^.*<|>.*$/g, '').trim());
  for (const address of [...envelope, ...mail.to.map((a) => a.address), ...mail.cc.map((a) => a.address)]) {
    for (const name of MAILBOXES) {
      const token = tokenFromAddress(address, config.mailboxes[name].address);
      if (token && !seen.has(`${name}:${token}`)) {
        seen.add(`${name}:${token}`);
        found.push({ token, mailbox: name });
      }
    }
  }
  return found;
}
