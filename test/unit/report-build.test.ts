import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../src/policy/default-policy.js';
import { buildReport, type BuildReportInput } from '../../src/reports/build-report.js';
import { policyWorkingMinutes } from '../../src/reports/policy-working-minutes.js';
import { monthPeriod, quarterPeriod } from '../../src/reports/report-period.js';
import type { ReportEventRow } from '../../src/reports/ticket-event-figures.js';
import type { ReportPauseRow, ReportTicketRow } from '../../src/reports/report-rows.js';

const ZONE = 'Europe/Istanbul';
const march = monthPeriod('2026-03', ZONE)!;
const NOW = new Date('2026-04-10T12:00:00Z');

let nextId = 1;
/** Istanbul is UTC+3 all year: local 09:00 is 06:00Z. */
function ticket(overrides: Partial<ReportTicketRow> = {}): ReportTicketRow {
  const id = nextId++;
  return {
    id, number: `SR-${id}`, private: false, type: 'problem', priority: 'medium',
    requesterAddress: `client${id}@acme.example`, receivedAt: new Date('2026-03-02T06:00:00Z'),
    firstResponseAt: null, qualifiedAt: null, resolvedAt: null, firstResponseDue: null, resolutionDue: null,
    breachedAt: null, slaReview: false, satisfactionScore: null, firstResponseExtraMinutes: 0, resolutionExtraMinutes: 0,
    ...overrides,
  };
}

function minutesAfter(at: string, minutes: number): Date {
  return new Date(new Date(at).getTime() + minutes * 60_000);
}

function build(tickets: ReportTicketRow[], extra: Partial<BuildReportInput> & { pauses?: ReportPauseRow[]; events?: ReportEventRow[] } = {}) {
  return buildReport({
    period: march, policy: DEFAULT_POLICY, workingMinutes: policyWorkingMinutes(DEFAULT_POLICY), now: NOW,
    includePrivate: false, ...extra,
    rows: { tickets, pauses: extra.pauses ?? [], events: extra.events ?? [] },
  });
}

describe('buildReport: response and resolution times', () => {
  it('gives median and 90th percentile of first response in working minutes, not wall-clock time', () => {
    const monday9 = '2026-03-02T06:00:00Z';
    const tickets = [10, 20, 30, 40].map((m) => ticket({ receivedAt: new Date(monday9), firstResponseAt: minutesAfter(monday9, m) }));
    // Friday 17:30 to Monday 09:30 local is 64 wall-clock hours but 60 working minutes.
    tickets.push(ticket({ receivedAt: new Date('2026-03-06T14:30:00Z'), firstResponseAt: new Date('2026-03-09T06:30:00Z') }));

    const report = build(tickets);

    expect(report.firstResponse.overall).toEqual({ count: 5, medianMinutes: 30, p90Minutes: 52 });
    expect(report.firstResponse.byPriority.medium.count).toBe(5);
    expect(report.firstResponse.byPriority.high).toEqual({ count: 0, medianMinutes: null, p90Minutes: null });
  });

  it('counts critical tickets on the 24/7 calendar', () => {
    const saturday = '2026-03-07T10:00:00Z';
    const report = build([ticket({ priority: 'critical', receivedAt: new Date(saturday), firstResponseAt: minutesAfter(saturday, 45) })]);
    expect(report.firstResponse.byPriority.critical.medianMinutes).toBe(45);
  });

  it('measures resolution from qualification and leaves out time waiting on the client', () => {
    const t = ticket({
      priority: 'high',
      firstResponseAt: new Date('2026-03-02T06:30:00Z'),
      qualifiedAt: new Date('2026-03-02T07:00:00Z'), // 10:00 local
      resolvedAt: new Date('2026-03-02T13:00:00Z'), // 16:00 local: 6 working hours later
    });
    const pause = { ticketId: t.id, startedAt: new Date('2026-03-02T08:00:00Z'), endedAt: new Date('2026-03-02T10:00:00Z') };
    const report = build([t], { pauses: [pause, { ...pause, startedAt: new Date('2026-03-02T09:00:00Z') }] });
    expect(report.resolution.byPriority.high.medianMinutes).toBe(4 * 60);
  });
});

describe('buildReport: SLA attainment', () => {
  it('counts met and missed targets over the tickets that had one, leaving running clocks out', () => {
    const received = new Date('2026-03-03T06:00:00Z');
    const due = new Date('2026-03-03T08:00:00Z'); // high: 2 working hours
    const report = build([
      ticket({ priority: 'high', receivedAt: received, firstResponseDue: due, firstResponseAt: new Date('2026-03-03T07:00:00Z') }),
      ticket({ priority: 'high', receivedAt: received, firstResponseDue: due, firstResponseAt: new Date('2026-03-03T09:00:00Z') }),
      ticket({ priority: 'high', receivedAt: received, firstResponseDue: due }), // never answered: missed
      // Still inside its target when the report is made: neither met nor missed yet.
      ticket({ priority: 'high', receivedAt: new Date('2026-03-31T10:00:00Z'), firstResponseDue: new Date('2026-03-31T12:00:00Z') }),
    ], { now: new Date('2026-03-31T11:00:00Z') });
    const high = report.attainment.byPriority.find((r) => r.key === 'high')!;
    expect(high.firstResponse).toEqual({ met: 1, total: 3, rate: 1 / 3 });
    expect(report.attainment.byType).toEqual([expect.objectContaining({ key: 'problem', firstResponse: high.firstResponse })]);
    expect(report.breaches.breachedTickets).toBe(2);
  });

  it('gives low tickets no resolution target', () => {
    const report = build([ticket({
      type: 'other', priority: 'low', firstResponseAt: new Date('2026-03-02T07:00:00Z'),
      qualifiedAt: new Date('2026-03-02T07:00:00Z'), resolvedAt: new Date('2026-03-20T07:00:00Z'),
    })]);
    const low = report.attainment.byPriority.find((r) => r.key === 'low')!;
    expect(low.resolution).toEqual({ met: 0, total: 0, rate: null });
    expect(low.firstResponse).toEqual({ met: 1, total: 1, rate: 1 });
    expect(report.resolution.byPriority.low.count).toBe(1);
  });

  // Issue 24: a row without a stored deadline was measured against the plain target, so a
  // lead's #sla extension was missed in the report while every other view honoured it.
  it('measures a ticket without a stored deadline against its #sla-extended target', () => {
    // High, qualified Monday 09:00, resolved Tuesday 12:30: 750 working minutes against 720.
    const resolved = {
      priority: 'high' as const, firstResponseAt: new Date('2026-03-02T06:00:00Z'), qualifiedAt: new Date('2026-03-02T06:00:00Z'),
      resolvedAt: new Date('2026-03-03T09:30:00Z'),
    };
    const plain = build([ticket(resolved)]).attainment.byPriority.find((r) => r.key === 'high')!;
    expect(plain.resolution).toEqual({ met: 0, total: 1, rate: 0 });
    const extended = build([ticket({ ...resolved, resolutionExtraMinutes: 60 })]).attainment.byPriority.find((r) => r.key === 'high')!;
    expect(extended.resolution).toEqual({ met: 1, total: 1, rate: 1 });
    // Unanswered medium since Monday 09:00, now is April: overdue whatever a 2-day extension says...
    const late = build([ticket({ firstResponseExtraMinutes: 960 })]).attainment.byPriority.find((r) => r.key === 'medium')!;
    expect(late.firstResponse).toEqual({ met: 0, total: 1, rate: 0 });
    // ...and an extended first response met inside its extension counts as met.
    const answered = build([ticket({ firstResponseAt: new Date('2026-03-02T12:00:00Z'), firstResponseExtraMinutes: 120 })])
      .attainment.byPriority.find((r) => r.key === 'medium')!;
    expect(answered.firstResponse).toEqual({ met: 1, total: 1, rate: 1 });
  });
});

describe('buildReport: the quarterly review', () => {
  const q1 = quarterPeriod('2026-Q1', 'Europe/Istanbul')!;
  const inQuarter = (tickets: ReportTicketRow[]) => build(tickets, { period: q1, clientOf: (a) => a.split('@')[1]! });
  // Medium first response: 240 working minutes from Monday 09:00 local (06:00Z).
  const onTime = (day: string, client: string, over: Partial<ReportTicketRow> = {}) => ticket({
    receivedAt: new Date(`${day}T06:00:00Z`), firstResponseAt: new Date(`${day}T07:00:00Z`), requesterAddress: `x@${client}`, ...over,
  });
  const late = (day: string, client: string, over: Partial<ReportTicketRow> = {}) => onTime(day, client, {
    firstResponseAt: new Date(`${day}T12:00:00Z`), ...over,
  });

  it('gives each priority and each client its attainment month by month, every month present', () => {
    const report = inQuarter([
      onTime('2026-01-05', 'acme.example'), late('2026-01-06', 'acme.example'),
      onTime('2026-03-02', 'acme.example', { priority: 'high', firstResponseAt: new Date('2026-03-02T06:30:00Z') }),
      late('2026-02-02', 'beta.example'),
    ]);
    expect(report.trend.byPriority.map((r) => r.key)).toEqual(['high', 'medium']);
    const medium = report.trend.byPriority.find((r) => r.key === 'medium')!;
    expect(medium.months.map((m) => [m.month, m.tickets, m.firstResponse.met, m.firstResponse.total])).toEqual([
      ['2026-01', 2, 1, 2], ['2026-02', 1, 0, 1], ['2026-03', 0, 0, 0],
    ]);
    expect(report.trend.byClient.map((r) => [r.key, r.tickets, r.months.map((m) => m.firstResponse.rate)])).toEqual([
      ['acme.example', 3, [0.5, null, 1]], ['beta.example', 1, [null, 0, null]],
    ]);
  });

  it('lists where targets were missed most: client, type and priority, most misses first, five at most', () => {
    const tickets: ReportTicketRow[] = [
      late('2026-01-05', 'acme.example'), late('2026-01-06', 'acme.example'), onTime('2026-01-07', 'acme.example'),
      late('2026-02-02', 'beta.example', { type: 'website' }),
      onTime('2026-02-03', 'calm.example'),
    ];
    for (let i = 0; i < 6; i++) tickets.push(late('2026-03-02', `c${i}.example`, { type: 'access' }));
    const report = inQuarter(tickets);
    expect(report.missedMost).toHaveLength(5);
    expect(report.missedMost[0]).toEqual({
      client: 'acme.example', type: 'problem', priority: 'medium', tickets: 3, missed: 2,
      firstResponse: { met: 1, total: 3, rate: 1 / 3 }, resolution: { met: 0, total: 0, rate: null },
    });
    expect(report.missedMost.map((r) => r.client)).not.toContain('calm.example');
  });
});

describe('buildReport: private tickets', () => {
  const complaint = ticket({
    private: true, type: 'complaint', priority: 'low', requesterAddress: 'angry@secret.example', satisfactionScore: 1,
    receivedAt: new Date('2026-03-04T06:00:00Z'),
  });
  const team = ticket({ requesterAddress: 'a@acme.example', satisfactionScore: 5 });
  // The events say what happened: a breach alert to the lead, and the client escalating twice (agent, then lead).
  const events: ReportEventRow[] = [
    { ticketId: complaint.id, kind: 'sla-breach', at: new Date('2026-03-05T06:00:00Z'), data: { clock: 'first-response', level: 'breach' } },
    { ticketId: complaint.id, kind: 'client-escalated', at: new Date('2026-03-05T07:00:00Z'), data: { level: 1, step: 'agent' } },
    { ticketId: complaint.id, kind: 'client-escalated', at: new Date('2026-03-05T08:00:00Z'), data: { level: 2, step: 'lead' } },
  ];

  it('leaves them out of every figure of the team report', () => {
    const report = build([complaint, team], { events });
    expect(report.totals.tickets).toBe(1);
    expect(report.byType.map((t) => t.type)).toEqual(['problem']);
    expect(report.clients.map((c) => c.client)).toEqual(['acme.example']);
    expect(report.satisfaction.distribution['1']).toBe(0);
    expect(report.breaches.alerts).toBe(0);
    expect(report.escalations.escalatedTickets).toBe(0);
    expect(report.daily.find((d) => d.day === '2026-03-04')!.count).toBe(0);
    expect(JSON.stringify(report)).not.toMatch(/secret\.example|complaint/);
  });

  it('includes them in management\'s report', () => {
    const report = build([complaint, team], { events, includePrivate: true });
    expect(report.totals.tickets).toBe(2);
    expect(report.clients.map((c) => c.client).sort()).toEqual(['acme.example', 'secret.example']);
    expect(report.breaches.alerts).toBe(1);
    // Issue 24: read from the events (was byLevel {2: 1} from tickets.escalation_level).
    expect(report.escalations).toEqual({
      escalatedTickets: 1, reachedLead: 1, reachedManager: 0, managerAlerts: 0, clientEscalations: 2, staffEscalations: 0,
    });
  });
});

describe('buildReport: special-circumstance days', () => {
  it('flags a client with more than three tickets on one Istanbul calendar day', () => {
    const busy = 'busy@acme.example';
    const tickets = [
      // 00:30 local on 10 March is still 9 March in UTC: the local day decides.
      ticket({ requesterAddress: busy, receivedAt: new Date('2026-03-09T21:30:00Z') }),
      ...[7, 9, 12].map((h) => ticket({ requesterAddress: busy, receivedAt: new Date(`2026-03-10T${String(h).padStart(2, '0')}:00:00Z`) })),
      ...[7, 9, 12].map((h) => ticket({ requesterAddress: 'calm@acme.example', receivedAt: new Date(`2026-03-10T${String(h).padStart(2, '0')}:00:00Z`) })),
    ];
    const report = build(tickets);
    // Issue 24: the client is the organisation (acme.example), not one address: busy's 4 and calm's 3 that day.
    expect(report.specialCircumstanceDays).toEqual([{ client: 'acme.example', day: '2026-03-10', tickets: 7 }]);
    expect(report.clients.find((c) => c.client === 'acme.example')!.specialCircumstanceDays).toBe(1);
  });

  it('does not flag four tickets that straddle local midnight', () => {
    const tickets = ['2026-03-10T20:00:00Z', '2026-03-10T20:30:00Z', '2026-03-10T21:30:00Z', '2026-03-10T22:00:00Z']
      .map((at) => ticket({ requesterAddress: 'x@acme.example', receivedAt: new Date(at) }));
    expect(build(tickets).specialCircumstanceDays).toEqual([]);
  });
});

describe('buildReport: satisfaction and volume', () => {
  it('gives responses, average and the 1-5 distribution, ignoring unanswered surveys', () => {
    const report = build([5, 5, 4, 2, null].map((s) => ticket({ satisfactionScore: s })));
    expect(report.satisfaction).toEqual({ responses: 4, average: 4, distribution: { 1: 0, 2: 1, 3: 0, 4: 1, 5: 2 } });
  });

  it('counts tickets per local day over every day of the period, and only tickets of the period', () => {
    const report = build([
      ticket({ receivedAt: new Date('2026-02-28T21:00:00Z') }), // 1 March 00:00 local
      ticket({ receivedAt: new Date('2026-02-28T20:59:00Z') }), // still February locally
    ]);
    expect(report.daily).toHaveLength(31);
    expect(report.daily[0]).toEqual({ day: '2026-03-01', count: 1 });
    expect(report.totals.tickets).toBe(1);
  });

  it('groups clients by address when asked', () => {
    const report = build([ticket({ requesterAddress: 'a@x.example' }), ticket({ requesterAddress: 'b@x.example' })], { clientKey: 'address' });
    expect(report.clients.map((c) => c.client).sort()).toEqual(['a@x.example', 'b@x.example']);
  });
});

describe('a report period', () => {
  it('lists every local calendar day of the month or quarter, as luxon walking the zone day by day does', () => {
    const luxonDays = (start: DateTime, end: DateTime) => {
      const days: string[] = [];
      for (let d = start; d < end; d = d.plus({ days: 1 })) days.push(d.toISODate()!);
      return days;
    };
    for (const zone of ['Europe/Istanbul', 'America/Santiago', 'Asia/Gaza', 'Australia/Lord_Howe', 'UTC']) {
      for (let year = 2024; year <= 2027; year++) {
        for (let month = 1; month <= 12; month++) {
          const label = `${year}-${String(month).padStart(2, '0')}`;
          const start = DateTime.fromObject({ year, month, day: 1 }, { zone });
          expect(monthPeriod(label, zone)!.days, `${zone} ${label}`).toEqual(luxonDays(start, start.plus({ months: 1 })));
        }
        const q = quarterPeriod(`${year}-Q4`, zone)!;
        expect(q.days).toHaveLength(92);
        expect([q.days[0], q.days.at(-1)]).toEqual([`${year}-10-01`, `${year}-12-31`]);
      }
    }
  });
});
