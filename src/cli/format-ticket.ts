import { DateTime } from 'luxon';
import type { TicketListItem } from './list-tickets.js';
import type { MailRecord, TicketDetail } from './show-ticket.js';

/** Plain-text views for a person at a terminal; `--json` prints the same objects instead. */

export function formatTerminalInstant(t: Date | null, zone: string): string {
  if (!t) return '-';
  return DateTime.fromJSDate(t, { zone }).setLocale('en').toFormat('yyyy-MM-dd HH:mm');
}

function priorityText(granted: string, requested: string | null): string {
  return requested && requested !== granted ? `${granted} (asked ${requested})` : granted;
}

export function formatTicketList(items: TicketListItem[], zone: string): string {
  if (items.length === 0) return 'no tickets\n';
  const header = ['NUMBER', 'STATUS', 'PRIORITY', 'TYPE', 'REQUESTER', 'ASSIGNEE', 'RECEIVED', 'NEXT DEADLINE', 'BREACHED'];
  const rows = items.map((t) => [
    t.private ? `${t.number} (private)` : t.number,
    t.status,
    priorityText(t.priority, t.requestedPriority),
    t.type,
    t.requester,
    t.assignee ?? '-',
    formatTerminalInstant(t.receivedAt, zone),
    t.nextDeadline ? `${formatTerminalInstant(t.nextDeadline.due, zone)} ${t.nextDeadline.clock}` : '-',
    t.breached ? 'BREACHED' : '-',
  ]);
  return table([header, ...rows]);
}

export function formatTicketView(v: TicketDetail, zone: string): string {
  const t = v.ticket;
  const out: string[] = [];
  out.push(`${t.number}${t.private ? ' (private, management only)' : ''}  ${t.subject}`);
  out.push(`  status     ${t.status}${v.breached ? '  BREACHED' : ''}`);
  out.push(`  type       ${t.type} (from ${t.typeSource})`);
  out.push(`  priority   ${priorityText(t.priority, t.requestedPriority)}: ${t.priorityReason}`);
  out.push(`  requester  ${t.requesterName ? `${t.requesterName} <${t.requester}>` : t.requester}`);
  out.push(`  assignee   ${t.assignee ?? '-'}   escalation level ${t.escalationLevel}${t.slaReview ? '   flagged for SLA review' : ''}`);
  out.push(`  mailbox    ${t.mailbox}`);
  out.push(`  received   ${formatTerminalInstant(t.receivedAt, zone)}   first response ${formatTerminalInstant(t.firstResponseAt, zone)}   qualified ${formatTerminalInstant(t.qualifiedAt, zone)}   resolved ${formatTerminalInstant(t.resolvedAt, zone)}   closed ${formatTerminalInstant(t.closedAt, zone)}`);
  if (t.unknownTags.length) out.push(`  other tags ${t.unknownTags.join(' ')}`);

  out.push('', 'Deadlines');
  for (const d of v.deadlines) out.push(`  ${d.clock}: ${d.text}`);
  if (v.deadlines.length === 0) out.push('  none');
  out.push(`  next: ${v.nextDeadline ? `${v.nextDeadline.clock} due ${formatTerminalInstant(v.nextDeadline.due, zone)}` : 'nothing running'}`);

  out.push('', 'Pauses (waiting on the client)');
  for (const p of v.pauses) out.push(`  ${formatTerminalInstant(p.start, zone)} to ${p.end ? formatTerminalInstant(p.end, zone) : 'now (still waiting)'}`);
  if (v.pauses.length === 0) out.push('  none');

  out.push('', `Messages (${v.messages.length})`);
  for (const m of v.messages) {
    out.push(`  ${formatTerminalInstant(m.date, zone)}  ${m.direction} ${m.authorKind}  ${m.fromName ? `${m.fromName} <${m.from}>` : m.from}`);
    out.push(`    subject: ${m.subject}`);
    for (const line of m.firstLines) out.push(`    | ${line}`);
    for (const a of m.attachments) {
      out.push(`    attachment: ${a.filename ?? '(unnamed)'} ${a.contentType} ${a.size} bytes${a.inline ? ' inline' : ''}`);
    }
  }

  out.push('', 'Events');
  for (const e of v.events) out.push(`  ${formatTerminalInstant(e.at, zone)}  ${e.actor}  ${e.kind}${e.reason ? `: ${e.reason}` : ''}`);
  if (v.events.length === 0) out.push('  none');

  out.push('', 'SLA alerts fired');
  for (const a of v.alerts) out.push(`  ${formatTerminalInstant(a.firedAt, zone)}  ${a.clock} ${a.level} (deadline ${formatTerminalInstant(a.deadline, zone)})`);
  if (v.alerts.length === 0) out.push('  none');

  out.push('', 'Outgoing mail');
  for (const m of v.outbox) {
    out.push(`  #${m.id}  ${m.kind}  to ${m.to.join(', ')}  ${m.status}${m.sentAt ? ` ${formatTerminalInstant(m.sentAt, zone)}` : ''}${m.lastError ? `  last error: ${m.lastError}` : ''}`);
  }
  if (v.outbox.length === 0) out.push('  none');
  return `${out.join('\n')}\n`;
}

export function formatMailTrace(messageId: string, records: MailRecord[], zone: string): string {
  const out: string[] = [`Mail ${messageId}`];
  for (const r of records) {
    out.push(`  raw mail ${r.rawMailId} in mailbox ${r.mailbox} (via ${r.source})`);
    out.push(`    arrived ${formatTerminalInstant(r.receivedAt, zone)}, ingested ${formatTerminalInstant(r.ingestedAt, zone)}, ${r.size} bytes`);
    out.push(`    decision ${r.decision}${r.reason ? `: ${r.reason}` : ''}`);
    if (r.quarantine) {
      const q = r.quarantine;
      out.push(q.resolvedAt
        ? `    quarantine ${q.id}: was ${q.reasonCode}; resolved ${formatTerminalInstant(q.resolvedAt, zone)} (${q.resolution ?? ''}) after ${q.retryCount} retr${q.retryCount === 1 ? 'y' : 'ies'}`
        : `    quarantine ${q.id}: ${q.reasonCode}: ${q.reason} (retried ${q.retryCount} times; see slagate quarantine show ${q.id})`);
    }
    if (r.ticket) out.push(`    ticket ${r.ticket.number} (${r.ticket.status}, ${r.ticket.type}, ${r.ticket.priority})`);
    else if (r.ticketHidden) out.push('    went to a private ticket (management only: add --private)');
    else out.push('    no ticket');
  }
  return `${out.join('\n')}\n`;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n') + '\n';
}
