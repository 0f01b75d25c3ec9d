import { DateTime } from 'luxon';
import type { Config } from '../config.js';
import { sameOrganisation } from '../inbound/same-organisation.js';
import type { RequestedReportAttachment } from '../outbound/outbound-mail.js';
import { cachedZone } from '../sla/cached-zone.js';

/**
 * A client asking for a report (Request a Report: website status, helpdesk insights) gets last
 * month's figures of their own organisation, attached to the team's notification so the agent can
 * check and forward it. Their organisation is their domain, or their address at a public service;
 * last month is the one before the mail arrived, in the agreement's zone. Only named here: the
 * outbox worker renders it when it sends the notification.
 */
export function clientReportRequest(config: Config, requester: string, receivedAt: Date): RequestedReportAttachment {
  const domain = requester.split('@')[1] ?? '';
  const client = sameOrganisation(requester, `x@${domain}`) ? domain : requester;
  const month = DateTime.fromJSDate(receivedAt, { zone: cachedZone(config.zone) }).minus({ months: 1 }).toFormat('yyyy-MM');
  return {
    filename: `sla-report-${client.replace(/[^a-z0-9.@-]+/gi, '_')}-${month}.html`,
    contentType: 'text/html; charset=utf-8',
    report: { client, month },
  };
}
