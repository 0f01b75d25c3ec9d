import type { Config } from '../../config.js';
import type { Db } from '../../db/client.js';
import { loadReportRows } from '../../db/repositories/report-repository.js';
import { buildReport } from '../../reports/build-report.js';
import { policyWorkingMinutes } from '../../reports/policy-working-minutes.js';
import { monthPeriod } from '../../reports/report-period.js';
import { renderHtml } from '../../reports/render-html.js';
import { renderMarkdown } from '../../reports/render-markdown.js';

/**
 * One month's report: management's (private tickets included) when `client` is null, else that
 * client's own (an address, or a domain for everyone there; never private tickets).
 */
export async function renderMonthlyReport(
  db: Db, config: Config, month: string, now: Date, client: string | null,
): Promise<{ html: string; markdown: string }> {
  const period = monthPeriod(month, config.zone)!;
  const filter = client === null ? undefined : client.includes('@') ? { address: client } : { domain: client };
  const includePrivate = client === null;
  const rows = await loadReportRows(db, { from: period.start, to: period.end, includePrivate, client: filter });
  const report = buildReport({
    period, rows, policy: config.policy, workingMinutes: policyWorkingMinutes(config.policy), now, includePrivate,
    client, clientKey: filter && 'address' in filter ? 'address' : 'domain',
  });
  return { html: renderHtml(report), markdown: renderMarkdown(report) };
}
