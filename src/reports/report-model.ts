import type { Priority } from '../policy/priorities.js';

/** The built report: plain data, serialisable as JSON and rendered as Markdown or HTML. */

export interface DurationSummary {
  count: number;
  medianMinutes: number | null;
  p90Minutes: number | null;
}

export interface Attainment {
  met: number;
  /** Tickets that had this target and reached it or missed it (still running ones are left out). */
  total: number;
  rate: number | null;
}

export interface AttainmentRow {
  key: string;
  firstResponse: Attainment;
  resolution: Attainment;
}

export interface ClientRow {
  client: string;
  tickets: number;
  byPriority: Record<Priority, number>;
  firstResponse: DurationSummary;
  resolution: DurationSummary;
  firstResponseAttainment: Attainment;
  resolutionAttainment: Attainment;
  breachedTickets: number;
  escalatedTickets: number;
  specialCircumstanceDays: number;
  satisfactionAverage: number | null;
}

/** One priority's or client's attainment in each month of the period. */
export interface TrendRow {
  key: string;
  tickets: number;
  months: { month: string; tickets: number; firstResponse: Attainment; resolution: Attainment }[];
}

/** A client, type and priority whose targets were missed (quarter-trends.ts `missedMost`). */
export interface MissedTargets {
  client: string;
  type: string;
  priority: Priority;
  tickets: number;
  /** Targets missed, first response and resolution together. */
  missed: number;
  firstResponse: Attainment;
  resolution: Attainment;
}

export interface Report {
  kind: 'monthly' | 'quarterly';
  period: { label: string; zone: string; start: string; end: string };
  generatedAt: string;
  /** True only in management's report: private tickets are in every figure. */
  includesPrivate: boolean;
  client: string | null;
  /** Grouping of the per-client table: requester domain, or address when one address was asked for. */
  clientKey: 'domain' | 'address';
  /** Attainment goal drawn as the chart's target line (a fraction). */
  attainmentTarget: number;
  totals: { tickets: number; resolved: number; unresolved: number; slaReview: number };
  /** Each type with its name in English and in Turkish, as the policy names it (typeNameIn). */
  byType: { type: string; name: string; nameTr: string; count: number; byPriority: Record<Priority, number> }[];
  byPriority: { priority: Priority; count: number }[];
  firstResponse: { overall: DurationSummary; byPriority: Record<Priority, DurationSummary> };
  /** How many first responses took up to each bound (working minutes; the last bound is null: longer). */
  firstResponseDistribution: { upToMinutes: number | null; count: number }[];
  /** Each calendar month of the period (one for a monthly report): the quarter's trend. */
  months: { month: string; tickets: number; firstResponse: Attainment; resolution: Attainment; breachedTickets: number }[];
  /** The months' trend per priority (only those with tickets) and per client (busiest first). */
  trend: { byPriority: TrendRow[]; byClient: TrendRow[] };
  /** The few client, type and priority groups that missed the most targets: where a review starts. */
  missedMost: MissedTargets[];
  resolution: { overall: DurationSummary; byPriority: Record<Priority, DurationSummary> };
  attainment: { byPriority: AttainmentRow[]; byType: AttainmentRow[] };
  breaches: { breachedTickets: number; alerts: number; byClock: Record<string, number> };
  escalations: {
    /** Tickets that went up the ladder at all: a client's or staff's escalation, or an SLA breach. */
    escalatedTickets: number;
    /** Tickets the team lead was told about (breach alert, or escalation to the lead or beyond). */
    reachedLead: number;
    /** Tickets the managers were told about (150% alert, or escalation to the manager). */
    reachedManager: number;
    managerAlerts: number;
    /** [Escalate] replies from clients (one ticket can be escalated more than once). */
    clientEscalations: number;
    /** `#escalate` commands by staff. */
    staffEscalations: number;
  };
  /** What leads and managers did to the clocks with `#sla` (counts only: the reasons are internal). */
  slaAdjustments: { pauses: number; extensions: number; extendedMinutes: number };
  specialCircumstanceDays: { client: string; day: string; tickets: number }[];
  satisfaction: { responses: number; average: number | null; distribution: Record<'1' | '2' | '3' | '4' | '5', number> };
  clients: ClientRow[];
  daily: { day: string; count: number }[];
}
