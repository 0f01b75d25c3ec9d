import type { SlaClock } from './explain-deadline.js';

export type SlaLevel = 'reminder' | 'breach' | 'manager';

/**
 * The keys of SLA steps, built and read here only. A step is one rung of the escalation ladder for
 * one clock and one deadline: `<clock>:<level>:<deadline ISO>` (sla_alerts), so a new deadline
 * (priority change, pause) is a new step. Its outbox rows are deduplicated by
 * `sla:<ticket>:<step>` (one row per recipient: `:<address>` is appended by the enqueuer), and the
 * outbox worker reads the clock and deadline back from that to drop a step the ticket moved past.
 */
export function slaStepKey(clock: SlaClock, level: SlaLevel, deadline: Date): string {
  return `${clock}:${level}:${deadline.toISOString()}`;
}

/** The outbox dedupe key of a step's notification: `sla:<ticket>:<step key>`. */
export function slaStepDedupeKey(ticketId: number | string, stepKey: string): string {
  return `sla:${ticketId}:${stepKey}`;
}

/** The clock and deadline (ISO, as written) of an SLA step's dedupe key; null when it is not one. */
export function parseSlaStepDedupeKey(dedupeKey: string): { clock: string; deadlineIso: string } | null {
  const key = /^sla:[^:]+:([a-z-]+):[a-z]+:(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)/.exec(dedupeKey);
  return key ? { clock: key[1]!, deadlineIso: key[2]! } : null;
}
