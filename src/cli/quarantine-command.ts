import type { RetryOutcome } from '../app/ingest/retry-quarantined.js';
import type { Db } from '../db/client.js';
import { isTransientError } from '../errors.js';
import { headerBlockNamesAddress } from '../inbound/decide-privacy.js';
import { EXIT, type CliContext, type RegisterCommand } from './context.js';
import { rowId } from './argument-parsers.js';
import { progressWriter } from './progress.js';
import { withAppDatabase } from './open-app-database.js';

/** `slagate quarantine list|show|retry`: mail that could not be processed, why, and another try. */
export const register: RegisterCommand = (program, ctx) => {
  const quarantine = program.command('quarantine').description('inspect and retry mail that could not be processed');

  quarantine
    .command('list')
    .description('open quarantine entries, newest first')
    .option('--limit <n>', 'entries to show', '100')
    .option('--json', 'one JSON object per line')
    .option('--private', 'include mail that reached the management mailbox')
    .action(async (opts: { limit: string; json?: boolean; private?: boolean }) => {
      await withAppDatabase(ctx, 'slagate-quarantine', async (db) => {
        const { listOpenQuarantine } = await import('../db/repositories/quarantine-repository.js');
        const { formatTerminalInstant } = await import('./format-ticket.js');
        const all = await listOpenQuarantine(db, Number(opts.limit) || 100);
        const rows = [];
        for (const row of all) if (opts.private || !await isPrivateEntry(db, ctx, row)) rows.push(row);
        if (opts.json) {
          for (const row of rows) ctx.out.write(`${JSON.stringify(row)}\n`);
          return;
        }
        if (rows.length === 0) ctx.out.write('nothing in quarantine\n');
        const zone = ctx.config().zone;
        for (const r of rows) {
          ctx.out.write(`${String(r.id).padStart(6)}  ${formatTerminalInstant(r.createdAt, zone)}  ${r.mailbox.padEnd(10)} ${r.reasonCode.padEnd(18)} `
            + `${String(r.size).padStart(9)} bytes  retries ${r.retryCount}  ${r.messageId}\n        ${r.reason}\n`);
        }
      });
    });

  quarantine
    .command('show')
    .argument('<id>', 'quarantine id', rowId)
    .description('one entry: the reason, its sizes and the headers of the stored mail')
    .option('--json', 'print it as JSON')
    .option('--private', 'show it even when the mail reached the management mailbox')
    .action(async (id: number, opts: { json?: boolean; private?: boolean }) => {
      await withAppDatabase(ctx, 'slagate-quarantine', async (db) => {
        const { getQuarantine } = await import('../db/repositories/quarantine-repository.js');
        const { getRawMail, readRawMail } = await import('../db/repositories/raw-mail-repository.js');
        const q = await getQuarantine(db, id);
        const raw = q ? await getRawMail(db, q.rawMailId) : null;
        if (!q || !raw) return notFound(ctx, id);
        const bytes = await readRawMail(db, raw.id);
        // A private entry is, to the team, as if it did not exist.
        if (!opts.private && privateMail(ctx, q.mailbox, bytes)) return notFound(ctx, id);
        const view = {
          id: q.id, mailbox: q.mailbox, reasonCode: q.reasonCode, reason: q.reason, retryCount: q.retryCount,
          createdAt: q.createdAt, lastTriedAt: q.lastTriedAt, resolvedAt: q.resolvedAt, resolution: q.resolution,
          rawMailId: raw.id, messageId: raw.messageId, source: raw.source, receivedAt: raw.receivedAt,
          size: raw.size, storedBytes: bytes.length, headersOnly: bytes.length < raw.size, headers: headerBlock(bytes),
        };
        if (opts.json) {
          ctx.out.write(`${JSON.stringify(view, null, 2)}\n`);
          return;
        }
        ctx.out.write([
          `quarantine ${view.id}: ${view.reasonCode}: ${view.reason}`,
          `  state      ${view.resolvedAt ? `resolved ${view.resolvedAt.toISOString()} (${view.resolution ?? ''})` : 'open'}; retried ${view.retryCount} times${view.lastTriedAt ? `, last ${view.lastTriedAt.toISOString()}` : ''}`,
          `  mail       raw mail ${view.rawMailId} in ${view.mailbox} via ${view.source}, ${view.messageId}, received ${view.receivedAt.toISOString()}`,
          `  size       ${view.size} bytes${view.headersOnly ? `; only the ${view.storedBytes} bytes of headers were kept (cannot be retried)` : ' (all stored)'}`,
          '  headers',
          ...view.headers.split(/\r?\n/).map((l) => `    ${l}`),
          '',
        ].join('\n'));
      });
    });

  quarantine
    .command('retry')
    .argument('[id]', 'quarantine id', rowId)
    .option('--all', 'retry every open entry, oldest first')
    .option('--private', 'name the private ticket a mail became (otherwise "a private ticket")')
    .description('run the inbound pipeline again on the stored mail; on success it becomes a ticket (or reply) like any mail')
    .action(async (id: number | undefined, opts: { all?: boolean; private?: boolean }) => {
      if ((id === undefined) === (opts.all !== true)) {
        ctx.err.write('slagate quarantine retry: give one id or --all\n');
        ctx.exitCode = EXIT.USAGE;
        return;
      }
      const { withLocalTokenSecret } = await import('../local-token-secret.js');
      const config = withLocalTokenSecret(ctx.config());
      await withAppDatabase(ctx, 'slagate-quarantine', async (db) => {
        const { retryQuarantined } = await import('../app/ingest/retry-quarantined.js');
        const { listOpenQuarantineIds } = await import('../db/repositories/ticket-query-repository.js');
        const { createLogger } = await import('../logger.js');
        const deps = { db, config, logger: createLogger({ level: 'error' }), clock: () => new Date(), verify: (await import('../mail-auth/verify-mail.js')).mailVerifierFor(config) };
        const ids = opts.all ? await listOpenQuarantineIds(db) : [id!];
        if (opts.all && ids.length === 0) ctx.out.write('nothing in quarantine\n');
        const progress = progressWriter(ctx.err);
        let failed = 0;
        for (const [i, qid] of ids.entries()) {
          progress(`retrying ${i + 1}/${ids.length}`);
          let outcome: RetryOutcome;
          try {
            outcome = await retryQuarantined(deps, qid);
          } catch (err) {
            progress(null);
            ctx.err.write(`quarantine ${qid}: ${(err as Error).message}\n`);
            ctx.exitCode = isTransientError(err) ? EXIT.TEMPFAIL : EXIT.SOFTWARE;
            return;
          }
          progress(null);
          if (outcome.status !== 'resolved') failed += 1;
          ctx.out.write(`${describe(outcome, opts.private === true)}\n`);
        }
        if (failed > 0) ctx.exitCode = EXIT.DATAERR;
      });
    });
};

function describe(o: RetryOutcome, showPrivate: boolean): string {
  switch (o.status) {
    case 'resolved':
      // A private ticket's number (and the reason, which may name it or its thread) is for
      // management: the team's operator learns only that the mail went there.
      if (o.ticket?.private && !showPrivate) return `quarantine ${o.id}: ${o.decision} - a private ticket (details with --private)`;
      return `quarantine ${o.id}: ${o.decision}${o.ticket ? ` ${o.ticket.number} (${o.ticket.type}, ${o.ticket.priority})` : ''} - ${o.reason}`;
    case 'still-quarantined':
      return `quarantine ${o.id}: still quarantined - ${o.reasonCode}: ${o.reason}`;
    case 'cannot-retry':
      return `quarantine ${o.id}: cannot be retried - ${o.reason}`;
    case 'already-resolved':
      return `quarantine ${o.id}: already resolved${o.resolution ? ` (${o.resolution})` : ''}`;
    case 'not-found':
      return `quarantine ${o.id}: no such entry`;
  }
}

/** The header block as received (up to the first empty line), for reading, not for parsing. */
function headerBlock(raw: Buffer): string {
  const text = raw.subarray(0, 256 * 1024).toString('utf8');
  const end = text.search(/\r?\n\r?\n/);
  return (end === -1 ? text : text.slice(0, end)).trimEnd();
}

/** Mail that reached management: read from it, or its stored headers name it (see decidePrivacy). */
function privateMail(ctx: CliContext, mailbox: string, bytes: Buffer): boolean {
  return mailbox === 'management' || headerBlockNamesAddress(headerBlock(bytes), ctx.config().mailboxes.management.address);
}

async function isPrivateEntry(db: Db, ctx: CliContext, row: { mailbox: string; rawMailId: number }): Promise<boolean> {
  if (row.mailbox === 'management') return true;
  const { readRawMail } = await import('../db/repositories/raw-mail-repository.js');
  return privateMail(ctx, row.mailbox, await readRawMail(db, row.rawMailId));
}

function notFound(ctx: CliContext, id: string | number): void {
  ctx.err.write(`slagate quarantine: no such entry ${id}\n`);
  ctx.exitCode = EXIT.DATAERR;
}

