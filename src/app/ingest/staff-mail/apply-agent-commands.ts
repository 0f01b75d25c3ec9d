import type { Person } from '../../../config.js';
import type { Db } from '../../../db/client.js';
import { appendEvents } from '../../../db/repositories/event-repository.js';
import type { TicketEvent } from '../../../tickets/ticket-event.js';
import { closePause, openPause, updateTicket, type TicketRow } from '../../../db/repositories/ticket-repository.js';
import type { AgentCommand } from '../../../inbound/agent-commands.js';
import { grantPriority } from '../../../inbound/classify.js';
import { asciiLowerAddress, caseFold } from '../../../inbound/case-fold.js';
import { enqueueStaffNotification } from '../../notify/enqueue-staff-notification.js';
import { enqueueSurvey } from '../../notify/enqueue-survey.js';
import { handToTeam } from './hand-to-team.js';
import { slaCommandStep } from './sla-command-step.js';
import type { RouteContext } from '../route-types.js';
import { findPerson, staffWithRole } from '../../../tickets/staff-directory.js';
import { ticketViewOf } from '../../../tickets/ticket-view-of.js';
import { escalationFacts } from '../../notify/escalation-facts.js';
import { TOP_LEVEL, currentLevel, levelAfterEscalation, stepOf } from '../../../tickets/escalation-ladder.js';
import { isOursOrStaff, ticketParticipants } from '../ticket-participants.js';


export interface CommandOutcome {
  /** The command as the agent would write it (`#status resolved`). */
  command: string;
  ok: boolean;
  /** What happened, or why nothing did. */
  message: string;
}

type TicketPatch = Parameters<typeof updateTicket>[2];

interface Step {
  ok: boolean;
  message: string;
  patch?: TicketPatch;
  data?: Record<string, unknown>;
  /** Side effects that only run when the command is applied. */
  effect?: () => Promise<void>;
}

/**
 * Applies an agent's commands to a locked ticket in order, each seeing the result of the one
 * before. Every applied command becomes an event with the agent as actor; the caller mails the
 * outcomes back. Returns the ticket as the commands left it. The SLA instants the commands set
 * (qualified, resolved, closed, pauses) are `arrivedAt`, when the agent's mail reached us; the
 * events are stamped when they were recorded.
 */
export async function applyAgentCommands(
  tx: Db, ctx: RouteContext,
  input: { ticket: TicketRow; agent: Person; commands: AgentCommand[]; written?: readonly string[]; rawMailId: number; arrivedAt: Date },
): Promise<{ ticket: TicketRow; outcomes: CommandOutcome[] }> {
  const { now } = ctx;
  let ticket = input.ticket;
  const outcomes: CommandOutcome[] = [];
  const events: TicketEvent[] = [];
  for (const [index, command] of input.commands.entries()) {
    // Echoed as typed (`#not`, not `#note`); events keep the canonical form below.
    const echo = input.written?.[index] ?? commandText(command);
    // #note decides where the reply goes, not what the ticket is; the reply use case handles it.
    if (command.kind === 'note') {
      outcomes.push({ command: echo, ok: true, message: input.agent.language === 'tr'
        ? 'iç not olarak saklandı; müşteriye hiçbir şey gönderilmedi' : 'kept as an internal note; nothing was sent to the client' });
      continue;
    }
    const step = await applyOne(tx, ctx, ticket, input.agent, command, input.rawMailId, input.arrivedAt);
    outcomes.push({ command: echo, ok: step.ok, message: step.message });
    if (!step.ok) continue;
    if (step.patch && Object.keys(step.patch).length > 0) {
      await updateTicket(tx, ticket.id, step.patch, now);
      ticket = { ...ticket, ...step.patch, updatedAt: now } as TicketRow;
    }
    await step.effect?.();
    events.push({
      ticketId: ticket.id, at: now, actor: input.agent.address, kind: `command-${command.kind}`,
      reason: step.message,
      data: { command: commandText(command), rawMailId: input.rawMailId, arrivedAt: input.arrivedAt.toISOString(), ...step.data },
    });
  }
  await appendEvents(tx, events);
  return { ticket, outcomes };
}

async function applyOne(
  tx: Db, ctx: RouteContext, ticket: TicketRow, agent: Person, command: Exclude<AgentCommand, { kind: 'note' }>, rawMailId: number,
  arrivedAt: Date,
): Promise<Step> {
  const { config, now } = ctx;
  switch (command.kind) {
    case 'status':
      return statusStep(tx, ctx, ticket, command.status, arrivedAt);
    case 'priority': {
      const rule = config.policy.types.find((t) => t.slug === ticket.type);
      if (!rule) return { ok: false, message: `type ${ticket.type} is not in the policy` };
      const granted = grantPriority(rule, command.priority);
      if (granted.priority === ticket.priority) return { ok: true, message: `priority stays ${granted.priority} (${granted.reason})` };
      return {
        ok: true, message: `priority ${ticket.priority} → ${granted.priority} (${granted.reason}); deadlines recomputed from the original starts`,
        patch: { priority: granted.priority, priorityReason: `set by ${agent.address}: ${granted.reason}` },
        data: { from: ticket.priority, to: granted.priority, requested: command.priority },
      };
    }
    case 'type': {
      const rule = config.policy.types.find((t) => t.slug === command.type);
      if (!rule) return { ok: false, message: `type ${command.type} is not in the policy` };
      // Privacy follows the mailbox a ticket came from; a type change must not move it across.
      if ((rule.private === true) !== ticket.private) {
        return { ok: false, message: `${rule.slug} is ${rule.private ? 'a private' : 'a team'} type and ${ticket.number} is ${ticket.private ? 'private' : 'a team ticket'}: privacy cannot change` };
      }
      const granted = grantPriority(rule, ticket.priority as never);
      return {
        ok: true, message: `type ${ticket.type} → ${rule.slug}${granted.priority !== ticket.priority ? `; priority ${ticket.priority} → ${granted.priority} (${granted.reason})` : ''}`,
        patch: { type: rule.slug, typeSource: 'agent', priority: granted.priority,
          ...(granted.priority !== ticket.priority ? { priorityReason: `type set by ${agent.address}: ${granted.reason}` } : {}) },
        data: { from: ticket.type, to: rule.slug },
      };
    }
    case 'assign': {
      const person = resolvePerson(config.people, command.agent);
      if ('reason' in person) return { ok: false, message: person.reason };
      if (ticket.private && person.role !== 'manager') return { ok: false, message: `${ticket.number} is private: only a manager can be assigned` };
      return { ok: true, message: `assigned to ${person.name} <${person.address}>`, patch: { assignee: person.address }, data: { from: ticket.assignee, to: person.address } };
    }
    case 'team': {
      const handed = await handToTeam(tx, ctx, ticket, agent);
      if (!handed.ok) return { ok: false, message: handed.reason };
      return { ok: true, message: `handed to the team as ${handed.number}: the team is notified; nothing else of this ticket is shown to them`,
        data: { teamTicket: handed.number, teamTicketId: handed.ticketId } };
    }
    case 'qualified':
      if (ticket.qualifiedAt) return { ok: false, message: `already qualified at ${ticket.qualifiedAt.toISOString()}` };
      return { ok: true, message: 'qualified: the resolution clock starts when your mail arrived', patch: { qualifiedAt: arrivedAt } };
    case 'escalate': {
      if (currentLevel(ticket.escalationLevel) >= TOP_LEVEL) return { ok: false, message: 'already escalated to the manager, the top of the ladder' };
      const level = levelAfterEscalation(ticket.escalationLevel);
      const step = stepOf(level);
      const recipients = ticket.private || step === 'manager' ? staffWithRole(config, 'manager')
        : step === 'lead' ? staffWithRole(config, 'lead')
          : ((p) => (p ? [p] : staffWithRole(config, 'agent')))(findPerson(config, ticket.assignee));
      return {
        ok: true, message: `escalated to level ${level} (${step}): ${recipients.map((r) => r.address).join(', ') || 'nobody configured'} notified`,
        patch: { escalationLevel: level },
        data: { level, step, recipients: recipients.map((r) => r.address) },
        effect: async () => {
          await enqueueStaffNotification(tx, { config, clock: () => now }, {
            ticket: ticketViewOf(config, { ...ticket, escalationLevel: level }, { firstResponseDue: ticket.firstResponseDue, resolutionDue: ticket.resolutionDue }),
            kind: 'client-escalation', recipients, notBefore: now,
            dedupeKey: `agent-escalation:${ticket.id}:${rawMailId}`,
            // Said by name: the mail is the client-escalation one, and it must not blame the client.
            data: { level, step, escalatedBy: `${agent.name} <${agent.address}>`, escalation: await escalationFacts(tx, config, ticket, null) },
          });
        },
      };
    }
    case 'sla':
      return slaCommandStep(tx, ticket, agent, command, arrivedAt);
    case 'cc': {
      const { address, action } = command;
      if (address === ticket.requesterAddress) return { ok: false, message: `${address} is the requester: every reply goes to them` };
      if (isOursOrStaff(config, address)) return { ok: false, message: `${address} is our own address or staff: only people on the client's side can be on Cc` };
      const current = await ticketParticipants(tx, config, ticket);
      const on = current.some((p) => p.address === address);
      if (action === 'add') {
        return on ? { ok: true, message: `${address} already receives the replies (Cc)` }
          : { ok: true, message: `${address} added: the replies sent to the client go to them too (Cc), and they may write on the ticket`, data: { action, address } };
      }
      return on ? { ok: true, message: `${address} removed: the replies sent to the client no longer go to them`, data: { action, address } }
        : { ok: false, message: `${address} is not on the ticket's Cc (${current.map((p) => p.address).join(', ') || 'nobody is'})` };
    }
  }
}

async function statusStep(
  tx: Db, ctx: RouteContext, ticket: TicketRow, status: 'open' | 'waiting' | 'resolved' | 'closed', at: Date,
): Promise<Step> {
  const { config, now } = ctx;
  if (ticket.status === status) return { ok: true, message: `status is already ${status}` };
  const from = ticket.status;
  const leaveWaiting = from === 'waiting' ? () => closePause(tx, ticket.id, at) : async () => false;
  const data = { from, to: status };
  switch (status) {
    case 'waiting':
      return { ok: true, message: `status ${from} → waiting: the resolution clock is paused until the client replies`, data,
        patch: { status, resolvedAt: null, closedAt: null }, effect: async () => { await openPause(tx, ticket.id, at); } };
    case 'open':
      return { ok: true, message: `status ${from} → open`, data, patch: { status, resolvedAt: null, closedAt: null },
        effect: async () => { await leaveWaiting(); } };
    case 'resolved':
      return { ok: true, message: `status ${from} → resolved; the client is asked for a score`, data,
        patch: { status, resolvedAt: at, closedAt: null },
        effect: async () => {
          await leaveWaiting();
          await enqueueSurvey(tx, { config, clock: () => now }, { ticket: { ...ticket, status, resolvedAt: at } });
        } };
    case 'closed':
      return { ok: true, message: `status ${from} → closed`, data,
        patch: { status, closedAt: at, resolvedAt: ticket.resolvedAt ?? at },
        effect: async () => { await leaveWaiting(); } };
  }
}

/** A configured person by address, or by a name token that fits exactly one of them. */
function resolvePerson(people: readonly Person[], written: string): Person | { reason: string } {
  if (written.includes('@')) {
    const address = asciiLowerAddress(written.replace(/^<|>$/g, ''));
    return people.find((p) => p.address === address) ?? { reason: `${address} is not a configured person` };
  }
  const token = caseFold(written);
  const matches = people.filter((p) => caseFold(p.name).split(' ').includes(token) || caseFold(p.address.split('@')[0]!) === token);
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0) return { reason: `nobody configured is called "${written}"` };
  return { reason: `"${written}" fits ${matches.length} people (${matches.map((p) => p.address).join(', ')}): write the address` };
}

/** How the command reads in a confirmation mail. */
export function commandText(command: AgentCommand): string {
  switch (command.kind) {
    case 'status': return `#status ${command.status}`;
    case 'priority': return `#priority ${command.priority}`;
    case 'type': return `#type ${command.type}`;
    case 'assign': return `#assign ${command.agent}`;
    case 'cc': return `#cc ${command.action} ${command.address}`;
    case 'sla':
      return command.action === 'resume' ? '#sla resume'
        : command.action === 'pause' ? `#sla pause ${command.reason}` : `#sla extend ${command.clock} ${command.minutes}m ${command.reason}`;
    default: return `#${command.kind}`;
  }
}
