import Handlebars from 'handlebars';
import { ImapFlow } from 'imapflow';
import { simpleParser } from 'mailparser';
import nodemailer from 'nodemailer';
import postgres from 'postgres';

/**
 * The floor slagate is compared with: the same work done with the raw libraries and nothing of
 * ours. Fetch the sources over IMAP in batches, parse each with simpleParser, insert one row per
 * mail with postgres.js (a prepared statement, no transaction), render one handlebars template
 * and send it through a pooled nodemailer transport, with up to `inFlight` sends outstanding, as
 * the outbox worker has. No threading, classification, deduplication, moves or checkpoints.
 */
export interface BaselineOptions {
  imap: { host: string; port: number; user: string; password: string };
  databaseUrl: string;
  smtp: { host: string; port: number; maxConnections: number };
  expected: number;
  /** Sends outstanding at once (the outbox worker claims 20 rows per pass). */
  inFlight: number;
  fetchBatch?: number;
}

const TEMPLATE = `Dear {{name}},

We received your request "{{subject}}" and logged it as ticket {{number}}.
When you write to us about it, please keep [#{{number}}] in the subject line.

Our first response is due by {{due}}.

Kind regards,
Support`;

export async function runBaseline(options: BaselineOptions): Promise<{ processed: number; ms: number }> {
  const sql = postgres(options.databaseUrl, { max: 2, onnotice: () => {} });
  await sql`create table if not exists baseline_mail (
    id bigserial primary key, message_id text not null, from_address text not null, subject text not null,
    body text not null, raw bytea not null, received_at timestamptz not null)`;
  const render = Handlebars.compile(TEMPLATE);
  const transport = nodemailer.createTransport({
    pool: true, host: options.smtp.host, port: options.smtp.port, secure: false,
    maxConnections: options.smtp.maxConnections, maxMessages: Infinity,
  });
  const client = new ImapFlow({
    host: options.imap.host, port: options.imap.port, secure: false, logger: false,
    auth: { user: options.imap.user, pass: options.imap.password }, disableAutoIdle: true,
  });
  client.on('error', () => {});
  const t0 = performance.now();
  await client.connect();
  let processed = 0;
  let ms = 0;
  const pending = new Set<Promise<unknown>>();
  try {
    const lock = await client.getMailboxLock('INBOX');
    try {
      const uids = ((await client.search({ all: true }, { uid: true })) || []).sort((a, b) => a - b);
      const batch = options.fetchBatch ?? 50;
      for (let i = 0; i < uids.length; i += batch) {
        const msgs = await client.fetchAll(uids.slice(i, i + batch).join(','), { uid: true, source: true, internalDate: true }, { uid: true });
        for (const msg of msgs) {
          const mail = await simpleParser(msg.source!);
          const from = mail.from?.value[0];
          const [row] = await sql<{ id: string }[]>`insert into baseline_mail (message_id, from_address, subject, body, raw, received_at)
            values (${mail.messageId ?? ''}, ${from?.address ?? ''}, ${mail.subject ?? ''}, ${mail.text ?? ''}, ${msg.source!},
              ${new Date(msg.internalDate ?? Date.now()).toISOString()}) returning id`;
          const number = `SR-${row!.id}`;
          const text = render({ name: from?.name ?? '', subject: mail.subject ?? '', number, due: new Date(Date.now() + 4 * 3_600_000).toISOString() });
          while (pending.size >= options.inFlight) await Promise.race(pending);
          const sent: Promise<unknown> = transport.sendMail({
            from: { name: 'Support', address: 'support@sanarise.example' },
            to: { name: from?.name ?? '', address: from?.address ?? 'nobody@invalid' },
            subject: `[#${number}] ${mail.subject ?? ''}`,
            text,
            inReplyTo: mail.messageId,
            references: mail.messageId,
            headers: { 'Auto-Submitted': 'auto-replied' },
          }).finally(() => pending.delete(sent));
          pending.add(sent);
          processed++;
        }
      }
      await Promise.all(pending);
      ms = performance.now() - t0;
    } finally {
      lock.release();
    }
  } finally {
    await client.logout().catch(() => client.close());
    transport.close();
    await sql.end({ timeout: 5 });
  }
  return { processed, ms };
}
