import type { Config } from '../config.js';
import { EXIT, type CliContext, type RegisterCommand } from './context.js';
import { rowId } from './argument-parsers.js';
import { withAppDatabase } from './open-app-database.js';

type Row = Awaited<ReturnType<typeof import('../db/repositories/outbox-repository.js').listOutbox>>[number];

/** `slagate outbox list|show|retry`: what is waiting, what failed and why, and a manual retry. */
export const register: RegisterCommand = (program, ctx) => {
  const outbox = program.command('outbox').description('inspect and retry outgoing mail');

  outbox
    .command('list')
    .description('list outgoing mail, newest first')
    .option('--status <status>', 'pending | sending | sent | failed | bounced | suppressed')
    .option('--limit <n>', 'rows to show', '50')
    .option('--json', 'one JSON object per line')
    .option('--private', 'include mail about private (management) tickets and from the management address')
    .action(async (opts: { status?: string; limit: string; json?: boolean; private?: boolean }) => {
      await withAppDatabase(ctx, 'slagate-outbox', async (db) => {
        const config = ctx.config();
        const repo = await import('../db/repositories/outbox-repository.js');
        const rows = await repo.listOutbox(db, { status: opts.status, limit: Number(opts.limit) || 50, ...teamOnly(config, opts) });
        if (opts.json) {
          for (const row of rows) ctx.out.write(`${JSON.stringify(summary(row))}\n`);
          return;
        }
        if (rows.length === 0) ctx.out.write('no outgoing mail\n');
        for (const row of rows) {
          ctx.out.write(`${String(row.id).padStart(6)}  ${row.status.padEnd(10)} ${String(row.attempts).padStart(2)}  ${row.kind.padEnd(22)} ${row.to.map((a) => a.address).join(', ')}  ${row.subject}\n`);
        }
      });
    });

  outbox
    .command('show')
    .argument('<id>', 'outbox row id', rowId)
    .description('show one outgoing mail with its headers, recipients and last error')
    .option('--private', 'show it even when it is private (about a management ticket or from management)')
    .action(async (id: number, opts: { private?: boolean }) => {
      await withAppDatabase(ctx, 'slagate-outbox', async (db) => {
        const config = ctx.config();
        const repo = await import('../db/repositories/outbox-repository.js');
        const row = await repo.getOutbox(db, id, teamOnly(config, opts));
        if (!row) return notFound(ctx, id);
        ctx.out.write(`${JSON.stringify({ ...summary(row), headers: row.headers, recipients: row.recipients, text: row.text }, null, 2)}\n`);
      });
    });

  outbox
    .command('retry')
    .argument('<id>', 'outbox row id', rowId)
    .description('send a failed, bounced or suppressed mail again (never one already sent)')
    .action(async (id: number) => {
      await withAppDatabase(ctx, 'slagate-outbox', async (db) => {
        const repo = await import('../db/repositories/outbox-repository.js');
        const ok = await repo.retryNow(db, id, new Date());
        if (!ok) return notFound(ctx, id, 'or already sent or being sent');
        ctx.out.write(`outbox ${id} queued for a new attempt\n`);
      });
    });
};

function summary(row: Row) {
  return {
    id: row.id, status: row.status, kind: row.kind, ticketId: row.ticketId, messageId: row.messageId, attempts: row.attempts,
    to: row.to, cc: row.cc, subject: row.subject, notBefore: row.notBefore, sentAt: row.sentAt, lastError: row.lastError,
  };
}

/** Private mail is shown only with --private; without it, it is as if it did not exist. */
function teamOnly(config: Config, opts: { private?: boolean }): { teamOnly?: string } {
  return opts.private ? {} : { teamOnly: config.mailboxes.management.address };
}

function notFound(ctx: CliContext, id: string | number, extra = ''): void {
  ctx.err.write(`slagate outbox: no such mail ${id}${extra ? ` ${extra}` : ''}\n`);
  ctx.exitCode = EXIT.DATAERR;
}

