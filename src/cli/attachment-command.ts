import { writeFile } from 'node:fs/promises';
import { EXIT, type CliContext, type RegisterCommand } from './context.js';
import { withAppDatabase } from './open-app-database.js';

/**
 * `slagate attachment list|get`: a ticket's files, and the bytes of one, for the files too large
 * to travel with the team's mail (the mail names them and this command).
 */
export const register: RegisterCommand = (program, ctx) => {
  const attachment = program.command('attachment').description("a ticket's files (those too large to forward by mail)");
  attachment
    .command('list')
    .argument('<ticket>', 'a ticket number (SR-1042 or 1042)')
    .option('--private', 'management only: allow private tickets')
    .option('--json', 'one JSON object per line')
    .description("list a ticket's files with their sizes")
    .action(async (ref: string, opts: { private?: boolean; json?: boolean }) => {
      const config = ctx.config();
      await withAppDatabase(ctx, 'slagate-attachment', async (db) => {
        const { listTicketFiles } = await import('./ticket-attachments.js');
        const result = await listTicketFiles(db, ref, { ticketPrefix: config.ticketPrefix, includePrivate: opts.private === true });
        if (result.kind === 'not-found') return notFound(ctx, result.ref);
        if (!opts.json && result.files.length === 0) ctx.out.write(`${result.number} has no attachments\n`);
        for (const f of result.files) {
          const row = { id: f.id, filename: f.filename, contentType: f.contentType, size: f.size, from: f.from, at: f.at.toISOString() };
          ctx.out.write(opts.json ? `${JSON.stringify(row)}\n`
            : `${String(f.id).padStart(6)}  ${String(f.size).padStart(10)}  ${f.contentType.padEnd(28)} ${f.filename ?? '(unnamed)'}  from ${f.from}\n`);
        }
      });
    });
  attachment
    .command('get')
    .argument('<ticket>', 'a ticket number (SR-1042 or 1042)')
    .argument('<file>', 'the file name (the latest of that name), or its id from `attachment list`')
    .option('-o, --out <path>', 'write it to this file (default: standard output)')
    .option('--private', 'management only: allow private tickets')
    .description('write one of a ticket\'s files, exactly as the sender attached it')
    .action(async (ref: string, which: string, opts: { out?: string; private?: boolean }) => {
      const config = ctx.config();
      await withAppDatabase(ctx, 'slagate-attachment', async (db) => {
        const { listTicketFiles, readTicketFile } = await import('./ticket-attachments.js');
        const result = await listTicketFiles(db, ref, { ticketPrefix: config.ticketPrefix, includePrivate: opts.private === true });
        if (result.kind === 'not-found') return notFound(ctx, result.ref);
        const found = await readTicketFile(db, result.files, which);
        if (!found) {
          ctx.err.write(`slagate attachment: ${result.number} has no file ${JSON.stringify(which)} (see slagate attachment list ${result.number})\n`);
          ctx.exitCode = EXIT.DATAERR;
          return;
        }
        if (opts.out) {
          await writeFile(opts.out, found.content);
          ctx.err.write(`${found.file.filename ?? found.file.id}: ${found.content.length} bytes written to ${opts.out}\n`);
        } else {
          await new Promise<void>((resolve, reject) => ctx.out.write(found.content, (err) => (err ? reject(err) : resolve())));
        }
      });
    });
};

function notFound(ctx: CliContext, ref: string): void {
  // The same words for a private ticket, so a team member cannot probe which numbers are private.
  ctx.err.write(`slagate attachment: no ticket ${ref} (a private ticket is shown only with --private)\n`);
  ctx.exitCode = EXIT.DATAERR;
}
