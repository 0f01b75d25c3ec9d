import { DateTime } from 'luxon';
import type { Policy } from '../policy/default-policy.js';
import { PRIORITIES, type Priority } from '../policy/priorities.js';
import { cachedZone } from './cached-zone.js';
import { calendarFor, MINUTE_MS, type Calendar } from './calendar.js';
import { priorityRule } from './deadlines.js';
import { addWorkingTime } from './working-time.js';

/** One `slagate sla` question: when is a ticket of this priority due? */
export interface SlaQuery {
  priority: unknown;
  received: unknown;
  qualified?: unknown;
}

export interface SlaAnswer {
  priority: Priority;
  calendar: string;
  /** ISO 8601 with the calendar zone's offset. */
  firstResponseDue: string;
  /** null for a priority without a resolution target. */
  resolutionDue: string | null;
}

export type SlaQueryResult = { ok: true; answer: SlaAnswer; received: Date; qualified: Date | null } | { ok: false; error: string };

// The common, fully specified form is parsed natively (the CLI may answer 100k lines); anything
// else goes through luxon, with the calendar's zone for times written without an offset.
const WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

export function parseInstant(value: unknown, zone: string): Date | null {
  if (typeof value !== 'string') return null;
  if (WITH_OFFSET.test(value)) {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? null : new Date(ms);
  }
  const dt = DateTime.fromISO(value, { zone });
  return dt.isValid ? dt.toJSDate() : null;
}

/** `2026-03-16T12:30:00.000+03:00`: the instant as read on the calendar's clocks. */
export function isoInZone(t: Date, cal: Calendar): string {
  const offset = cachedZone(cal.zone).offset(t.getTime());
  const local = new Date(t.getTime() + offset * MINUTE_MS).toISOString().slice(0, 23);
  const abs = Math.abs(offset);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${local}${offset < 0 ? '-' : '+'}${hh}:${mm}`;
}

/** Answers one query; a bad query is a result naming what is wrong, not an exception. */
export function answerSlaQuery(q: SlaQuery, policy: Policy): SlaQueryResult {
  if (typeof q.priority !== 'string' || !(PRIORITIES as readonly string[]).includes(q.priority)) {
    return { ok: false, error: `priority must be one of ${PRIORITIES.join(', ')} (got ${JSON.stringify(q.priority ?? null)})` };
  }
  const priority = q.priority as Priority;
  const cal = calendarFor(priority, policy);
  const received = parseInstant(q.received, cal.zone);
  if (!received) return { ok: false, error: `received must be an ISO 8601 instant (got ${JSON.stringify(q.received ?? null)})` };
  let qualified: Date | null = null;
  if (q.qualified !== undefined && q.qualified !== null) {
    qualified = parseInstant(q.qualified, cal.zone);
    if (!qualified) return { ok: false, error: `qualified must be an ISO 8601 instant (got ${JSON.stringify(q.qualified)})` };
  }
  const rule = priorityRule(priority, policy);
  const firstResponseDue = addWorkingTime(received, rule.firstResponseMinutes, cal);
  const resolutionDue = rule.resolutionMinutes === null ? null : addWorkingTime(qualified ?? received, rule.resolutionMinutes, cal);
  return {
    ok: true,
    received,
    qualified,
    answer: {
      priority,
      calendar: cal.name,
      firstResponseDue: isoInZone(firstResponseDue, cal),
      resolutionDue: resolutionDue && isoInZone(resolutionDue, cal),
    },
  };
}
