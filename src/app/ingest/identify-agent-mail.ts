import type { Config, Person } from '../../config.js';
import type { Db } from '../../db/client.js';
import { getTicket, type TicketRow } from '../../db/repositories/ticket-repository.js';
import { judgeAuthentication } from '../../inbound/authentication-results.js';
import type { ParsedMail } from '../../inbound/parsed-mail.js';
import { MAILBOXES, type MailboxName } from '../../policy/priorities.js';
import { parseReplyToken, tokenFromAddress, tokenFromMessageId } from '../../security/reply-token.js';
import type { RouteContext, RouteInput } from './route-types.js';

/**
 * What a mail is to the agent-by-email channel:
 * - `none`: it carries no reply token (or agent mail is disabled): an ordinary mail.
 * - `rejected`: it carries a token that does not make it an agent's reply (forged From,
 *   tampered, expired, another agent's, the wrong privacy): it runs nothing and is handled as
 *   ordinary client mail.
 * - `unauthenticated`: the agent's genuine token and From, but our mail server did not vouch for
 *   it: kept as an internal message, nothing relayed, no command run, the agent told why.
 * - `agent`: the agent's reply.
 */
export type AgentMailIdentity =
  | { kind: 'none' }
  | { kind: 'rejected'; reason: string }
  | { kind: 'unauthenticated'; agent: Person; ticket: TicketRow; reason: string }
  | { kind: 'agent'; agent: Person; ticket: TicketRow; via: 'address' | 'message-id' };

interface Candidate {
  token: string;
  mailbox: MailboxName;
  via: 'address' | 'message-id';
}

const warnedDisabled = new WeakSet<Config>();

/** Finds the reply token a mail carries and decides whether it makes the mail an agent's reply. */
export async function identifyAgentMail(tx: Db, ctx: RouteContext, m: RouteInput): Promise<AgentMailIdentity> {
  const { config, now } = ctx;
  const candidates = findTokens(config, m.mail, m.input.mailbox);
  if (!config.tokenSecret) {
    if (candidates.length > 0 && !warnedDisabled.has(config)) {
      warnedDisabled.add(config);
      ctx.logger.warn({ mailbox: m.input.mailbox }, 'agent mail carries a reply token but tokenSecret is unset: agent-by-email is disabled');
    }
    return { kind: 'none' };
  }
  if (candidates.length === 0) return { kind: 'none' };

  let firstRefusal: string | null = null;
  for (const candidate of candidates) {
    const verdict = await judge(tx, ctx, m, candidate, config.tokenSecret);
    if (verdict.kind !== 'rejected') return verdict;
    firstRefusal ??= verdict.reason;
  }
  ctx.logger.info({ mailbox: m.input.mailbox, messageId: m.messageId, reason: firstRefusal }, 'reply token refused');
  return { kind: 'rejected', reason: firstRefusal ?? 'no valid token' };
}

async function judge(tx: Db, ctx: RouteContext, m: RouteInput, c: Candidate, secret: string): Promise<AgentMailIdentity> {
  const { config, now } = ctx;
  // A mail sent to both mailboxes is ingested once per mailbox: only the copy in the mailbox the
  // token names may act, or its commands would run twice.
  if (c.mailbox !== m.input.mailbox) return { kind: 'rejected', reason: `token addressed to ${c.mailbox}, mail read from ${m.input.mailbox}` };
  const parsed = parseReplyToken(secret, c.token, config.people, now);
  if (!parsed.ok) return { kind: 'rejected', reason: `token ${parsed.reason}` };
  const { claims } = parsed;
  // The parser reads only the first From header, while the mail server may have judged DMARC on
  // another: a mail with two From headers cannot be trusted to be anyone's.
  const fromHeaders = m.mail.headers['from'] ?? [];
  if (fromHeaders.length !== 1) return { kind: 'rejected', reason: `mail has ${fromHeaders.length} From headers` };
  const senders = m.mail.from;
  if (senders.length !== 1) return { kind: 'rejected', reason: `From has ${senders.length} addresses` };
  if (senders[0]!.address !== claims.agent) return { kind: 'rejected', reason: `From ${senders[0]!.address} is not the token's agent` };
  const agent = config.people.find((p) => p.address === claims.agent);
  if (!agent) return { kind: 'rejected', reason: 'token agent no longer on staff' };
  const ticket = await getTicket(tx, claims.ticketId);
  if (!ticket) return { kind: 'rejected', reason: `token names ticket ${claims.ticketId}, which does not exist` };
  const scope = scopeRefusal(ticket, agent, c.mailbox);
  if (scope) return { kind: 'rejected', reason: scope };

  if (config.trustedAuthservId) {
    const domain = claims.agent.slice(claims.agent.lastIndexOf('@') + 1);
    const auth = judgeAuthentication(m.mail.headers['authentication-results'] ?? [], config.trustedAuthservId, domain);
    if (!auth.pass) return { kind: 'unauthenticated', agent, ticket, reason: auth.reason };
  }
  return { kind: 'agent', agent, ticket, via: c.via };
}

/** Private tickets are for managers through the management mailbox; team tickets never go there. */
function scopeRefusal(ticket: TicketRow, agent: Person, mailbox: MailboxName): string | null {
  if (ticket.private) {
    if (mailbox !== 'management') return 'a team token cannot act on a private ticket';
    if (agent.role !== 'manager') return 'only managers act on private tickets';
    return null;
  }
  if (mailbox !== ticket.mailbox) return `a ${mailbox} token cannot act on a ${ticket.mailbox} ticket`;
  return null;
}

/** Whether a mail names a reply token anywhere identifyAgentMail looks, valid or not. */
export function carriesReplyToken(config: Config, mail: ParsedMail, mailbox: MailboxName): boolean {
  return findTokens(config, mail, mailbox).length > 0;
}

/**
 * Tokens in the order they are most likely meant: plus addresses the mail was sent to (the
 * envelope headers our server adds first, then To and Cc), then our Message-IDs it answers.
 */
function findTokens(config: Config, mail: ParsedMail, mailbox: MailboxName): Candidate[] {
  const found: Candidate[] = [];
  const seen = new Set<string>();
  const add = (c: Candidate) => {
    if (seen.has(c.token)) return;
    seen.add(c.token);
    found.push(c);
  };
  const envelope = ['delivered-to', 'x-original-to'].flatMap((h) => mail.headers[h] ?? []).map((v) => v.replace(/^.*<|>.*$/g, '').trim());
  for (const address of [...envelope, ...mail.to.map((a) => a.address), ...mail.cc.map((a) => a.address)]) {
    for (const name of MAILBOXES) {
      const token = tokenFromAddress(address, config.mailboxes[name].address);
      if (token) add({ token, mailbox: name, via: 'address' });
    }
  }
  const ids = [...(mail.inReplyTo ? [mail.inReplyTo] : []), ...[...mail.references].reverse()];
  for (const id of ids) {
    const token = tokenFromMessageId(id, config.messageIdDomain);
    if (token) add({ token, mailbox, via: 'message-id' });
  }
  return found;
}
