/**
 * What the event log says happened to a ticket, for the reports: the one place where escalation,
 * breach and alert figures are read, so every report counts them the same way and each can be
 * checked against a count of `ticket_events` (test/integration/report-reconciliation.test.ts).
 *
 * Issue 24: the reports used to read `tickets.escalation_level` (which the SLA sweep never moves,
 * and whose level 1 is the agent, not the team lead) and `sla_alerts` rows of a clock no code
 * writes ("client-escalation"): "client escalations 0" after three client escalations, "reached
 * team lead 0" after sixteen breach alerts to the lead.
 */

/** One row of `ticket_events` as the reports read it. */
export interface ReportEventRow {
  ticketId: number;
  at: Date;
  kind: string;
  data: Record<string, unknown>;
}

/** The event kinds `ticketEventFigures` reads. */
export const REPORT_EVENT_KINDS = [
  'client-escalated', 'command-escalate', 'sla-reminder', 'sla-breach', 'sla-escalated-manager', 'qualification-reminder',
  'special-circumstances', 'survey-answered', 'command-sla',
] as const;

/** The SLA sweep's alert kinds: what one tells depends on the level it recorded. */
export const ALERT_KINDS = ['sla-breach', 'sla-escalated-manager', 'sla-reminder', 'qualification-reminder'] as const;
/** The alert levels any figure counts (a breach alert to the lead, a manager alert); a reminder to the agent counts nowhere. */
export const COUNTED_ALERT_LEVELS = ['breach', 'manager'] as const;

/**
 * The events a built report's figures can change, which is all the report loader reads: the
 * kinds above but the survey answers and special-circumstance flags (the report takes both from
 * the ticket row: satisfaction_score and sla_review), and of the alerts only ALERT_KINDS at
 * COUNTED_ALERT_LEVELS. A quarter's tickets have some 150,000 events of REPORT_EVENT_KINDS, half
 * of them reminders and surveys that changed nothing (bench/reports-at-scale).
 */
export const REPORT_FIGURE_EVENT_KINDS = REPORT_EVENT_KINDS.filter((k) => k !== 'survey-answered' && k !== 'special-circumstances');

/** The escalation ladder (apply-client-reply.ts, apply-agent-commands.ts): level N is LADDER[N - 1]. */
export const LADDER_STEPS = ['agent', 'lead', 'manager'] as const;
export type LadderStep = (typeof LADDER_STEPS)[number];

export interface TicketEventFigures {
  /** The highest step of the ladder that was told about the ticket; null when none was. */
  reached: LadderStep | null;
  /** [Escalate] replies from the client. */
  clientEscalations: number;
  /** `#escalate` commands by staff. */
  staffEscalations: number;
  /** SLA breach alerts (100% of a target; they go to the team lead), by clock. */
  breachAlerts: { clock: string }[];
  /** SLA alerts at 150% of a target (they go to the managers). */
  managerAlerts: number;
  /** Flagged as the fourth or later ticket of a client's day. */
  specialCircumstances: boolean;
  /** The client's last survey answer (1-5), null when none. */
  satisfaction: number | null;
  /** `#sla pause` commands a lead or manager applied (a resume is not counted again). */
  slaPauses: number;
  /** `#sla extend` commands applied, and the working minutes they added over all clocks. */
  slaExtensions: number;
  slaExtendedMinutes: number;
}

const STEP_RANK: Record<LadderStep, number> = { agent: 1, lead: 2, manager: 3 };

function higher(a: LadderStep | null, b: LadderStep | null): LadderStep | null {
  if (a === null) return b;
  if (b === null) return a;
  return STEP_RANK[b] > STEP_RANK[a] ? b : a;
}

function stepOfLevel(level: unknown): LadderStep | null {
  const n = Number(level);
  return Number.isInteger(n) && n >= 1 ? LADDER_STEPS[Math.min(n, LADDER_STEPS.length) - 1]! : null;
}

/** The figures of one ticket from its events (any order). */
export function ticketEventFigures(events: readonly ReportEventRow[]): TicketEventFigures {
  const figures: TicketEventFigures = {
    reached: null, clientEscalations: 0, staffEscalations: 0, breachAlerts: [], managerAlerts: 0,
    specialCircumstances: false, satisfaction: null, slaPauses: 0, slaExtensions: 0, slaExtendedMinutes: 0,
  };
  let lastSurvey: Date | null = null;
  for (const e of events) {
    switch (e.kind) {
      case 'client-escalated':
        figures.clientEscalations += 1;
        figures.reached = higher(figures.reached, stepOfLevel(e.data.level));
        break;
      case 'command-escalate':
        figures.staffEscalations += 1;
        figures.reached = higher(figures.reached, stepOfLevel(e.data.level));
        break;
      case 'sla-breach':
      case 'sla-escalated-manager':
      case 'sla-reminder':
      case 'qualification-reminder':
        // The level the sweep recorded says who was told (escalation-plan.ts recipientsFor).
        if (e.data.level === 'breach') {
          figures.breachAlerts.push({ clock: typeof e.data.clock === 'string' ? e.data.clock : 'unknown' });
          figures.reached = higher(figures.reached, 'lead');
        } else if (e.data.level === 'manager') {
          figures.managerAlerts += 1;
          figures.reached = higher(figures.reached, 'manager');
        }
        break;
      case 'command-sla':
        // Only applied commands become events (apply-agent-commands.ts); a refusal leaves none.
        if (e.data.action === 'pause') figures.slaPauses += 1;
        else if (e.data.action === 'extend') {
          figures.slaExtensions += 1;
          figures.slaExtendedMinutes += Number(e.data.minutes) || 0;
        }
        break;
      case 'special-circumstances':
        figures.specialCircumstances = true;
        break;
      case 'survey-answered': {
        const score = Number(e.data.score);
        if (Number.isInteger(score) && score >= 1 && score <= 5 && (lastSurvey === null || e.at >= lastSurvey)) {
          figures.satisfaction = score;
          lastSurvey = e.at;
        }
        break;
      }
      default:
        break;
    }
  }
  return figures;
}

/** The figures of a ticket without events, shared (frozen) by every such ticket of a report. */
const NO_EVENTS: TicketEventFigures = Object.freeze({ ...ticketEventFigures([]), breachAlerts: Object.freeze([]) as unknown as { clock: string }[] });

/**
 * Figures per ticket id; a ticket with no event gets the empty figures (one frozen object: half
 * a quarter's 125,000 tickets have no event a figure reads). Each id's figures are worked out
 * when asked for: a report asks once per ticket.
 */
export function eventFiguresByTicket(events: readonly ReportEventRow[]): (ticketId: number) => TicketEventFigures {
  const grouped = new Map<number, ReportEventRow[]>();
  for (const e of events) {
    const list = grouped.get(e.ticketId);
    if (list) list.push(e);
    else grouped.set(e.ticketId, [e]);
  }
  return (id) => {
    const list = grouped.get(id);
    return list ? ticketEventFigures(list) : NO_EVENTS;
  };
}
