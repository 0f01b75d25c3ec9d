/** Someone other than the requester who follows a ticket by mail (a client's colleague on Cc). */
export interface Participant {
  address: string;
  name: string;
}

/** What a ticket's history says about who follows it, oldest first. */
export type ParticipantFact =
  /** A client-side mail on the ticket: its sender and everyone it was addressed or copied to. */
  | { kind: 'mail'; at: Date; from: Participant | null; to: Participant[]; cc: Participant[] }
  /** An agent's `#cc add|remove ADDRESS`. */
  | { kind: 'cc'; at: Date; action: 'add' | 'remove'; address: string };

/**
 * The ticket's participants: the people the client's mails went to or came from besides us, our
 * staff and the requester, plus those an agent added, minus those an agent removed, in the order
 * they joined. A later mail that copies someone removed brings them back: that is the client's
 * choice, made after the agent's. Addresses are compared ASCII-lowercased, as the parser gives them.
 */
export function participantsOf(
  facts: readonly ParticipantFact[], requester: string, isOurs: (address: string) => boolean,
): Participant[] {
  const current = new Map<string, Participant>();
  const consider = (p: Participant | null) => {
    if (!p) return;
    const address = lower(p.address);
    if (address === lower(requester) || isOurs(address) || current.has(address)) return;
    current.set(address, { address, name: p.name });
  };
  const ordered = [...facts].sort((a, b) => a.at.getTime() - b.at.getTime());
  for (const f of ordered) {
    if (f.kind === 'mail') {
      consider(f.from);
      for (const p of [...f.to, ...f.cc]) consider(p);
    } else if (f.action === 'add') {
      consider({ address: f.address, name: '' });
    } else {
      current.delete(lower(f.address));
    }
  }
  return [...current.values()];
}

function lower(address: string): string {
  return address.trim().replace(/[A-Z]+/g, (m) => m.toLowerCase());
}
