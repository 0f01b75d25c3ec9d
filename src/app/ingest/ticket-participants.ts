import type { Config } from '../../config.js';
import { listClientMailAddresses, listEventsOfKind } from '../../db/repositories/ticket-mail-repository.js';
import type { Db } from '../../db/client.js';
import { participantsOf, type Participant, type ParticipantFact } from '../../tickets/participants.js';
import { findPerson } from '../../tickets/staff-directory.js';

/** The event kind of an applied `#cc`; its data names the action and the address. */
export const CC_EVENT = 'command-cc';

/**
 * Our own addresses and staff: never participants. A signed reply address (`support+token@`) is
 * the support mailbox too.
 */
export function isOursOrStaff(config: Config, address: string): boolean {
  if (findPerson(config, address)) return true;
  const [local = '', domain = ''] = address.split(/@(?=[^@]*$)/);
  const base = `${local.split('+')[0]}@${domain}`;
  return [config.mailboxes.support.address, config.mailboxes.management.address].includes(base);
}

/**
 * Who follows a ticket besides its requester (participantsOf), from the client-side mails stored
 * on it and the `#cc` commands applied to it; `pending` are facts of the mail being applied now.
 */
export async function ticketParticipants(
  tx: Db, config: Config, ticket: { id: number; requesterAddress: string }, pending: ParticipantFact[] = [],
): Promise<Participant[]> {
  const mails = await listClientMailAddresses(tx, ticket.id);
  const commands = await listEventsOfKind(tx, ticket.id, CC_EVENT);
  const named = (list: { name?: string; address: string }[]) => list.map((a) => ({ address: a.address, name: a.name ?? '' }));
  const facts: ParticipantFact[] = [
    ...mails.map((m): ParticipantFact => ({
      kind: 'mail', at: m.at, from: m.from ? { address: m.from, name: m.fromName ?? '' } : null, to: named(m.to), cc: named(m.cc),
    })),
    ...commands.flatMap((c): ParticipantFact[] => {
      const { action, address } = c.data as { action?: unknown; address?: unknown };
      return (action === 'add' || action === 'remove') && typeof address === 'string' ? [{ kind: 'cc', at: c.at, action, address }] : [];
    }),
    ...pending,
  ];
  return participantsOf(facts, ticket.requesterAddress, (a) => isOursOrStaff(config, a));
}
