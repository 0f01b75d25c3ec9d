import { randomUUID } from 'node:crypto';
import type { Person } from '../../../config.js';
import type { Db } from '../../../db/client.js';
import { appendEvents } from '../../../db/repositories/event-repository.js';
import type { TicketEvent } from '../../../tickets/ticket-event.js';
import { findAppliedStaffMail, insertMessage } from '../../../db/repositories/message-repository.js';
import { enqueue, isSuppressed, suppressedAmong } from '../../../db/repositories/outbox-repository.js';
import { lockForKey, lockTicket, updateTicket, type TicketRow } from '../../../db/repositories/ticket-repository.js';
import { SlagateError } from '../../../errors.js';
import { commandErrorText } from '../../../inbound/command-error-text.js';
import { parseAgentCommands, type CommandError, type ParsedCommands } from '../../../inbound/agent-commands.js';
import { extractNewText } from '../../../inbound/reply-text.js';
import { buildClientMail } from '../../../outbound/build-client-mail.js';
import type { Language } from '../../../outbound/outbound-mail.js';
import type { Priority } from '../../../policy/priorities.js';
import { forwardPlanOfMail } from '../../../outbound/forwarded-attachments.js';
import { ticketParticipants } from '../ticket-participants.js';
import type { ParticipantFact } from '../../../tickets/participants.js';
import { applyAgentCommands, type CommandOutcome } from './apply-agent-commands.js';
import { arrivalTime } from '../../../tickets/arrival-time.js';
import { clientThread } from '../../notify/client-thread.js';
import { enqueueStaffNotification } from '../../notify/enqueue-staff-notification.js';
import { attachmentRows, inboundMessageRow } from '../inbound-message-row.js';
import type { IngestOutcome } from '../../../inbound/ingest-types.js';
import { recomputeTicketSla } from '../recompute-ticket-sla.js';
import type { RouteContext, RouteInput } from '../route-types.js';
import { ticketViewOf } from '../../../tickets/ticket-view-of.js';

type Routed = Omit<IngestOutcome, 'rawMailId'>;

/**
 * A verified reply from a member of staff: the commands at its top run, and what remains of the
 * new text goes to the client in their thread (unless `#note`, or the command block is not
 * clean: then the agent is told nothing was sent). When our mail server did not
 * vouch for the mail (`unauthenticated`), it is only kept, as an internal message, and the agent
 * is told why nothing happened. Runs inside the ingest transaction; the raw mail's uniqueness
 * there is what makes a redelivered command mail change nothing.
 */
export async function applyAgentReply(
  tx: Db, ctx: RouteContext, m: RouteInput,
  who: { agent: Person; ticketId: number; unauthenticated?: string },
): Promise<Routed> {
  const { config, now } = ctx;
  const { agent } = who;
  // Exactly once per command mail: a copy with the same Message-ID but another Date or an appended
  // footer is a new raw mail, never a second application (nor a second relay to the client). The
  // key lock makes two copies arriving at once wait for each other, even with tokens of two tickets.
  await lockForKey(tx, `staff-mail:${m.messageId}`);
  const applied = await findAppliedStaffMail(tx, m.messageId);
  if (applied) {
    return { decision: 'duplicate', acknowledge: false, ticket: null,
      reason: `staff mail ${m.messageId} from ${agent.address} already applied (raw mail ${applied.rawMailId ?? '?'}, ticket id ${applied.ticketId}); not applied again` };
  }
  const locked = await lockTicket(tx, who.ticketId);
  if (!locked) throw new SlagateError('INTERNAL', `ticket ${who.ticketId} vanished while applying an agent reply`);
  let ticket: TicketRow = locked;
  const authorKind = agent.role === 'manager' ? 'manager' : 'agent';
  const newText = extractNewText(m.mail.text).body;

  if (who.unauthenticated) {
    await insertMessage(tx, { ...inboundMessageRow(ticket.id, m, authorKind), direction: 'internal', text: newText }, attachmentRows(m));
    await appendEvents(tx, [{ ticketId: ticket.id, at: now, actor: agent.address, kind: 'agent-mail-unauthenticated',
      reason: `kept internal, nothing sent, no command run: ${who.unauthenticated}`, data: { rawMailId: m.rawMailId, messageId: m.messageId } }]);
    await confirm(tx, ctx, ticket, agent, m.rawMailId, [{
      command: 'reply', ok: false,
      message: `Your mail was kept on the ticket as an internal message: it was not sent to the client and no command was run, because our mail server did not confirm it came from you (${who.unauthenticated}).`,
    }]);
    return outcome(ticket, `agent mail from ${agent.address} on ${ticket.number} kept internal: ${who.unauthenticated}`);
  }

  const parsed = parseAgentCommands(newText, config.policy);
  const note = parsed.commands.some((c) => c.kind === 'note');
  const withheld = note || parsed.rest.trim() === '' ? null : withholdReason(parsed);
  const wantsRelay = !note && withheld === null && parsed.rest.trim() !== '';
  // A client under suppression (a verified hard bounce) gets nothing: the text stays internal,
  // is never recorded as relayed nor as a first response, and the agent is told.
  const suppressed = wantsRelay && await isSuppressed(tx, ticket.requesterAddress, now);
  const relay = wantsRelay && !suppressed;
  const arrivedAt = arrivalTime(m.input.receivedAt, now);
  await insertMessage(tx, {
    ...inboundMessageRow(ticket.id, m, authorKind), direction: relay ? 'outbound' : 'internal', text: relay ? parsed.rest : newText,
  }, attachmentRows(m));
  const events: TicketEvent[] = [];

  if (relay) {
    const relayed = await relayToClient(tx, ctx, ticket, agent, parsed.rest, m, ccChanges(parsed, now));
    const patch: Parameters<typeof updateTicket>[2] = {};
    if (ticket.firstResponseAt === null) patch.firstResponseAt = arrivedAt;
    if (ticket.status === 'new') patch.status = 'open';
    if (Object.keys(patch).length > 0) {
      await updateTicket(tx, ticket.id, patch, now);
      ticket = { ...ticket, ...patch };
    }
    events.push({ ticketId: ticket.id, at: now, actor: agent.address, kind: 'agent-replied', reason: relayed.reason,
      data: { rawMailId: m.rawMailId, firstResponse: patch.firstResponseAt !== undefined, arrivedAt: arrivedAt.toISOString() } });
  } else if (suppressed) {
    events.push({ ticketId: ticket.id, at: now, actor: agent.address, kind: 'agent-reply-not-sent',
      reason: `kept internal, nothing sent: ${ticket.requesterAddress} is suppressed after a hard bounce`, data: { rawMailId: m.rawMailId } });
  } else if (withheld) {
    events.push({ ticketId: ticket.id, at: now, actor: agent.address, kind: 'agent-reply-withheld',
      reason: `kept internal, nothing sent to the client: ${withheld}`, data: { rawMailId: m.rawMailId } });
  } else {
    events.push({ ticketId: ticket.id, at: now, actor: agent.address, kind: note ? 'internal-note' : 'agent-mail-kept',
      reason: note ? '#note: nothing sent to the client' : 'no text for the client', data: { rawMailId: m.rawMailId } });
  }
  await appendEvents(tx, events);

  const commandsApplied = await applyAgentCommands(tx, ctx, { ticket, agent, commands: parsed.commands, written: parsed.written, rawMailId: m.rawMailId, arrivedAt });
  ticket = commandsApplied.ticket;
  await recomputeTicketSla(tx, ticket.id, config.policy, now);
  const outcomes = [...commandsApplied.outcomes, ...parsed.errors.map((e) => errorOutcome(e, agent.language))];
  if (suppressed) {
    outcomes.push({ command: 'reply', ok: false, message:
      `Your text was kept on the ticket as an internal message and was NOT sent, because mail to ${ticket.requesterAddress} `
      + 'bounced permanently and the address is suppressed for now. Reach the client another way (phone, another address).' });
  }
  if (withheld) {
    outcomes.push({ command: 'reply', ok: false, message:
      `Your text was kept on the ticket as an internal message and was NOT sent to the client, because ${withheld}. `
      + 'To send it, reply again with the commands corrected (or none) and the text for the client after them.' });
  }
  if (outcomes.length > 0) await confirm(tx, ctx, ticket, agent, m.rawMailId, outcomes);

  const summary = [relay ? 'relayed to the client' : suppressed ? 'not sent: client suppressed' : note ? 'internal note' : withheld ? `withheld: ${withheld}` : 'kept',
    ...outcomes.map((o) => `${o.command} ${o.ok ? 'applied' : 'refused'}`)].join('; ');
  return outcome(ticket, `agent reply from ${agent.address} on ${ticket.number}: ${summary}`);
}

async function relayToClient(
  tx: Db, ctx: RouteContext, ticket: TicketRow, agent: Person, body: string, m: RouteInput, pending: ParticipantFact[],
): Promise<{ reason: string }> {
  const { rawMailId } = m;
  const { config, now } = ctx;
  if (await isSuppressed(tx, ticket.requesterAddress, now)) {
    return { reason: `not relayed: ${ticket.requesterAddress} is suppressed after a hard bounce` };
  }
  // The client's colleagues on the thread get the answer too (Cc), as the `#cc` lines of this
  // very mail leave them; an address that hard-bounced is left out.
  const participants = await ticketParticipants(tx, config, ticket, pending);
  const bounced = participants.length > 0 ? await suppressedAmong(tx, participants.map((p) => p.address), now) : new Set<string>();
  const cc = participants.filter((p) => !bounced.has(p.address));
  // The agent's files (a PDF, a fixed export) go to the client with the text.
  const forwarded = forwardPlanOfMail(config, rawMailId, m.mail.attachments);
  const mail = buildClientMail(config, {
    kind: 'agent-relay',
    ticket: ticketViewOf(config, ticket, { firstResponseDue: ticket.firstResponseDue, resolutionDue: ticket.resolutionDue }),
    to: { name: ticket.requesterName ?? '', address: ticket.requesterAddress },
    cc,
    lang: (ticket.requesterLanguage as Language | null) ?? config.defaultLanguage,
    dedupeKey: `relay:${rawMailId}`,
    data: { body, agentName: agent.name, files: forwarded.files },
    thread: await clientThread(tx, ticket.id),
    random: randomUUID(),
  });
  if (forwarded.attach.length > 0) mail.attachments = forwarded.attach;
  await enqueue(tx, mail, { now });
  return { reason: `relayed to ${[ticket.requesterAddress, ...cc.map((p) => p.address)].join(', ')} as ${mail.messageId}` };
}

/** One confirmation per command, in the agent's language, sent at once (they just wrote). */
async function confirm(
  tx: Db, ctx: RouteContext, ticket: TicketRow, agent: Person, rawMailId: number, outcomes: CommandOutcome[],
): Promise<void> {
  const { config, now } = ctx;
  const view = ticketViewOf(config, ticket, { firstResponseDue: ticket.firstResponseDue, resolutionDue: ticket.resolutionDue });
  for (const [i, o] of outcomes.entries()) {
    await enqueueStaffNotification(tx, { config, clock: () => now }, {
      ticket: view, kind: 'command-result', recipients: [agent], notBefore: now,
      dedupeKey: `command-result:${rawMailId}:${i}`, data: { command: o.command, ok: o.ok, message: o.message },
    });
  }
}

/**
 * Why the text after the commands must not reach the client although no `#note` was read: a
 * mistyped `#notes` or `# note` means the agent meant it internal, and a command block with a
 * mistake in it is not what they meant to send either. Sending it cannot be undone; keeping it
 * can be, by replying again.
 */
function withholdReason(parsed: ParsedCommands): string | null {
  if (parsed.errors.length > 0) {
    return `the command block has ${parsed.errors.length === 1 ? 'an error' : `${parsed.errors.length} errors`} (${parsed.errors.map((e) => `"${e.line}": ${e.reason}`).join('; ')})`;
  }
  const first = parsed.rest.split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
  if (first.startsWith('#')) return `its first line "${first.slice(0, 80)}" starts with # but is not a command`;
  return null;
}

/** The `#cc` lines of the mail being applied, as facts the relay of that same mail already honours. */
function ccChanges(parsed: ParsedCommands, now: Date): ParticipantFact[] {
  return parsed.commands.flatMap((c) => (c.kind === 'cc' ? [{ kind: 'cc' as const, at: now, action: c.action, address: c.address }] : []));
}

function errorOutcome(e: CommandError, lang: 'tr' | 'en'): CommandOutcome {
  return { command: e.line, ok: false, message: commandErrorText(e, lang) };
}

function outcome(ticket: TicketRow, reason: string): Routed {
  return {
    decision: 'reply', acknowledge: false, reason,
    ticket: { id: ticket.id, number: ticket.number, type: ticket.type, priority: ticket.priority as Priority, private: ticket.private },
  };
}
