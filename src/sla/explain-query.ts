import type { Policy } from '../policy/default-policy.js';
import type { Priority } from '../policy/priorities.js';
import { calendarFor } from './calendar.js';
import { computeClock, priorityRule } from './deadlines.js';

/** The readable form of `slagate sla`: each deadline with the sentence that explains it. */
export function explainQuery(priority: Priority, received: Date, qualified: Date | null, policy: Policy): string {
  const rule = priorityRule(priority, policy);
  const cal = calendarFor(priority, policy);
  const first = computeClock('first-response', received, rule.firstResponseMinutes, null, [], cal);
  const lines = [`${priority} priority, ${cal.name} calendar`, `first response: ${first.text}`];
  if (rule.resolutionMinutes === null) {
    lines.push('resolution: no target for this priority');
  } else {
    const resolution = computeClock('resolution', qualified ?? received, rule.resolutionMinutes, null, [], cal);
    const note = qualified ? '' : ' (counted from arrival: no qualification time given)';
    lines.push(`resolution${note}: ${resolution.text}`);
  }
  return `${lines.join('\n')}\n`;
}
