import type { Priority } from '../policy/priorities.js';
import type { ReportEventRow } from './ticket-event-figures.js';

/**
 * The plain rows a report is built from. The repository loads them; everything after that is
 * pure, so the aggregation can be tested with rows built by hand.
 */
export interface ReportTicketRow {
  id: number;
  number: string;
  private: boolean;
  type: string;
  priority: Priority;
  requesterAddress: string;
  receivedAt: Date;
  firstResponseAt: Date | null;
  qualifiedAt: Date | null;
  resolvedAt: Date | null;
  firstResponseDue: Date | null;
  resolutionDue: Date | null;
  breachedAt: Date | null;
  slaReview: boolean;
  satisfactionScore: number | null;
  /** `#sla extend` minutes: a target measured without a stored deadline is the extended one. */
  firstResponseExtraMinutes: number;
  resolutionExtraMinutes: number;
}

/** A waiting-on-client interval; an open one (endedAt null) is still running. */
export interface ReportPauseRow {
  ticketId: number;
  startedAt: Date;
  endedAt: Date | null;
}

export interface ReportRows {
  tickets: ReportTicketRow[];
  pauses: ReportPauseRow[];
  /** The period's tickets' events of REPORT_EVENT_KINDS: escalations, breaches and alerts are read from these. */
  events: ReportEventRow[];
}
