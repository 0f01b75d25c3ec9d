import type { Report } from './report-model.js';
import { reportText, type RenderOptions } from './report-labels.js';
import { DEFAULT_RENDER, reportSubtitle, reportTables, reportTitle } from './report-tables.js';

/** The report as GitHub-flavoured Markdown (for mail bodies and the meeting notes), in the reader's language. */
export function renderMarkdown(report: Report, options: RenderOptions = DEFAULT_RENDER(report)): string {
  const out = [`# ${reportTitle(report, options)}`, '', reportSubtitle(report, options), ''];
  for (const table of reportTables(report, options)) {
    out.push(`## ${table.heading}`, '');
    if (table.note) out.push(`_${table.note}_`, '');
    if (table.rows.length === 0) {
      out.push(reportText(options.lang).none, '');
      continue;
    }
    out.push(row(table.columns), row(table.columns.map(() => '---')), ...table.rows.map(row), '');
  }
  return out.join('\n');
}

function row(cells: string[]): string {
  return `| ${cells.map((c) => c.replace(/\|/g, '\\|').replace(/\n/g, ' ')).join(' | ')} |`;
}
