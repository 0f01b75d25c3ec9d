import type { Report } from './report-model.js';
import { reportSubtitle, reportTables, reportTitle } from './report-tables.js';

/** The report as GitHub-flavoured Markdown (for mail bodies and the meeting notes). */
export function renderMarkdown(report: Report): string {
  const out = [`# ${reportTitle(report)}`, '', reportSubtitle(report), ''];
  for (const table of reportTables(report)) {
    out.push(`## ${table.heading}`, '');
    if (table.note) out.push(`_${table.note}_`, '');
    if (table.rows.length === 0) {
      out.push('None.', '');
      continue;
    }
    out.push(row(table.columns), row(table.columns.map(() => '---')), ...table.rows.map(row), '');
  }
  return out.join('\n');
}

function row(cells: string[]): string {
  return `| ${cells.map((c) => c.replace(/\|/g, '\\|').replace(/\n/g, ' ')).join(' | ')} |`;
}
