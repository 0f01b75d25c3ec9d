import type { Report } from './report-model.js';
import { reportText, type RenderOptions } from './report-labels.js';
import { DEFAULT_RENDER, reportSubtitle, reportTables, reportTitle, type ReportTable } from './report-tables.js';
import { attainmentChart, dailyVolumeChart, distributionChart, escapeXml, trendChart } from './render-svg-charts.js';

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2933;margin:2rem auto;max-width:960px;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #d9e2ec;padding-bottom:.2rem}
.subtitle,.note{color:#52606d}.note{font-size:.9em}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{padding:.3rem .5rem;border-bottom:1px solid #e4e7eb;text-align:right}
th:first-child,td:first-child{text-align:left}th{background:#f5f7fa;font-weight:600}
figure{margin:1rem 0}figcaption{font-weight:600;margin-bottom:.3rem}
svg.chart{display:block;max-width:100%;height:auto;background:#fff}
svg.chart .bar{fill:#2f6fb3}svg.chart .bar-resolution{fill:#8fb8de}
svg.chart .grid{stroke:#e4e7eb;stroke-width:1}svg.chart .target{stroke:#c62828;stroke-width:2;stroke-dasharray:6 4}
svg.chart text{font-size:11px;fill:#52606d}svg.chart .target-label{fill:#c62828;font-weight:600}
@media print{body{margin:0}}
`;

/** A self-contained HTML page in the reader's language: inline CSS and SVG, no script and nothing fetched. */
export function renderHtml(report: Report, options: RenderOptions = DEFAULT_RENDER(report)): string {
  const { lang } = options;
  const t = reportText(lang);
  const title = reportTitle(report, options);
  const tables = reportTables(report, options);
  const sections: string[] = [];
  const figure = (caption: string, chart: string) => `<figure><figcaption>${escapeXml(caption)}</figcaption>${chart}</figure>`;
  for (const table of tables) {
    sections.push(section(table, t.none));
    if (table.id === 'summary') sections.push(figure(t.dailyVolume, dailyVolumeChart(report.daily, 'volume', lang)));
    if (table.id === 'months') sections.push(figure(t.trend, trendChart(report.months, report.attainmentTarget, 'trend', lang)));
    if (table.id === 'times') sections.push(figure(t.distribution, distributionChart(report.firstResponseDistribution, 'distribution', lang)));
    if (table.id === 'attainment-priority') {
      sections.push(figure(t.attPriority, attainmentChart(report.attainment.byPriority, report.attainmentTarget, 'attainment', lang)));
    }
  }
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeXml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>${escapeXml(title)}</h1>
<p class="subtitle">${escapeXml(reportSubtitle(report, options))}</p>
${sections.join('\n')}
</main>
</body>
</html>
`;
}

function section(table: ReportTable, none: string): string {
  const head = `<h2 id="${table.id}">${escapeXml(table.heading)}</h2>`;
  const note = table.note ? `<p class="note">${escapeXml(table.note)}</p>` : '';
  if (table.rows.length === 0) return `<section>${head}${note}<p>${escapeXml(none)}</p></section>`;
  const th = table.columns.map((c) => `<th scope="col">${escapeXml(c)}</th>`).join('');
  const rows = table.rows.map((r) => `<tr>${r.map((c) => `<td>${escapeXml(c)}</td>`).join('')}</tr>`).join('\n');
  return `<section aria-labelledby="${table.id}">${head}${note}<table><thead><tr>${th}</tr></thead><tbody>\n${rows}\n</tbody></table></section>`;
}
