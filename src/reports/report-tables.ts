import { PRIORITIES } from '../policy/priorities.js';
import type { Attainment, DurationSummary, Report, TrendRow } from './report-model.js';
import {
  decimal, percentText, periodName, priorityName, readableDay, readableInstant, reportText,
  type RenderOptions, type ReportLanguage,
} from './report-labels.js';

/**
 * The report as titled tables of display strings, shared by the Markdown and HTML renderers so
 * both always show the same figures in the same words, in the reader's language.
 */
export interface ReportTable {
  id: string;
  heading: string;
  note?: string;
  columns: string[];
  rows: string[][];
}

/** Clients shown month by month: the busiest; a quarter of a thousand clients is no table to read. */
export const TREND_CLIENTS = 10;

/** Staff read the CLI's reports in English unless they ask otherwise; a mailed report is in its reader's language. */
export const DEFAULT_RENDER: (report: Report) => RenderOptions = (report) => ({
  lang: 'en', audience: report.includesPrivate ? 'management' : 'team',
});

export function reportTitle(report: Report, options: RenderOptions = DEFAULT_RENDER(report)): string {
  const t = reportText(options.lang);
  const kind = report.kind === 'monthly' ? t.monthlyTitle : t.quarterlyTitle;
  return `${kind} ${periodName(report.period.label, options.lang)}${report.client ? ` — ${report.client}` : ''}`;
}

export function reportSubtitle(report: Report, options: RenderOptions = DEFAULT_RENDER(report)): string {
  const t = reportText(options.lang);
  // What was left out is the staff's business: a client's report says nothing about it.
  const scope = options.audience === 'client' ? '' : ` ${report.includesPrivate ? t.management : t.team}`;
  return `${t.receivedIn(periodName(report.period.label, options.lang), report.period.zone)}${scope} `
    + t.generated(readableInstant(report.generatedAt, report.period.zone, options.lang));
}

export function reportTables(report: Report, options: RenderOptions = DEFAULT_RENDER(report)): ReportTable[] {
  const { lang } = options;
  const t = reportText(lang);
  const p = PRIORITIES;
  const pn = (x: string) => priorityName(x, lang);
  const cell = (a: Attainment) => attainmentCell(a, lang);
  const tables: ReportTable[] = [
    {
      id: 'summary', heading: t.summary, columns: [t.tickets, t.resolved, t.unresolved, t.flagged],
      rows: [[report.totals.tickets, report.totals.resolved, report.totals.unresolved, report.totals.slaReview].map(String)],
    },
  ];
  if (report.months.length > 1) {
    const monthNames = report.months.map((m) => periodName(m.month, lang));
    // Each key twice, once per clock: a month's cell is one attainment, as in every other table.
    const trendRows = (rows: TrendRow[], name: (key: string) => string) => rows.flatMap((r) => [
      [name(r.key), t.firstResponse, ...r.months.map((m) => cell(m.firstResponse))],
      [name(r.key), t.resolution, ...r.months.map((m) => cell(m.resolution))],
    ]);
    const clients = report.trend.byClient.slice(0, TREND_CLIENTS);
    tables.push(
      {
        id: 'months', heading: t.months, columns: [t.month, t.tickets, t.firstResponse, t.resolution, t.breached],
        rows: report.months.map((m) => [periodName(m.month, lang), String(m.tickets), cell(m.firstResponse), cell(m.resolution), String(m.breachedTickets)]),
      },
      {
        id: 'months-priority', heading: t.monthsByPriority, columns: [t.priority, t.target, ...monthNames],
        rows: trendRows(report.trend.byPriority, pn),
      },
      {
        id: 'months-client', heading: t.monthsByClient, columns: [t.client, t.target, ...monthNames],
        note: clients.length < report.trend.byClient.length ? t.busiestClients(clients.length, report.trend.byClient.length) : undefined,
        rows: trendRows(clients, (k) => k),
      },
    );
  }
  if (report.kind === 'quarterly') {
    tables.push({
      id: 'missed-most', heading: t.missed, note: t.missedNote,
      columns: [t.client, t.type, t.priority, t.missedTargets, t.firstResponse, t.resolution],
      rows: report.missedMost.map((r) => [r.client, typeName(report, r.type, lang), pn(r.priority), String(r.missed),
        cell(r.firstResponse), cell(r.resolution)]),
    });
  }
  tables.push(
    {
      id: 'by-type', heading: t.byType, columns: [t.type, ...p.map(pn), t.total],
      rows: report.byType.map((x) => [typeName(report, x.type, lang), ...p.map((y) => String(x.byPriority[y])), String(x.count)]),
    },
    {
      id: 'times', heading: t.times, note: t.timesNote,
      columns: [t.priority, t.frN, t.median, t.p90, t.resN, t.median, t.p90],
      rows: [...p.map((x) => [pn(x), ...durationCells(report.firstResponse.byPriority[x]), ...durationCells(report.resolution.byPriority[x])]),
        [t.all, ...durationCells(report.firstResponse.overall), ...durationCells(report.resolution.overall)]],
    },
    {
      id: 'attainment-priority', heading: t.attPriority, note: t.attNote,
      columns: [t.priority, t.firstResponse, t.resolution],
      rows: report.attainment.byPriority.map((r) => [pn(r.key), cell(r.firstResponse), cell(r.resolution)]),
    },
    {
      id: 'attainment-type', heading: t.attType, columns: [t.type, t.firstResponse, t.resolution],
      rows: report.attainment.byType.map((r) => [typeName(report, r.key, lang), cell(r.firstResponse), cell(r.resolution)]),
    },
    {
      id: 'breaches', heading: t.breaches,
      columns: [t.breachedTickets, t.breachAlerts, t.escalatedTickets, t.reachedLead, t.reachedManager, t.managerAlerts, t.clientEscalations, t.staffEscalations],
      rows: [[report.breaches.breachedTickets, report.breaches.alerts, report.escalations.escalatedTickets,
        report.escalations.reachedLead, report.escalations.reachedManager,
        report.escalations.managerAlerts, report.escalations.clientEscalations, report.escalations.staffEscalations].map(String)],
    },
    {
      id: 'sla-adjustments', heading: t.slaAdjustments, note: t.slaAdjustmentsNote,
      columns: [t.slaPauses, t.slaExtensions, t.slaExtendedHours],
      rows: [[String(report.slaAdjustments.pauses), String(report.slaAdjustments.extensions),
        String(Math.round((report.slaAdjustments.extendedMinutes / 60) * 10) / 10)]],
    },
    {
      id: 'special-days', heading: t.specialDays, note: t.specialNote,
      columns: [t.day, t.client, t.tickets],
      rows: report.specialCircumstanceDays.map((d) => [readableDay(d.day, lang), d.client, String(d.tickets)]),
    },
    {
      id: 'satisfaction', heading: t.satisfaction, columns: [t.responses, t.average, '1', '2', '3', '4', '5'],
      rows: [[String(report.satisfaction.responses), report.satisfaction.average === null ? '—' : decimal(report.satisfaction.average, 2, lang),
        ...(['1', '2', '3', '4', '5'] as const).map((k) => String(report.satisfaction.distribution[k]))]],
    },
    {
      id: 'clients', heading: report.clientKey === 'address' ? t.perClientAddress : t.perClientDomain,
      columns: [t.client, t.tickets, t.frMedian, t.frMet, t.resMet, t.breached, t.escalated, t.specialDaysShort, t.satisfaction],
      rows: report.clients.map((c) => [c.client, String(c.tickets), minutes(c.firstResponse.medianMinutes, lang),
        cell(c.firstResponseAttainment), cell(c.resolutionAttainment), String(c.breachedTickets),
        String(c.escalatedTickets), String(c.specialCircumstanceDays), c.satisfactionAverage === null ? '—' : decimal(c.satisfactionAverage, 2, lang)]),
    },
  );
  return tables;

  function durationCells(d: DurationSummary): string[] {
    return [String(d.count), minutes(d.medianMinutes, lang), minutes(d.p90Minutes, lang)];
  }
}

/** The type's name as the policy gives it in the reader's language (policy `nameTr`, typeNameIn). */
function typeName(report: Report, slug: string, lang: ReportLanguage): string {
  const row = report.byType.find((t) => t.type === slug);
  return row ? (lang === 'tr' ? row.nameTr : row.name) : slug;
}

export function attainmentCell(a: Attainment, lang: ReportLanguage = 'en'): string {
  return a.rate === null ? '—' : `${percentText(a.rate, 1, lang)} (${a.met}/${a.total})`;
}

/** Working minutes as `1h 05m` (`1 sa 05 dk`); working days are not assumed (calendars differ). */
export function minutes(value: number | null, lang: ReportLanguage = 'en'): string {
  if (value === null) return '—';
  const total = Math.round(value);
  const h = Math.floor(total / 60);
  const m = total % 60;
  if (lang === 'tr') return h === 0 ? `${m} dk` : `${h} sa ${String(m).padStart(2, '0')} dk`;
  return h === 0 ? `${m}m` : `${h}h ${String(m).padStart(2, '0')}m`;
}
