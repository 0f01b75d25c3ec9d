import type { Config } from '../../config.js';
import type { Db } from '../../db/client.js';
import { loadReportRows } from '../../db/repositories/report-repository.js';
import { buildReport } from '../../reports/build-report.js';
import { policyWorkingMinutes } from '../../reports/policy-working-minutes.js';
import { monthPeriod } from '../../reports/report-period.js';
import { renderHtml } from '../../reports/render-html.js';
import { renderMarkdown } from '../../reports/render-markdown.js';
import type { ReportLanguage } from '../../reports/report-labels.js';
import { clientsOf } from '../../tickets/client-of.js';

/**
 * One month's report: management's (private tickets included) when `client` is null, else that
 * client's own (a configured client's name, an address, or a domain for everyone there; never
 * private tickets), in the reader's language.
 */
export async function renderMonthlyReport(
  db: Db, config: Config, month: string, now: Date, client: string | null, lang: ReportLanguage = 'en',
): Promise<{ html: string; markdown: string }> {
  const period = monthPeriod(month, config.zone)!;
  const organisation = client === null ? undefined : config.clients.find((c) => c.name === client);
  const filter = client === null ? undefined
    : organisation ? { organisation: { addresses: organisation.addresses, domains: organisation.domains } }
      : client.includes('@') ? { address: client } : { domain: client };
  const includePrivate = client === null;
  const rows = await loadReportRows(db, { from: period.start, to: period.end, includePrivate, client: filter });
  const report = buildReport({
    period, rows, policy: config.policy, workingMinutes: policyWorkingMinutes(config.policy), now, includePrivate,
    client, clientKey: filter && 'address' in filter ? 'address' : 'domain', clientOf: (a) => clientsOf(config)(a).name,
  });
  const options = { lang, audience: client === null ? 'management' as const : 'client' as const };
  return { html: renderHtml(report, options), markdown: renderMarkdown(report, options) };
}
