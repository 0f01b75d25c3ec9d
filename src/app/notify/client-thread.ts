import type { Db } from '../../db/client.js';
import { listMessages } from '../../db/repositories/message-repository.js';
import type { ThreadContext } from '../../outbound/compose-mail.js';

/**
 * The client's side of the conversation: mail we send them answers their last message, so it
 * lands in the thread their mail client already shows.
 */
export async function clientThread(tx: Db, ticketId: number): Promise<ThreadContext | undefined> {
  const fromClient = (await listMessages(tx, ticketId)).filter((msg) => msg.direction === 'inbound' && msg.authorKind === 'client');
  const last = fromClient[fromClient.length - 1];
  return last ? { inReplyTo: last.messageId, references: last.references } : undefined;
}
