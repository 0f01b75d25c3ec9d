import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { isProcessAlive } from '../../db/process-alive.js';
import { databaseKey } from '../../mail-listeners/database-key.js';
import { openIngestSession, type IngestSession } from '../../mail-listeners/ingest-protocol.js';
import type { IngestOutcome } from '../../inbound/ingest-types.js';
import { EXIT } from '../context.js';

/**
 * `slagate ingest` while a gateway runs: the bytes go to the gateway's own socket and the
 * command waits for its reply, which comes after the commit. No database connection, no
 * migrations check, no ingest code loaded: Node's start-up is most of what a delivery costs.
 * This module is loaded before the config (zod) and commander on purpose; keep its imports light.
 */

export interface GatewayIngestTarget {
  socket: string;
  database: string;
  support: string;
  management: string;
}

export interface MailSource {
  name: string;
  raw: Buffer;
}

/**
 * The running gateway's pipe socket, found as running-gateway-file.ts writes it (gateway.json
 * beside the embedded database folder, whether or not that database is in use); null when no
 * live gateway on this database announced one.
 */
export function gatewayIngestTarget(database: { url?: string; dataDir: string }): GatewayIngestTarget | null {
  try {
    const info = JSON.parse(readFileSync(join(dirname(resolve(database.dataDir)), 'gateway.json'), 'utf8')) as { pid?: number; ingest?: GatewayIngestTarget | null };
    if (!info.ingest || typeof info.pid !== 'number' || !isProcessAlive(info.pid)) return null;
    // A gateway of another database (the same default folder, another PostgreSQL): not ours.
    if (info.ingest.database !== databaseKey(database)) return null;
    return info.ingest;
  } catch {
    return null;
  }
}

/** The session, or null when the socket does not answer (a gateway that just stopped): then the caller opens the database. */
export async function connectToGateway(target: GatewayIngestTarget): Promise<IngestSession | null> {
  try {
    return await openIngestSession(target.socket);
  } catch {
    return null;
  }
}

/** `Return-Path:` as a delivering MTA writes it, for `--sender`: the one header bounce detection needs. */
export function withSender(raw: Buffer, sender: string | undefined): Buffer {
  if (sender === undefined) return raw;
  return Buffer.concat([Buffer.from(`Return-Path: <${sender.replace(/[\r\n<>]/g, '')}>\r\n`, 'latin1'), raw]);
}

/** The line `slagate ingest` prints for a mail, the same through the gateway or not. */
export function formatOutcome(name: string, outcome: IngestOutcome, json: boolean | undefined): string {
  return json
    ? `${JSON.stringify({ file: name, ...outcome })}\n`
    : `${name}: ${outcome.decision}${outcome.ticket ? ` ${outcome.ticket.number} (${outcome.ticket.type}, ${outcome.ticket.priority})` : ''} - ${outcome.reason}\n`;
}

/**
 * Delivers every source through the session and returns the exit code: 0 when all committed,
 * 75 (try again later) at the first temporary refusal or lost connection, which stops the run as
 * a temporary database failure does without a gateway; 70 for a mail the gateway refused for good.
 */
export async function ingestThroughGateway(
  session: IngestSession,
  sources: AsyncIterable<MailSource> | Iterable<MailSource>,
  options: { mailbox: 'support' | 'management'; sender?: string; json?: boolean },
  io: { out: NodeJS.WritableStream; err: NodeJS.WritableStream },
): Promise<number> {
  let code: number = EXIT.OK;
  try {
    for await (const source of sources) {
      let reply;
      try {
        reply = await session.deliver(options.mailbox, withSender(source.raw, options.sender));
      } catch (err) {
        // The reply never came: the mail may or may not be stored. A retry is answered `duplicate` if it was.
        io.err.write(`${source.name}: the gateway did not answer: ${(err as Error).message}\n`);
        return EXIT.TEMPFAIL;
      }
      if (reply.code === 250) {
        io.out.write(formatOutcome(source.name, JSON.parse(reply.text) as IngestOutcome, options.json));
        continue;
      }
      io.err.write(`${source.name}: ${reply.code} ${reply.text}\n`);
      if (reply.code >= 400 && reply.code < 500) return EXIT.TEMPFAIL;
      code = Math.max(code, EXIT.SOFTWARE);
    }
  } finally {
    session.close();
  }
  return code;
}
