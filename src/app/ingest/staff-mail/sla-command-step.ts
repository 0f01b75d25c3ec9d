import type { Person } from '../../../config.js';
import type { Db } from '../../../db/client.js';
import { closePause, hasOpenPause, openPause, type TicketRow } from '../../../db/repositories/ticket-repository.js';
import type { AgentCommand } from '../../../inbound/agent-commands.js';

type SlaCommand = Extract<AgentCommand, { kind: 'sla' }>;

export interface SlaStep {
  ok: boolean;
  message: string;
  patch?: { firstResponseExtraMinutes?: number; resolutionExtraMinutes?: number };
  data?: Record<string, unknown>;
  effect?: () => Promise<void>;
}

/** Who may move a ticket's clocks: the agreement's targets are the lead's and the manager's to bend. */
const MAY_ADJUST = new Set<Person['role']>(['lead', 'manager']);

/**
 * `#sla pause|resume|extend` on a locked ticket. The caller records the applied step as an event
 * (actor, reason in data) and recomputes the stored deadlines after it; the pause starts and ends
 * when the staff member's mail arrived, like `#status waiting`.
 */
export async function slaCommandStep(tx: Db, ticket: TicketRow, by: Person, command: SlaCommand, arrivedAt: Date): Promise<SlaStep> {
  if (!MAY_ADJUST.has(by.role)) {
    return { ok: false, message: `only a lead or a manager may adjust the SLA clocks; ${by.address} is ${by.role === 'agent' ? 'an agent' : by.role}: ask your lead` };
  }
  if (ticket.status === 'resolved' || ticket.status === 'closed') {
    return { ok: false, message: `${ticket.number} is ${ticket.status}: its clocks have stopped` };
  }
  switch (command.action) {
    case 'pause': {
      if (await hasOpenPause(tx, ticket.id)) return { ok: false, message: `the resolution clock of ${ticket.number} is already paused` };
      return {
        ok: true, message: `resolution clock paused (${command.reason}); it runs again with #sla resume`,
        data: { action: 'pause', reason: command.reason },
        effect: async () => { await openPause(tx, ticket.id, arrivedAt); },
      };
    }
    case 'resume': {
      // A waiting ticket's pause is the client's: it ends when they reply or the status changes.
      if (ticket.status === 'waiting') return { ok: false, message: `${ticket.number} is waiting on the client: set #status open to run its clock again` };
      if (!(await hasOpenPause(tx, ticket.id))) return { ok: false, message: `the resolution clock of ${ticket.number} is not paused` };
      return {
        ok: true, message: 'resolution clock running again',
        data: { action: 'resume' },
        effect: async () => { await closePause(tx, ticket.id, arrivedAt); },
      };
    }
    case 'extend': {
      const column = command.clock === 'first-response' ? 'firstResponseExtraMinutes' : 'resolutionExtraMinutes';
      const total = ticket[column] + command.minutes;
      return {
        ok: true,
        message: `${command.clock} target extended by ${command.minutes} working minutes (${total} in all) (${command.reason}); the deadline is recomputed`,
        patch: { [column]: total },
        data: { action: 'extend', clock: command.clock, minutes: command.minutes, totalMinutes: total, reason: command.reason },
      };
    }
  }
}
