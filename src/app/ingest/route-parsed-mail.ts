import type { Db } from '../../db/client.js';
import { deferOr } from '../../db/write-behind.js';
import { appendEvents } from '../../db/repositories/event-repository.js';
import { insertMessage } from '../../db/repositories/message-repository.js';
import {
  findThreadRefByNumber, findThreadRefsByMessageIds, findTicketByNumber, isTicketParticipant, lockForKey,
} from '../../db/repositories/ticket-repository.js';
import { decideThread, type ThreadDecision, type TicketThreadRef } from '../../inbound/decide-thread.js';
import { sameOrganisation } from '../../inbound/same-organisation.js';
import { mayContinueThread } from '../../inbound/thread-membership.js';
import { applyAgentReply } from './staff-mail/apply-agent-reply.js';
import { applyClientReply } from './apply-client-reply.js';
import { identifyAgentMail } from './staff-mail/identify-agent-mail.js';
import { recordSurveyAnswer } from './record-survey-answer.js';
import type { IngestOutcome } from '../../inbound/ingest-types.js';
import type { RouteContext, RouteInput } from './route-types.js';
import { inboundMessageRow } from './inbound-message-row.js';
import { openTicket } from './open-ticket.js';
import { findPerson } from '../../tickets/staff-directory.js';
import { requesterOf } from '../../tickets/plan-new-ticket.js';
import { refuseStaffMail } from './staff-mail/refuse-staff-mail.js';
import { recordMachineMail } from './record-machine-mail.js';

type Routed = Omit<IngestOutcome, 'rawMailId'>;

/**
 * Decides what a stored mail is (our own mail back, a bounce, an out-of-office, a reply, a new
 * ticket) and writes the consequences. Runs inside the ingest transaction: database only.
 */
export async function routeParsedMail(tx: Db, ctx: RouteContext, input: RouteInput): Promise<Routed> {
  let m = input;
  const { noise, mail } = m;
  const why = noise.reasons.join('; ');
  if (noise.kind === 'loop') {
    return { decision: 'loop', acknowledge: false, reason: `our own mail came back: loop (${why})`, ticket: null, verdict: 'loop' };
  }
  const machine = await recordMachineMail(tx, ctx, noise, mail);
  if (machine) return machine;

  // Staff act on a ticket only through a signed reply address and their own From
  // (judgeStaffMail); staff mail without one is refused, never read as a client's. A token used by
  // anyone else falls through and is read as a client's mail. An out-of-office answering our
  // notification must never act as its agent.
  if (noise.kind !== 'auto-reply') {
    const agentMail = await identifyAgentMail(tx, ctx, m);
    if (agentMail.kind === 'agent' || agentMail.kind === 'unauthenticated') {
      return applyAgentReply(tx, ctx, m, {
        agent: agentMail.agent, ticketId: agentMail.ticket.id,
        unauthenticated: agentMail.kind === 'unauthenticated' ? agentMail.reason : undefined,
      });
    }
    if (agentMail.kind === 'refused') return refuseStaffMail(tx, ctx, m, agentMail);
    if (agentMail.kind === 'other-copy') {
      return { decision: 'duplicate', acknowledge: false, reason: `staff mail from ${agentMail.agent.address}: ${agentMail.reason}`, ticket: null };
    }
  }

  // One mail that reached both mailboxes arrives twice, in either order; once one copy opened a
  // private ticket, the other is joined to it whatever it looks like (a Bcc copy to management
  // leaves no trace in the support copy's headers), so it never opens a team ticket.
  const twin = await findPrivateTwin(tx, ctx, m);
  if (twin) return twin;

  let thread = await findThread(tx, ctx, m);
  if (thread.kind === 'new' && !m.classification.private && thread.privateCandidate) {
    // A mail on a private (management) thread that came to support, e.g. a complainant who
    // answered to the wrong address: it must not become a team ticket carrying the complaint.
    // It is read as private mail, so it joins the private thread and the team never sees it.
    m = { ...m, classification: { ...m.classification, private: true } };
    thread = await findThread(tx, ctx, m);
    ctx.logger.info({ mailbox: m.input.mailbox, rawMailId: m.rawMailId }, 'mail on a private thread kept private');
  }
  if (thread.ignored.length > 0) {
    // How many, not which: a private number in the log would tell the team a complaint is there
    // (the numbers and reasons are in the raw mail's decision, shown with --private).
    ctx.logger.info({ ignored: thread.ignored.length, mailbox: m.input.mailbox }, 'thread candidates refused');
  }
  if (noise.kind === 'auto-reply') {
    if (thread.kind === 'reply' || thread.kind === 'reopen') {
      // An out-of-office on a ticket is kept for the agent but changes no status and no clock.
      await deferOr(ctx.writes, insertMessage(tx, inboundMessageRow(thread.ticket.id, m, 'client')));
      await deferOr(ctx.writes, appendEvents(tx, [{ ticketId: thread.ticket.id, at: ctx.now, actor: 'client', kind: 'auto-reply-received', reason: why }]));
      return { decision: 'auto-reply', acknowledge: false, reason: `${noise.machine.kind} (${why}) kept on ${thread.ticket.number}`, ticket: null, verdict: noise.machine.kind };
    }
    return { decision: 'auto-reply', acknowledge: false, reason: `${noise.machine.kind} (${why}); no ticket it belongs to`, ticket: null, verdict: noise.machine.kind };
  }
  if (thread.kind === 'reopen' && thread.ticket.status === 'resolved') {
    const answered = await recordSurveyAnswer(tx, ctx, m, thread.ticket.id);
    if (answered) return answered;
  }
  if (thread.kind === 'reply' || thread.kind === 'reopen') {
    const ticket = await applyClientReply(tx, ctx, m, thread.ticket.id, { reopen: thread.kind === 'reopen', via: thread.via });
    if (ticket.private) ctx.privateCopies?.set(m.messageId, [{ id: ticket.id, private: true }]);
    return { decision: 'reply', acknowledge: false, reason: `reply to ${ticket.number} (matched by ${thread.via})`, ticket };
  }
  const linkedTo = thread.kind === 'new-linked' ? thread.linkedTo : null;
  await ctx.pendingTickets?.write();
  const opened = await openTicket(tx, ctx, m, linkedTo);
  if (opened.ticket?.private) ctx.privateCopies?.set(m.messageId, [{ id: opened.ticket.id, private: true }]);
  return opened;
}

/**
 * The private ticket this very mail (same Message-ID) already opened or joined through the other
 * mailbox; the copy is recorded on it as an internal message. The requester's lock first
 * (openTicket takes it anyway): the other copy may be opening its ticket right now, and is seen
 * only once it commits.
 */
async function findPrivateTwin(tx: Db, ctx: RouteContext, m: RouteInput): Promise<Routed | null> {
  const { lockKey } = requesterOf(ctx.config, m);
  if (lockKey && m.classification.private) await lockForKey(tx, lockKey);
  const copies = (ctx.privateCopies ?? await findThreadRefsByMessageIds(tx, [m.messageId])).get(m.messageId) ?? [];
  const twin = copies.find((t) => t.private);
  if (!twin) return null;
  await insertMessage(tx, { ...inboundMessageRow(twin.id, m, 'client'), direction: 'internal' });
  await deferOr(ctx.writes, appendEvents(tx, [{ ticketId: twin.id, at: ctx.now, actor: 'system', kind: 'copy-joined',
    reason: `the copy of the same mail read from ${m.input.mailbox} joined`, data: { rawMailId: m.rawMailId, mailbox: m.input.mailbox } }]));
  return { decision: 'duplicate', acknowledge: false, reason: 'the same mail already reached a private ticket through the other mailbox', ticket: null, recordedOn: twin.id };
}

async function findThread(tx: Db, ctx: RouteContext, m: RouteInput): Promise<ThreadDecision & { privateCandidate: boolean }> {
  const { mail, classification } = m;
  const privateMail = classification.private;
  // A private ticket belongs to management whichever address it first came to.
  const mailbox = privateMail ? 'management' : m.input.mailbox;
  const tag = classification.tags.threadToken;
  let token = tag ? await findThreadRefByNumber(tx, tag) : null;
  if (tag && !token && ctx.pendingTickets) {
    await ctx.pendingTickets.write();
    token = await findThreadRefByNumber(tx, tag);
  }
  const ids = [...new Set([...(mail.inReplyTo ? [mail.inReplyTo] : []), ...mail.references])];
  const byId = await findThreadRefsByMessageIds(tx, ids);
  // Of several tickets sharing one Message-ID, the one of the mail's own scope is the candidate.
  const pick = (id: string): TicketThreadRef | null => {
    const refs = byId.get(id) ?? [];
    return refs.find((r) => r.private === privateMail && r.mailbox === mailbox) ?? refs[0] ?? null;
  };
  const inReplyTo = mail.inReplyTo ? pick(mail.inReplyTo) : null;
  const references = [...mail.references].reverse().map(pick).filter((t): t is TicketThreadRef => t !== null);
  let decision = decideThread({
    privateMail, mailbox, token, inReplyTo, references, now: ctx.now, reopenWindowDays: ctx.config.limits.reopenWindowDays,
  });
  // Headers and subject tokens prove nothing about the sender (mayContinueThread): a stranger
  // answering a client's acknowledgement, or writing "[#SR-1042] [Escalate]", must not reopen,
  // resume or escalate someone else's ticket; they get a new ticket linked to it.
  if (decision.kind === 'reply' || decision.kind === 'reopen') {
    const sender = mail.from[0]?.address ?? '';
    const participant = sender !== '' && await isTicketParticipant(tx, decision.ticket.id, sender);
    // The requester is read only when it can change the answer (one query less on most replies).
    const colleague = sender !== '' && !participant && decision.via === 'token'
      && sameOrganisation(sender, (await findTicketByNumber(tx, decision.ticket.number))?.requesterAddress ?? '');
    const member = sender !== '' && mayContinueThread({
      via: decision.via, participant, staff: findPerson(ctx.config, sender) !== null, colleague,
    });
    if (!member) {
      decision = { kind: 'new-linked', linkedTo: decision.ticket, via: decision.via, ignored: [...decision.ignored, { number: decision.ticket.number, why: `${sender || 'the sender'} is not a participant` }] };
    }
  }
  const privateCandidate = [token, inReplyTo, ...references].some((t) => t !== null && t.private);
  return { ...decision, privateCandidate };
}
