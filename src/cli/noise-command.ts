import { Option } from 'commander';
import { MACHINE_KINDS } from '../inbound/machine-mail.js';
import { EXIT, type RegisterCommand } from './context.js';
import { withAppDatabase } from './open-app-database.js';

/**
 * `slagate noise list|show`: the machine mail slagate recorded and did not answer (bounces,
 * feedback reports, auto-replies, loops, list, bulk and noreply mail), each with its verdict and
 * signals, and its raw bytes on demand: nothing a machine sent is lost, none of it is a ticket.
 */
export const register: RegisterCommand = (program, ctx) => {
  const noise = program.command('noise').description('machine mail that was recorded but never answered nor made a ticket');

  noise
    .command('list')
    .description('recorded machine mail, newest first, with its verdict and signals')
    .option('--limit <n>', 'entries to show', '100')
    .addOption(new Option('--verdict <kind>', 'only this kind').choices(MACHINE_KINDS.filter((k) => k !== 'person')))
    .option('--json', 'one JSON object per line')
    .action(async (opts: { limit: string; verdict?: string; json?: boolean }) => {
      await withAppDatabase(ctx, 'slagate-noise', async (db) => {
        const { listMachineMail } = await import('../db/repositories/machine-mail-repository.js');
        const { formatTerminalInstant } = await import('./format-ticket.js');
        const rows = await listMachineMail(db, { limit: Number(opts.limit) || 100, verdict: opts.verdict });
        if (opts.json) {
          for (const row of rows) ctx.out.write(`${JSON.stringify({ ...row, verdict: verdictOf(row.reason) })}\n`);
          return;
        }
        if (rows.length === 0) ctx.out.write('no machine mail recorded\n');
        const zone = ctx.config().zone;
        for (const r of rows) {
          ctx.out.write(`${String(r.id).padStart(6)}  ${formatTerminalInstant(r.receivedAt, zone)}  ${r.mailbox.padEnd(10)} ${r.decision.padEnd(10)} `
            + `${(verdictOf(r.reason) ?? '-').padEnd(18)} ${r.messageId}\n        ${r.reason ?? ''}\n`);
        }
      });
    });

  noise
    .command('show')
    .description('the raw mail of one entry, byte for byte, after its decision and reason')
    .argument('<id>', 'raw mail id (from noise list)')
    .action(async (id: string) => {
      if (!/^\d+$/.test(id)) {
        ctx.err.write(`slagate noise show: ${id} is not a raw mail id\n`);
        ctx.exitCode = EXIT.USAGE;
        return;
      }
      await withAppDatabase(ctx, 'slagate-noise', async (db) => {
        const { getRawMail, readRawMail } = await import('../db/repositories/raw-mail-repository.js');
        const row = await getRawMail(db, Number(id));
        if (!row) {
          ctx.err.write(`slagate noise show: no raw mail ${id}\n`);
          ctx.exitCode = EXIT.USAGE;
          return;
        }
        ctx.out.write(`raw mail ${row.id}: ${row.decision}: ${row.reason ?? ''}\n\n`);
        ctx.out.write(await readRawMail(db, row.id));
      });
    });
};

/** The verdict kind a recorded reason names as `<kind> (`. */
function verdictOf(reason: string | null): string | null {
  if (reason === null) return null;
  return MACHINE_KINDS.find((k) => reason.includes(`${k} (`)) ?? null;
}
