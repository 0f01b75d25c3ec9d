import { Option } from 'commander';
import { PRIORITIES, TICKET_STATUSES } from '../policy/priorities.js';
import { EXIT, type CliContext, type RegisterCommand } from './context.js';
import { ticketRef } from './argument-parsers.js';
import { withAppDatabase } from './open-app-database.js';

interface ListOptions { status?: string; priority?: string; breached?: boolean; private?: boolean; limit: string; json?: boolean }

/** `slagate tickets list` and `slagate ticket show`: what is open, what is late, and why. */
export const register: RegisterCommand = (program, ctx) => {
  const tickets = program.command('tickets').description('list tickets');
  tickets
    .command('list')
    .description('list tickets, newest first, with their next deadline')
    .addOption(new Option('--status <status>', 'only tickets in this status').choices(TICKET_STATUSES))
    .option('--priority <priority>', `only tickets with this granted priority: ${PRIORITIES.join(' | ')}, or an alias (urgent, acil, p1...)`)
    .option('--breached', 'only tickets that missed a deadline (late, or overdue now)')
    .option('--private', 'management only: include private tickets (complaints)')
    .option('--limit <n>', 'tickets to show', '50')
    .option('--json', 'one JSON object per line')
    .action(async (opts: ListOptions) => {
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1) return usage(ctx, `--limit must be a positive whole number, not "${opts.limit}"`);
      const config = ctx.config();
      let priority: string | undefined;
      if (opts.priority !== undefined) {
        const { priorityNamed } = await import('../inbound/subject-tags.js');
        priority = priorityNamed(opts.priority, config.policy) ?? undefined;
        if (!priority) return usage(ctx, `--priority: "${opts.priority}" is not a priority (${PRIORITIES.join(', ')}, or one of their aliases)`);
      }
      await withAppDatabase(ctx, 'slagate-tickets', async (db) => {
        const { listTickets } = await import('./list-tickets.js');
        const { formatTicketList } = await import('./format-ticket.js');
        const items = await listTickets(db, config.policy, {
          status: opts.status, priority, breached: opts.breached === true,
          includePrivate: opts.private === true, limit, now: new Date(),
        });
        if (opts.json) for (const item of items) ctx.out.write(`${JSON.stringify(item)}\n`);
        else ctx.out.write(formatTicketList(items, config.zone));
      });
    });

  const ticket = program.command('ticket').description('show one ticket');
  ticket
    .command('show')
    .argument('<ref>', 'a ticket number (SR-1042 or 1042), or a Message-ID (<id@host>) to trace one mail', ticketRef)
    .description('a ticket with its messages, events, outgoing mail and every deadline explained; or what became of a mail')
    .option('--private', 'management only: allow private tickets')
    .option('--json', 'print the view as JSON')
    .action(async (ref: string, opts: { private?: boolean; json?: boolean }) => {
      const config = ctx.config();
      await withAppDatabase(ctx, 'slagate-ticket', async (db) => {
        const { showTicket } = await import('./show-ticket.js');
        const { formatMailTrace, formatTicketView } = await import('./format-ticket.js');
        const result = await showTicket(db, ref, {
          policy: config.policy, ticketPrefix: config.ticketPrefix, includePrivate: opts.private === true, now: new Date(),
        });
        if (result.kind === 'not-found' || result.kind === 'private') {
          // The same words for both, so a team member cannot probe which numbers are private.
          ctx.err.write(`slagate ticket: no ticket or mail ${result.ref} (a private ticket is shown only with --private)\n`);
          ctx.exitCode = EXIT.DATAERR;
          return;
        }
        if (result.kind === 'mail') {
          ctx.out.write(opts.json ? `${JSON.stringify(result, null, 2)}\n` : formatMailTrace(result.messageId, result.records, config.zone));
          return;
        }
        ctx.out.write(opts.json ? `${JSON.stringify(result.view, null, 2)}\n` : formatTicketView(result.view, config.zone));
      });
    });
};

function usage(ctx: CliContext, message: string): void {
  ctx.err.write(`slagate: ${message}\n`);
  ctx.exitCode = EXIT.USAGE;
}

