import type { Policy } from '../policy/default-policy.js';
import { calendarFor } from '../sla/calendar.js';
import { workingTimeBetween } from '../sla/working-time.js';
import type { WorkingMinutes } from './ticket-outcome.js';

/** The SLA engine's working-time measure, on the calendar of each ticket's priority. */
export function policyWorkingMinutes(policy: Policy): WorkingMinutes {
  return (priority, from, to) => workingTimeBetween(from, to, calendarFor(priority, policy));
}
