import { DateTime } from 'luxon';
import type { Config } from '../../config.js';
import type { Db } from '../../db/client.js';
import { sameOrganisation } from '../../inbound/same-organisation.js';
import type { TeamAttachment } from '../../tickets/plan-team-notification.js';
import { renderMonthlyReport } from './render-monthly-report.js';

/**
 * A client asking for a report (Request a Report: website status, helpdesk insights) gets last
 * month's figures of their own organisation, attached to the team's notification so the agent can
 * check and forward it. Their organisation is their domain, or their address at a public service.
 */
export async function clientReportAttachment(tx: Db, config: Config, requester: string, receivedAt: Date, now: Date): Promise<TeamAttachment> {
  const domain = requester.split('@')[1] ?? '';
  const client = sameOrganisation(requester, `x@${domain}`) ? domain : requester;
  const month = DateTime.fromJSDate(receivedAt, { zone: config.zone }).minus({ months: 1 }).toFormat('yyyy-MM');
  const report = await renderMonthlyReport(tx, config, month, now, client);
  return {
    filename: `sla-report-${client.replace(/[^a-z0-9.@-]+/gi, '_')}-${month}.html`,
    contentType: 'text/html; charset=utf-8',
    contentBase64: Buffer.from(report.html, 'utf8').toString('base64'),
  };
}
