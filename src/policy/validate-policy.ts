import { IANAZone } from 'luxon';
import type { Policy } from './default-policy.js';
import { PRIORITIES } from './priorities.js';
import { isSupportedCountry } from './public-holidays.js';

/** Checks the cross-references a schema cannot: every problem is named by its config key. */
export function validatePolicy(policy: Policy): string[] {
  const problems: string[] = [];
  const slugs = new Set<string>();
  policy.types.forEach((t, i) => {
    const key = `policy.types.${i}`;
    if (slugs.has(t.slug)) problems.push(`${key}.slug: "${t.slug}" is defined twice`);
    slugs.add(t.slug);
    if (!t.priorities.includes(t.defaultPriority)) {
      problems.push(`${key}.defaultPriority: "${t.defaultPriority}" is not one of its priorities (${t.priorities.join(', ')})`);
    }
  });
  if (!slugs.has('other')) problems.push('policy.types: a type with slug "other" is required (the fallback)');
  if (!policy.types.some((t) => t.private)) problems.push('policy.types: one type must be private (the complaint type)');

  const calendars = new Set(policy.calendars.map((c) => c.name));
  policy.calendars.forEach((c, i) => {
    if (!IANAZone.isValidZone(c.zone)) problems.push(`policy.calendars.${i}.zone: "${c.zone}" is not a known time zone`);
    for (const [day, h] of Object.entries(c.hours)) {
      if (h.open >= h.close) problems.push(`policy.calendars.${i}.hours.${day}: open ${h.open} must be before close ${h.close}`);
    }
    if (c.publicHolidays !== undefined && !isSupportedCountry(c.publicHolidays)) {
      problems.push(`policy.calendars.${i}.publicHolidays: "${c.publicHolidays}" is not a country with known public holidays`);
    }
    if (!c.always && Object.keys(c.hours).length === 0) {
      problems.push(`policy.calendars.${i}.hours: a calendar that is not "always" needs opening hours`);
    }
  });
  const seenPriorities = new Set<string>();
  policy.priorities.forEach((p, i) => {
    if (seenPriorities.has(p.priority)) problems.push(`policy.priorities.${i}.priority: "${p.priority}" is defined twice`);
    seenPriorities.add(p.priority);
    if (!calendars.has(p.calendar)) problems.push(`policy.priorities.${i}.calendar: no calendar named "${p.calendar}"`);
  });
  for (const p of PRIORITIES) if (!seenPriorities.has(p)) problems.push(`policy.priorities: "${p}" is missing`);
  if (!(policy.reminderAt < policy.breachAt && policy.breachAt < policy.managerAt)) {
    problems.push('policy.reminderAt/breachAt/managerAt: must be increasing');
  }
  return problems;
}
