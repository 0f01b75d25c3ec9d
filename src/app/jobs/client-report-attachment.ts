import type { Config } from '../../config.js';
import type { Db } from '../../db/client.js';
import { isRequestedReport, type InlineOutboxAttachment, type OutboxAttachment, type RequestedReportAttachment } from '../../outbound/outbound-mail.js';
import { renderMonthlyReport } from './render-monthly-report.js';

/**
 * An outbox row's attachments with every requested report (tickets/client-report-request.ts)
 * rendered: the client's figures of that month as the tickets stand at `now`, when the mail is
 * sent. Called by the outbox worker before it reads stored files back; a mail without a report
 * request is returned as it is, and nothing is read for it.
 */
export async function renderRequestedReports(
  db: Db, config: Config, list: readonly OutboxAttachment[], now: Date,
): Promise<Exclude<OutboxAttachment, RequestedReportAttachment>[]> {
  if (!list.some(isRequestedReport)) return list as Exclude<OutboxAttachment, RequestedReportAttachment>[];
  const rendered: Exclude<OutboxAttachment, RequestedReportAttachment>[] = [];
  for (const a of list) rendered.push(isRequestedReport(a) ? await renderReport(db, config, a, now) : a);
  return rendered;
}

async function renderReport(db: Db, config: Config, request: RequestedReportAttachment, now: Date): Promise<InlineOutboxAttachment> {
  const report = await renderMonthlyReport(db, config, request.report.month, now, request.report.client);
  return { filename: request.filename, contentType: request.contentType, contentBase64: Buffer.from(report.html, 'utf8').toString('base64') };
}
