import type { Policy } from '../policy/default-policy.js';
import type { Priority } from '../policy/priorities.js';
import { calendarFor, type Calendar } from '../sla/calendar.js';
import { workingTimeBetween } from '../sla/working-time.js';
import type { WorkingMinutes } from './ticket-outcome.js';

/**
 * The SLA engine's working-time measure, on the calendar of each ticket's priority. Each
 * priority's calendar is looked up once: a quarter's report measures some 300,000 spans.
 */
export function policyWorkingMinutes(policy: Policy): WorkingMinutes {
  const calendars = new Map<Priority, Calendar>();
  return (priority, from, to) => {
    let calendar = calendars.get(priority);
    if (!calendar) {
      calendar = calendarFor(priority, policy);
      calendars.set(priority, calendar);
    }
    return workingTimeBetween(from, to, calendar);
  };
}
