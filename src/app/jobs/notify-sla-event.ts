import type { Config } from '../../config.js';
import type { Db } from '../../db/client.js';
import { getTicket } from '../../db/repositories/ticket-repository.js';
import type { StaffMailKind } from '../../outbound/build-staff-mail.js';
import type { SlaEvent } from '../../sla/escalation-plan.js';
import { slaStepDedupeKey } from '../../sla/sla-step-key.js';
import { enqueueStaffNotification } from '../notify/enqueue-staff-notification.js';
import type { SlaNotify } from './sweep-sla.js';
import { findPerson, staffWithRole } from '../../tickets/staff-directory.js';
import { ticketViewOf } from '../../tickets/ticket-view-of.js';
import { escalationFacts } from '../notify/escalation-facts.js';

/** The staff mail kind of an SLA step; also the label of the notifications metric. */
export function mailKind(event: SlaEvent): StaffMailKind {
  if (event.clock === 'qualification') return 'qualification-reminder';
  if (event.level === 'reminder') return 'sla-reminder';
  return event.level === 'breach' ? 'sla-breach' : 'sla-manager-escalation';
}

export interface SlaNotifyOptions {
  /**
   * Told of each step queued on a team ticket (the notifications metric). A private ticket's steps
   * are not told: /metrics is a team surface, and its reminders would count the complaints.
   */
  onTeamNotification?: (kind: StaffMailKind) => void;
}

/**
 * The sweeper's notifications as outbox rows, in the sweeper's transaction: the reminder exists
 * exactly when its step does. The dedupe key is the step's own key, so a re-run queues nothing.
 */
export function outboxSlaNotify(config: Config, clock: () => Date, options: SlaNotifyOptions = {}): SlaNotify {
  return async (tx: Db, n) => {
    const ticket = await getTicket(tx, n.ticketId);
    if (!ticket) return;
    const assignee = findPerson(config, ticket.assignee);
    let recipients = n.recipients === 'manager' || ticket.private ? staffWithRole(config, 'manager')
      : n.recipients === 'lead' ? staffWithRole(config, 'lead')
        : assignee ? [assignee] : staffWithRole(config, 'agent');
    // A critical breach does not wait for the morning digest: managers hear of it at once.
    if (ticket.priority === 'critical' && n.event.level === 'breach' && !ticket.private) {
      recipients = [...recipients, ...staffWithRole(config, 'manager').filter((m) => !recipients.includes(m))];
    }
    await enqueueStaffNotification(tx, { config, clock }, {
      ticket: ticketViewOf(config, ticket, { firstResponseDue: ticket.firstResponseDue, resolutionDue: ticket.resolutionDue }),
      kind: mailKind(n.event),
      recipients,
      notBefore: n.notBefore,
      dedupeKey: slaStepDedupeKey(ticket.id, n.event.key),
      data: {
        clock: n.event.clock, deadline: n.event.deadline, level: n.event.level,
        ...(n.event.level === 'reminder' ? {} : {
          escalation: await escalationFacts(tx, config, ticket, { clock: n.event.clock, deadline: n.event.deadline, now: clock() }),
        }),
      },
    });
    if (!ticket.private) options.onTeamNotification?.(mailKind(n.event));
  };
}
