import { PRIORITIES } from '../policy/priorities.js';
import type { Attainment, DurationSummary, Report } from './report-model.js';

/**
 * The report as titled tables of display strings, shared by the Markdown and HTML renderers so
 * both always show the same figures in the same words.
 */
export interface ReportTable {
  id: string;
  heading: string;
  note?: string;
  columns: string[];
  rows: string[][];
}

export function reportTitle(report: Report): string {
  const kind = report.kind === 'monthly' ? 'Monthly SLA report' : 'Quarterly SLA review';
  return `${kind} ${report.period.label}${report.client ? ` — ${report.client}` : ''}`;
}

export function reportSubtitle(report: Report): string {
  const scope = report.includesPrivate ? 'Management report: includes private tickets.' : 'Team report: private tickets excluded.';
  return `Tickets received in ${report.period.label} (${report.period.zone}). ${scope} Generated ${report.generatedAt}.`;
}

export function reportTables(report: Report): ReportTable[] {
  const p = PRIORITIES;
  return [
    {
      id: 'summary', heading: 'Summary', columns: ['tickets', 'resolved', 'unresolved', 'flagged for SLA review'],
      rows: [[report.totals.tickets, report.totals.resolved, report.totals.unresolved, report.totals.slaReview].map(String)],
    },
    {
      id: 'by-type', heading: 'Tickets by type and priority', columns: ['type', ...p, 'total'],
      rows: report.byType.map((t) => [t.name, ...p.map((x) => String(t.byPriority[x])), String(t.count)]),
    },
    {
      id: 'times', heading: 'Response and resolution times',
      note: 'Working time of each priority\'s calendar; resolution excludes time waiting on the client.',
      columns: ['priority', 'first response: n', 'median', 'p90', 'resolution: n', 'median', 'p90'],
      rows: [...p.map((x) => [x, ...durationCells(report.firstResponse.byPriority[x]), ...durationCells(report.resolution.byPriority[x])]),
        ['all', ...durationCells(report.firstResponse.overall), ...durationCells(report.resolution.overall)]],
    },
    {
      id: 'attainment-priority', heading: 'SLA attainment per priority',
      note: 'Met targets over tickets that had one; targets still running are not counted.',
      columns: ['priority', 'first response', 'resolution'],
      rows: report.attainment.byPriority.map((r) => [r.key, attainmentCell(r.firstResponse), attainmentCell(r.resolution)]),
    },
    {
      id: 'attainment-type', heading: 'SLA attainment per type', columns: ['type', 'first response', 'resolution'],
      rows: report.attainment.byType.map((r) => [typeName(report, r.key), attainmentCell(r.firstResponse), attainmentCell(r.resolution)]),
    },
    {
      id: 'breaches', heading: 'Breaches and escalations',
      columns: ['breached tickets', 'breach alerts', 'escalated tickets', 'reached team lead', 'reached manager', 'manager alerts', 'client escalations'],
      rows: [[report.breaches.breachedTickets, report.breaches.alerts, report.escalations.escalatedTickets,
        report.escalations.reachedLead, report.escalations.reachedManager,
        report.escalations.managerAlerts, report.escalations.clientEscalations].map(String)],
    },
    {
      id: 'special-days', heading: 'Special-circumstance days',
      note: 'A client (sender address) with more tickets on one local day than the agreement allows.',
      columns: ['day', 'client', 'tickets'],
      rows: report.specialCircumstanceDays.map((d) => [d.day, d.client, String(d.tickets)]),
    },
    {
      id: 'satisfaction', heading: 'Satisfaction', columns: ['responses', 'average', '1', '2', '3', '4', '5'],
      rows: [[String(report.satisfaction.responses), report.satisfaction.average === null ? '—' : report.satisfaction.average.toFixed(2),
        ...(['1', '2', '3', '4', '5'] as const).map((k) => String(report.satisfaction.distribution[k]))]],
    },
    {
      id: 'clients', heading: report.clientKey === 'address' ? 'Per client (address)' : 'Per client (domain)',
      columns: ['client', 'tickets', 'first response median', 'first response met', 'resolution met', 'breached', 'escalated', 'special days', 'satisfaction'],
      rows: report.clients.map((c) => [c.client, String(c.tickets), minutes(c.firstResponse.medianMinutes),
        attainmentCell(c.firstResponseAttainment), attainmentCell(c.resolutionAttainment), String(c.breachedTickets),
        String(c.escalatedTickets), String(c.specialCircumstanceDays), c.satisfactionAverage === null ? '—' : c.satisfactionAverage.toFixed(2)]),
    },
  ];
}

function typeName(report: Report, slug: string): string {
  return report.byType.find((t) => t.type === slug)?.name ?? slug;
}

function durationCells(d: DurationSummary): string[] {
  return [String(d.count), minutes(d.medianMinutes), minutes(d.p90Minutes)];
}

export function attainmentCell(a: Attainment): string {
  return a.rate === null ? '—' : `${(a.rate * 100).toFixed(1)}% (${a.met}/${a.total})`;
}

/** Working minutes as `1h 05m`; working days are not assumed (calendars differ). */
export function minutes(value: number | null): string {
  if (value === null) return '—';
  const total = Math.round(value);
  const h = Math.floor(total / 60);
  const m = total % 60;
  return h === 0 ? `${m}m` : `${h}h ${String(m).padStart(2, '0')}m`;
}
