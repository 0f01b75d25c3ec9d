import { describe, expect, it } from 'vitest';
import {
  ALERT_KINDS, COUNTED_ALERT_LEVELS, REPORT_EVENT_KINDS, REPORT_FIGURE_EVENT_KINDS, ticketEventFigures, type ReportEventRow,
} from '../../src/reports/ticket-event-figures.js';

/** The report loader's filter (report-repository.ts), in JS: the kinds a figure reads, alerts only at counted levels. */
function loaderKeeps(e: ReportEventRow): boolean {
  return (REPORT_FIGURE_EVENT_KINDS as readonly string[]).includes(e.kind)
    && (!(ALERT_KINDS as readonly string[]).includes(e.kind) || (COUNTED_ALERT_LEVELS as readonly unknown[]).includes(e.data.level));
}

describe('the events the report loader leaves out', () => {
  it('change none of the figures a built report reads', () => {
    const datas: Record<string, unknown>[] = [
      {}, { level: 'reminder', clock: 'first-response' }, { level: 'breach', clock: 'resolution' }, { level: 'manager', clock: 'first-response' },
      { level: 2 }, { level: 3, step: 'manager' }, { action: 'pause' }, { action: 'extend', minutes: 240 }, { action: 'resume' }, { score: 4 },
    ];
    const kinds = [...REPORT_EVENT_KINDS, 'created', 'agent-replied'];
    const events: ReportEventRow[] = [];
    let at = Date.parse('2026-03-02T06:00:00Z');
    for (const kind of kinds) for (const data of datas) events.push({ ticketId: 1, at: new Date((at += 60_000)), kind, data });

    // Every subset a ticket could have: each kind's events alone, and all of them together.
    const subsets = [events, ...kinds.map((k) => events.filter((e) => e.kind === k))];
    for (const subset of subsets) {
      const { satisfaction: _s, specialCircumstances: _c, ...all } = ticketEventFigures(subset);
      const { satisfaction: _s2, specialCircumstances: _c2, ...kept } = ticketEventFigures(subset.filter(loaderKeeps));
      expect(kept).toEqual(all);
    }
    expect(events.filter(loaderKeeps).length).toBeLessThan(events.length);
  });
});
