import { PRIORITIES, type Priority } from '../policy/priorities.js';
import type { Attainment, DurationSummary } from './report-model.js';
import { percentileOfSorted, rate } from './statistics.js';

/**
 * Running counts of one group of tickets (a client, a priority, a month...), added to one ticket
 * at a time. A report used to collect each group's tickets into lists and filter them again per
 * figure; at a quarter of 125,000 tickets and 13,000 clients those lists cost seconds, mostly in
 * the garbage collector (bench/reports-at-scale). The figures are the same sums, in any order.
 */

/** Targets met over targets decided (a null result is a target still running or none): `attainment` counted as it goes. */
export class AttainmentCount {
  met = 0;
  total = 0;

  add(result: boolean | null): void {
    if (result === null) return;
    this.total += 1;
    if (result) this.met += 1;
  }

  value(): Attainment {
    return { met: this.met, total: this.total, rate: rate(this.met, this.total) };
  }
}

/** Working-minute times of a group: how many, their median and 90th percentile. */
export class DurationList {
  readonly values: number[] = [];

  add(value: number | null): void {
    if (value !== null) this.values.push(value);
  }

  summary(): DurationSummary {
    // Most of a quarter's 13,000 clients have a ticket or two: no typed array for those.
    if (this.values.length === 0) return { count: 0, medianMinutes: null, p90Minutes: null };
    if (this.values.length === 1) return { count: 1, medianMinutes: this.values[0]!, p90Minutes: this.values[0]! };
    const sorted = Float64Array.from(this.values).sort();
    return { count: sorted.length, medianMinutes: percentileOfSorted(sorted, 0.5), p90Minutes: percentileOfSorted(sorted, 0.9) };
  }
}

/** Tickets, breached tickets and both clocks' attainment: what a month's or a trend's cell reports. */
export class OutcomeTally {
  tickets = 0;
  breached = 0;
  readonly firstResponse = new AttainmentCount();
  readonly resolution = new AttainmentCount();

  add(firstResponseMet: boolean | null, resolutionMet: boolean | null, breached: boolean): void {
    this.tickets += 1;
    if (breached) this.breached += 1;
    this.firstResponse.add(firstResponseMet);
    this.resolution.add(resolutionMet);
  }
}

/** Tickets per priority; a priority the policy does not know is not counted (as `priorityCounts` did). */
export class PriorityCounts {
  readonly counts = Object.fromEntries(PRIORITIES.map((p) => [p, 0])) as Record<Priority, number>;

  add(priority: string): void {
    if (Object.hasOwn(this.counts, priority)) this.counts[priority as Priority] += 1;
  }

  value(): Record<Priority, number> {
    return { ...this.counts };
  }
}
