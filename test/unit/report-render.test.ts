import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../src/policy/default-policy.js';
import { buildReport } from '../../src/reports/build-report.js';
import { policyWorkingMinutes } from '../../src/reports/policy-working-minutes.js';
import { monthPeriod, quarterPeriod } from '../../src/reports/report-period.js';
import { renderHtml } from '../../src/reports/render-html.js';
import { renderMarkdown } from '../../src/reports/render-markdown.js';
import { attainmentChart, dailyVolumeChart } from '../../src/reports/render-svg-charts.js';
import type { ReportTicketRow } from '../../src/reports/report-rows.js';

const ZONE = 'Europe/Istanbul';

function sampleReport(policy = DEFAULT_POLICY) {
  const base: Omit<ReportTicketRow, 'id' | 'number'> = {
    private: false, type: 'website', priority: 'high', requesterAddress: 'ops@acme.example',
    receivedAt: new Date('2026-03-03T06:00:00Z'), firstResponseAt: new Date('2026-03-03T06:40:00Z'),
    qualifiedAt: null, resolvedAt: null, firstResponseDue: new Date('2026-03-03T08:00:00Z'), resolutionDue: null,
    breachedAt: null, slaReview: false, satisfactionScore: 4, firstResponseExtraMinutes: 0, resolutionExtraMinutes: 0,
  };
  return buildReport({
    period: monthPeriod('2026-03', ZONE)!, policy, workingMinutes: policyWorkingMinutes(DEFAULT_POLICY),
    now: new Date('2026-04-01T00:00:00Z'), includePrivate: false,
    rows: {
      tickets: [
        { ...base, id: 1, number: 'SR-1' },
        { ...base, id: 2, number: 'SR-2', requesterAddress: 'x|y@<b>.example', receivedAt: new Date('2026-03-17T07:00:00Z'), firstResponseAt: null },
      ],
      pauses: [], events: [],
    },
  });
}

describe('report periods', () => {
  it('takes months and quarters in the business zone', () => {
    const m = monthPeriod('2026-03', ZONE)!;
    expect(m.start.toISOString()).toBe('2026-02-28T21:00:00.000Z');
    expect(m.end.toISOString()).toBe('2026-03-31T21:00:00.000Z');
    const q = quarterPeriod('2026-q2', ZONE)!;
    expect([q.label, q.days.length, q.days[0], q.days.at(-1)]).toEqual(['2026-Q2', 91, '2026-04-01', '2026-06-30']);
  });

  it('refuses text that is not a month or a quarter', () => {
    expect(monthPeriod('2026-13', ZONE)).toBeNull();
    expect(monthPeriod('March', ZONE)).toBeNull();
    expect(quarterPeriod('2026-Q5', ZONE)).toBeNull();
  });
});

describe('renderMarkdown', () => {
  it('shows every section with working times and escapes table separators', () => {
    const md = renderMarkdown(sampleReport());
    expect(md).toMatch(/^# Monthly SLA report March 2026\n/);
    for (const heading of ['Tickets by type and priority', 'Response and resolution times', 'SLA attainment per priority',
      'SLA attainment per type', 'Breaches and escalations', 'Special-circumstance days', 'Satisfaction', 'Per client']) {
      expect(md).toContain(`## ${heading}`);
    }
    expect(md).toContain('| high | 1 | 40m | 40m |');
    expect(md).toContain('| high | 50.0% (1/2) | — |');
    expect(md).toContain('<b>.example');
    expect(md).not.toMatch(/x\|y/);
  });
});

describe('renderHtml', () => {
  const html = renderHtml(sampleReport());

  it('is a self-contained page: no script, no external resource', () => {
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|\bsrc=|url\(/i);
    expect(new Set(html.match(/https?:\/\/[^"]+/g))).toEqual(new Set(['http://www.w3.org/2000/svg']));
  });

  it('escapes what the client wrote', () => {
    expect(html).toContain('&lt;b&gt;.example');
    expect(html).not.toContain('<b>.example');
  });

  it('embeds its charts with an accessible title and description', () => {
    const charts = html.match(/<svg class="chart"[^>]*>/g) ?? [];
    expect(charts).toHaveLength(3); // volume, first-response distribution, attainment (a month has no trend)
    for (const tag of charts) expect(tag).toMatch(/role="img" aria-labelledby="\S+-title \S+-desc"/);
    expect(html).toContain('<title id="volume-title">Daily ticket volume</title>');
    expect(html).toContain('<title id="attainment-title">SLA attainment per priority</title>');
  });
});

describe('charts', () => {
  it('draws one bar per day with height proportional to the count', () => {
    const svg = dailyVolumeChart([{ day: '2026-03-01', count: 2 }, { day: '2026-03-02', count: 0 }, { day: '2026-03-03', count: 4 }]);
    const heights = [...svg.matchAll(/<rect class="bar"[^>]* height="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(heights).toHaveLength(3);
    expect(heights[1]).toBe(0);
    expect(heights[2]).toBeCloseTo(heights[0]! * 2);
    expect(svg).toContain('<title>2026-03-03: 4 tickets</title>');
  });

  it('draws attainment bars under a target line and says n/a where nothing was measured', () => {
    const none = { met: 0, total: 0, rate: null };
    const svg = attainmentChart([
      { key: 'critical', firstResponse: { met: 1, total: 2, rate: 0.5 }, resolution: none },
      { key: 'high', firstResponse: { met: 3, total: 3, rate: 1 }, resolution: { met: 0, total: 1, rate: 0 } },
    ], 0.9);
    expect(svg.match(/<rect class="bar bar-(first|resolution)"(?![^>]*legend)/g)).toHaveLength(3);
    expect(svg).toContain('<line class="target"');
    expect(svg).toContain('target 90%');
    expect(svg).toContain('>n/a</text>');
    expect(svg).toContain('critical first response: 50% (1 of 2)');
  });
});

/** Issue 24: a report in the reader's language, with no internal remark for a client. */
describe('reports in the reader\'s language', () => {
  it('writes a client\'s report in Turkish throughout: headings, labels, dates in the zone, no remark on private tickets', () => {
    const report = sampleReport();
    const md = renderMarkdown(report, { lang: 'tr', audience: 'client' });
    expect(md).toMatch(/^# Aylık SLA raporu Mart 2026\n/);
    for (const heading of ['Özet', 'Türe ve önceliğe göre talepler', 'Yanıt ve çözüm süreleri', 'Önceliğe göre SLA’ya uyum',
      'İhlaller ve yükseltmeler', 'Özel durum günleri', 'Memnuniyet', 'Müşteriye göre']) expect(md).toContain(`## ${heading}`);
    expect(md).toContain('| yüksek | %50,0 (1/2) | — |');
    expect(md).toContain('Hazırlanma: 1 Nisan 2026 03:00.');
    expect(md).not.toMatch(/Team report|Ekip raporu|gizli|private|\d{4}-\d\d-\d\dT/);
    expect(md).not.toMatch(/## (Summary|Satisfaction)/);
    const html = renderHtml(report, { lang: 'tr', audience: 'client' });
    expect(html).toContain('<html lang="tr">');
    expect(html).toContain('<title id="attainment-title">Önceliğe göre SLA’ya uyum</title>');
    expect(html).toContain('<title id="distribution-title">İlk yanıt süresi dağılımı</title>');
    expect(html).not.toMatch(/Team report|Ekip raporu|gizli/);
  });

  // Issue 24: the reports kept their own list of Turkish type names beside the policy's nameTr,
  // so an operator's Turkish name reached the mails but not the reports.
  it('names types in Turkish as the policy does, an operator\'s own nameTr included', () => {
    expect(renderMarkdown(sampleReport(), { lang: 'tr', audience: 'client' })).toContain('| Web sitesi sorunu | 0 | 2 |');
    const policy = { ...DEFAULT_POLICY, types: DEFAULT_POLICY.types.map((t) => (t.slug === 'website' ? { ...t, nameTr: 'Site arızası' } : t)) };
    const md = renderMarkdown(sampleReport(policy), { lang: 'tr', audience: 'client' });
    expect(md).toContain('| Site arızası | 0 | 2 |');
    expect(md).not.toContain('Web sitesi sorunu');
    expect(renderMarkdown(sampleReport(policy), { lang: 'en', audience: 'client' })).toContain('| Website Issue | 0 | 2 |');
  });

  it('keeps the scope remark for staff, in their language', () => {
    expect(renderMarkdown(sampleReport(), { lang: 'tr', audience: 'team' })).toContain('Ekip raporu: gizli talepler hariçtir.');
    expect(renderMarkdown(sampleReport(), { lang: 'en', audience: 'team' })).toContain('Team report: private tickets excluded.');
  });
});
