import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import type { Db } from '../../db/client.js';
import { appendEvents } from '../../db/repositories/event-repository.js';
import type { TicketEvent } from '../../tickets/ticket-event.js';
import {
  claimDueSlaTickets, insertSlaAlerts, raiseEscalationLevels, listPauses, listSlaAlerts, storeSlaSchedules, type SlaAlertRow, type SlaSchedule,
} from '../../db/repositories/sla-repository.js';
import type { Policy } from '../../policy/default-policy.js';
import type { Priority } from '../../policy/priorities.js';
import {
  eventKind, holdForStaff, planSlaEvents, recipientsFor, type SlaEvent, type SlaRecipients,
} from '../../sla/escalation-plan.js';
import { slaStepKey } from '../../sla/sla-step-key.js';
import { nextLookAt, slaStateOf } from '../../tickets/stored-sla.js';
import { currentLevel, levelAfterSlaStep } from '../../tickets/escalation-ladder.js';

/** A staff notification decided by the sweeper; the outbound side turns it into an outbox row. */
export interface SlaNotification {
  ticketId: number;
  event: SlaEvent;
  recipients: SlaRecipients;
  /** Not sent before this instant: staff mail outside business hours waits (critical never does). */
  notBefore: Date;
}

/** Runs inside the sweeper's transaction, so the notification exists exactly when the step does. */
export type SlaNotify = (tx: Db, notification: SlaNotification) => Promise<void>;

export interface SweepSlaDeps {
  db: Db;
  policy: Policy;
  config: Config;
  clock: () => Date;
  logger: Logger;
  notify: SlaNotify;
}

export interface SweepResult {
  /** Tickets locked and looked at in this tick. */
  claimed: number;
  /** Steps fired (new sla_alerts rows). */
  fired: number;
}

/** A notify port that only remembers what it was asked, until the outbox side is wired in. */
export function recordingNotify(): SlaNotify & { records: SlaNotification[] } {
  const records: SlaNotification[] = [];
  const notify = async (_tx: Db, n: SlaNotification) => { records.push(n); };
  return Object.assign(notify, { records });
}

/**
 * One sweep tick in one short transaction: lock due tickets (SKIP LOCKED, at most `limit`), fire
 * each due step exactly once (the sla_alerts unique key decides), log it, notify, and store the
 * ticket's next look. Nothing but the database is touched inside.
 */
export async function sweepSla(deps: SweepSlaDeps, options: { limit: number }): Promise<SweepResult> {
  const now = deps.clock();
  const result = await deps.db.transaction(async (tx) => {
    const claimed = await claimDueSlaTickets(tx, now, options.limit);
    if (claimed.length === 0) return { claimed: 0, fired: 0, firedEvents: [] as TicketEvent[] };
    const ids = claimed.map((t) => t.id);
    const [pauses, alerts] = [await listPauses(tx, ids), await listSlaAlerts(tx, ids)];

    const planned: { ticketId: number; private: boolean; priority: Priority; event: SlaEvent }[] = [];
    const schedules: SlaSchedule[] = [];
    const pausesOf = groupBy(pauses);
    const alertsOf = groupBy(alerts);
    for (const ticket of claimed) {
      const state = slaStateOf(ticket, pausesOf.get(ticket.id) ?? [], alertsOf.get(ticket.id) ?? []);
      const plan = planSlaEvents(state, deps.policy, now);
      for (const event of plan.due) planned.push({ ticketId: ticket.id, private: ticket.private, priority: state.priority, event });
      const breach = plan.due.find((e) => e.level === 'breach');
      // Every due step is fired below, so the next look is the next future threshold.
      schedules.push({ ticketId: ticket.id, nextSlaAt: plan.nextAt, breachedAt: breach ? breach.at : null });
    }

    const inserted = await insertSlaAlerts(tx, planned.map(toAlert), now);
    const isNew = new Set(inserted.map((a) => `${a.ticketId}:${slaStepKey(a.clock as SlaEvent['clock'], a.level as SlaEvent['level'], a.deadline)}`));
    const fresh = planned.filter((p) => isNew.has(`${p.ticketId}:${p.event.key}`));
    const events: TicketEvent[] = [];
    const levels = new Map(claimed.map((t) => [t.id, t.escalationLevel]));
    const raised = new Map<number, number>();
    for (const p of fresh) {
      const recipients = recipientsFor(p.event.level, p.private);
      const notBefore = holdForStaff(now, p.priority, deps.policy);
      // A breach climbs the ladder: the ticket is the lead's (100 %), then the manager's (150 %).
      const before = levels.get(p.ticketId) ?? 0;
      const level = levelAfterSlaStep(before, p.event.level);
      if (level !== currentLevel(before)) {
        levels.set(p.ticketId, level);
        raised.set(p.ticketId, level);
      }
      // A reminder whose deadline has already passed (a catch-up after downtime) is not sent:
      // "due soon" would be false, and the breach step of the same deadline fires with it.
      const late = p.event.level === 'reminder' && p.event.deadline.getTime() <= now.getTime();
      events.push({
        ticketId: p.ticketId, at: now, actor: 'sla', kind: eventKind(p.event),
        ...(late ? { reason: 'deadline already passed when the reminder was due: the breach is sent instead' } : {}),
        data: { clock: p.event.clock, level: p.event.level, deadline: p.event.deadline.toISOString(), at: p.event.at.toISOString(), recipients, escalationLevel: level },
      });
      if (!late) await deps.notify(tx, { ticketId: p.ticketId, event: p.event, recipients, notBefore });
    }
    if (raised.size > 0) await raiseEscalationLevels(tx, [...raised].map(([ticketId, level]) => ({ ticketId, level })), now);
    await appendEvents(tx, events);
    await storeSlaSchedules(tx, schedules, now);
    return { claimed: claimed.length, fired: fresh.length, firedEvents: events };
  });
  for (const e of result.firedEvents) {
    deps.logger.info({ ticket: e.ticketId, kind: e.kind, deadline: e.data?.deadline }, 'sla step fired');
  }
  return { claimed: result.claimed, fired: result.fired };
}

function toAlert(p: { ticketId: number; event: SlaEvent }): SlaAlertRow {
  return { ticketId: p.ticketId, clock: p.event.clock, level: p.event.level, deadline: p.event.deadline };
}

function groupBy<T extends { ticketId: number }>(rows: T[]): Map<number, T[]> {
  const byTicket = new Map<number, T[]>();
  for (const row of rows) {
    const list = byTicket.get(row.ticketId);
    if (list) list.push(row);
    else byTicket.set(row.ticketId, [row]);
  }
  return byTicket;
}
