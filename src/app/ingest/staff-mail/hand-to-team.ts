import type { Person } from '../../../config.js';
import type { Db } from '../../../db/client.js';
import { appendEvents, listEvents } from '../../../db/repositories/event-repository.js';
import { firstClientMessage } from '../../../db/repositories/message-repository.js';
import { readRawMail } from '../../../db/repositories/raw-mail-repository.js';
import type { TicketRow } from '../../../db/repositories/ticket-repository.js';
import { classify, grantPriority, type Classification } from '../../../inbound/classify.js';
import type { Policy } from '../../../policy/default-policy.js';
import { openTicket } from '../open-ticket.js';
import { parseAndClassify } from '../parse-and-classify.js';
import type { RouteContext } from '../route-types.js';
import { say, type Said } from '../../../outbound/said.js';

export type HandOver = { ok: true; number: string; ticketId: number } | { ok: false; reason: Said };

/**
 * `#team` / `#ekip`: a manager hands a private ticket's original mail to the team as a new, normal
 * team ticket: the only way private content ever becomes team-visible. The client's first mail is
 * read again from its raw bytes and opened as if it had come to support alone (the team is
 * notified; the client, acknowledged once already by management, is not acknowledged again). The
 * team ticket names no private number and nothing of management's handling; the private ticket
 * records the hand-over with the manager as actor (the caller's command event), the team ticket
 * records who handed it over. Once per private ticket.
 */
export async function handToTeam(tx: Db, ctx: RouteContext, ticket: TicketRow, manager: Person): Promise<HandOver> {
  const { config, now } = ctx;
  if (!ticket.private) return { ok: false, reason: say(`${ticket.number} is a team ticket already`, `${ticket.number} zaten bir ekip talebi`) };
  if (manager.role !== 'manager') return { ok: false, reason: say('only a manager hands a private mail to the team', 'yönetime özel bir e-postayı ekibe yalnızca bir yönetici verebilir') };
  const before = (await listEvents(tx, ticket.id)).find((e) => e.kind === 'command-team');
  const handed = typeof before?.data['teamTicket'] === 'string' ? before.data['teamTicket'] : '?';
  if (before) return { ok: false, reason: say(`already handed to the team as ${handed}`, `zaten ekibe ${handed} olarak verildi`) };
  const first = await firstClientMessage(tx, ticket.id);
  if (!first?.rawMailId) return { ok: false, reason: say(`${ticket.number} has no client mail to hand over`, `${ticket.number} talebinde ekibe verilecek bir müşteri e-postası yok`) };
  const raw = await readRawMail(tx, first.rawMailId);
  const prepared = await parseAndClassify(config, raw, 'support');
  if (!prepared.ok) return { ok: false, reason: say(`the client's mail could not be read again (${prepared.code})`, `müşterinin e-postası yeniden okunamadı (${prepared.code})`) };
  const { mail } = prepared;
  const classification = teamClassification(
    classify({ subject: mail.subject, text: mail.text, mailbox: 'support' }, config.policy, [config.ticketPrefix, config.privateTicketPrefix]),
    config.policy,
  );
  const opened = await openTicket(tx, ctx, {
    input: { raw, mailbox: 'support', receivedAt: now, source: 'cli' },
    mail, messageId: first.messageId, rawMailId: first.rawMailId,
    // Management acknowledged the client already; the team ticket is not acknowledged again.
    noise: { ...prepared.noise, kind: null, acknowledge: false, reasons: ['handed to the team by management'] },
    classification,
  }, null);
  if (!opened.ticket) return { ok: false, reason: say('no team ticket was opened', 'ekip talebi açılmadı') };
  await appendEvents(tx, [{ ticketId: opened.ticket.id, at: now, actor: manager.address, kind: 'handed-to-team',
    reason: `handed to the team by ${manager.name} <${manager.address}>`, data: {} }]);
  return { ok: true, number: opened.ticket.number, ticketId: opened.ticket.id };
}

/** The mail as a team ticket: a private type (a complaint tag the manager judged harmless) becomes `other`. */
function teamClassification(c: Classification, policy: Policy): Classification {
  if (!c.private) return c;
  const rule = policy.types.find((t) => t.slug === 'other' && !t.private) ?? policy.types.find((t) => !t.private)!;
  const granted = grantPriority(rule, null);
  return { ...c, private: false, type: rule.slug, typeSource: 'default', requestedPriority: null, priority: granted.priority, priorityReason: granted.reason };
}
