/**
 * One line of a ticket's story, as a rule decides it (the event log is append-only; db/ writes it
 * as it is given, in the order given).
 */
export interface TicketEvent {
  ticketId: number;
  at: Date;
  /** `system`, `client`, or the staff address that acted. */
  actor: string;
  kind: string;
  reason?: string | null;
  data?: Record<string, unknown>;
}
