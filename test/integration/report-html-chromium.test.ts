import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../src/policy/default-policy.js';
import { buildReport } from '../../src/reports/build-report.js';
import { policyWorkingMinutes } from '../../src/reports/policy-working-minutes.js';
import { monthPeriod, quarterPeriod } from '../../src/reports/report-period.js';
import { renderHtml } from '../../src/reports/render-html.js';
import type { ReportTicketRow } from '../../src/reports/report-rows.js';

/**
 * Opens the HTML report in a real browser and measures what it drew. Chromium is a test
 * dependency of CI (Debian package `chromium`); a missing binary fails the test, it does not skip.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const run = promisify(execFile);

/** Test-only: measures every chart after layout and leaves the result in the DOM for --dump-dom. */
const MEASURE = `<script>
const charts = [...document.querySelectorAll('svg.chart')].map((svg) => {
  const box = svg.getBoundingClientRect();
  const bars = [...svg.querySelectorAll('rect.bar:not(.legend)')];
  return {
    title: svg.querySelector('title')?.textContent,
    width: box.width, height: box.height,
    bars: bars.length,
    drawnBars: bars.filter((b) => b.getBoundingClientRect().height > 0 && getComputedStyle(b).fill !== 'none').length,
    targetLines: svg.querySelectorAll('line.target').length,
  };
});
const pre = document.createElement('pre');
pre.id = 'measurements';
pre.textContent = JSON.stringify(charts);
document.body.appendChild(pre);
</script>`;

function ticket(id: number, at: string, priority: ReportTicketRow['priority'], answeredAfterMinutes: number): ReportTicketRow {
  const receivedAt = new Date(at);
  return {
    id, number: `SR-${id}`, private: false, type: 'problem', priority, requesterAddress: `c${id}@acme.example`, receivedAt,
    firstResponseAt: new Date(receivedAt.getTime() + answeredAfterMinutes * 60_000), qualifiedAt: null, resolvedAt: null,
    firstResponseDue: null, resolutionDue: null, breachedAt: null, slaReview: false, satisfactionScore: null,
    firstResponseExtraMinutes: 0, resolutionExtraMinutes: 0,
  };
}

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

describe('HTML report in headless Chromium', () => {
  it('draws the daily volume bars and the attainment bars with their target line', async () => {
    expect(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: apt-get install chromium, or set CHROMIUM_PATH`).toBe(true);
    // Five distinct days with tickets; three priorities with a decided first-response target.
    const rows = [
      ticket(1, '2026-03-02T07:00:00Z', 'high', 30), ticket(2, '2026-03-02T08:00:00Z', 'high', 300),
      ticket(3, '2026-03-05T07:00:00Z', 'medium', 60), ticket(4, '2026-03-11T07:00:00Z', 'critical', 20),
      ticket(5, '2026-03-19T07:00:00Z', 'medium', 30), ticket(6, '2026-03-26T07:00:00Z', 'medium', 30),
    ];
    const report = buildReport({
      period: monthPeriod('2026-03', 'Europe/Istanbul')!, policy: DEFAULT_POLICY,
      workingMinutes: policyWorkingMinutes(DEFAULT_POLICY), now: new Date('2026-04-01T00:00:00Z'), includePrivate: false,
      rows: { tickets: rows, pauses: [], events: [] },
    });
    const html = renderHtml(report);
    expect(html).not.toContain('<script');

    const dir = mkdtempSync(join(tmpdir(), 'slagate-chromium-'));
    dirs.push(dir);
    const page = join(dir, 'report.html');
    writeFileSync(page, html.replace('</body>', `${MEASURE}\n</body>`));

    const { stdout } = await run(CHROMIUM, [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--no-first-run', '--disable-sync', `--user-data-dir=${join(dir, 'profile')}`,
      '--window-size=1024,2000', '--dump-dom', pathToFileURL(page).href,
    ], { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 });

    const json = /<pre id="measurements">([^<]*)<\/pre>/.exec(stdout)?.[1];
    expect(json, 'the measuring script did not run').toBeDefined();
    const charts = JSON.parse(json!.replace(/&quot;/g, '"').replace(/&amp;/g, '&')) as {
      title: string; width: number; height: number; bars: number; drawnBars: number; targetLines: number;
    }[];
    expect(charts.map((c) => c.title)).toEqual(['Daily ticket volume', 'First-response time distribution', 'SLA attainment per priority']);
    for (const chart of charts) {
      expect(chart.width).toBeGreaterThan(300);
      expect(chart.height).toBeGreaterThan(100);
    }
    const [volume, distribution, attainment] = charts as [typeof charts[number], typeof charts[number], typeof charts[number]];
    expect(volume).toMatchObject({ bars: 31, drawnBars: 5 });
    // Up to 30 min: 4, up to 1 h: 1, up to 8 h: 1 (the 300-minute answer); the other three bounds are empty.
    expect(distribution).toMatchObject({ bars: 6, drawnBars: 3 });
    // critical, high and medium have a decided first response (high: one met, one missed); low has none.
    expect(attainment).toMatchObject({ bars: 3, drawnBars: 3, targetLines: 1 });
  }, 90_000);

  it('draws a Turkish client\'s quarterly review: the month-by-month trend against the target, no internal remark', async () => {
    const rows = [
      ticket(1, '2026-01-05T07:00:00Z', 'high', 30), ticket(2, '2026-01-06T07:00:00Z', 'high', 300),
      ticket(3, '2026-02-03T07:00:00Z', 'medium', 60), ticket(4, '2026-03-11T07:00:00Z', 'medium', 600),
    ];
    const report = buildReport({
      period: quarterPeriod('2026-Q1', 'Europe/Istanbul')!, policy: DEFAULT_POLICY,
      workingMinutes: policyWorkingMinutes(DEFAULT_POLICY), now: new Date('2026-04-01T06:00:00Z'), includePrivate: false,
      rows: { tickets: rows, pauses: [], events: [] },
    });
    const html = renderHtml(report, { lang: 'tr', audience: 'client' });
    expect(html).not.toMatch(/Ekip raporu|Team report|gizli|\d{4}-\d\d-\d\dT\d\d:/);
    const dir = mkdtempSync(join(tmpdir(), 'slagate-chromium-'));
    dirs.push(dir);
    const page = join(dir, 'review.html');
    writeFileSync(page, html.replace('</body>', `${MEASURE}\n</body>`));
    const { stdout } = await run(CHROMIUM, [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--no-first-run', '--disable-sync', `--user-data-dir=${join(dir, 'profile')}`,
      '--window-size=1024,2000', '--dump-dom', pathToFileURL(page).href,
    ], { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 });
    const json = /<pre id="measurements">([^<]*)<\/pre>/.exec(stdout)?.[1];
    expect(json, 'the measuring script did not run').toBeDefined();
    const charts = JSON.parse(json!.replace(/&quot;/g, '"').replace(/&amp;/g, '&')) as { title: string; bars: number; drawnBars: number; targetLines: number }[];
    expect(charts.map((c) => c.title)).toEqual(['Günlük talep sayısı', 'Aylara göre SLA’ya uyum', 'İlk yanıt süresi dağılımı', 'Önceliğe göre SLA’ya uyum']);
    // January: high 1 of 2 met; February: medium met; March: medium missed (600 working minutes against 240).
    expect(charts[1]).toMatchObject({ bars: 3, drawnBars: 2, targetLines: 1 });
    expect(stdout).toContain('Ocak 2026');
    expect(stdout).toContain('Mart 2026');
  }, 90_000);
});
