import type { Config } from '../../config.js';
import { lastClientText } from '../../db/repositories/ticket-mail-repository.js';
import type { Db } from '../../db/client.js';
import { extractNewText } from '../../inbound/reply-text.js';
import { findPerson } from '../../tickets/staff-directory.js';

/** How much of the client's last mail an escalation quotes. */
const LAST_TEXT_CHARS = 1500;

/**
 * What whoever a ticket is escalated to needs at a glance (the `escalation` block of the
 * escalation templates): who has it, how late it is against which target, and what the client
 * last wrote (the new text of their last mail, not its quoted history).
 */
export async function escalationFacts(
  tx: Db, config: Config, ticket: { id: number; assignee: string | null },
  late: { clock: string; deadline: Date; now: Date } | null,
): Promise<Record<string, unknown>> {
  const last = await lastClientText(tx, ticket.id);
  const text = last ? (extractNewText(last).body || last).trim() : '';
  const person = findPerson(config, ticket.assignee);
  return {
    assigneeName: person ? `${person.name} <${person.address}>` : ticket.assignee,
    clock: late?.clock ?? null,
    deadline: late?.deadline ?? null,
    lateMinutes: late ? Math.max(0, Math.floor((late.now.getTime() - late.deadline.getTime()) / 60_000)) : 0,
    lastClientText: text.length > LAST_TEXT_CHARS ? `${text.slice(0, LAST_TEXT_CHARS)}…` : text,
  };
}
