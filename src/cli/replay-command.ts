import { Option } from 'commander';
import type { IngestDecision } from '../inbound/ingest-types.js';
import type { MailboxName } from '../policy/priorities.js';
import { EXIT, type RegisterCommand } from './context.js';

/** The Date header, for replaying old mail on its own days (special circumstances count per day). */
function dateHeader(raw: Buffer): Date | null {
  const head = raw.subarray(0, 64 * 1024).toString('latin1');
  const match = head.match(/^Date:[ \t]*(.+(?:\r?\n[ \t].*)*)/im);
  if (!match) return null;
  const date = new Date(match[1]!.replace(/\s+/g, ' ').trim());
  return Number.isNaN(date.getTime()) ? null : date;
}

export const register: RegisterCommand = (program, ctx) => {
  program
    .command('replay')
    .description('run the whole inbound decision pipeline over .eml files, folders or mbox files against a throwaway database (no IMAP, no SMTP)')
    .addOption(new Option('-m, --mailbox <mailbox>', 'the mailbox the mail is taken to have arrived at').choices(['support', 'management']).default('support'))
    .option('--json', 'one JSON object per message')
    .argument('<paths...>', '.eml files, folders or mbox files')
    .action(async (paths: string[], opts: { mailbox: MailboxName; json?: boolean }) => {
      const config = ctx.config();
      const { createLogger } = await import('../logger.js');
      const { ingestMessage } = await import('../app/ingest/ingest-message.js');
      const { readMailSources } = await import('./mail-sources.js');
      const { openDatabase } = await import('../db/client.js');
      const { migrate } = await import('../db/migrate.js');
      // Always a throwaway in-memory database: replay must never touch the real one.
      const database = await openDatabase({ ...config.database, url: undefined }, { dataDir: 'memory://' });
      await migrate(database);
      const deps = { db: database.db, config, logger: createLogger({ level: 'error' }), clock: () => new Date(), verify: (await import('../mail-auth/verify-mail.js')).mailVerifierFor(config) };
      const counts = new Map<string, number>();
      const progress = (ctx.err as NodeJS.WriteStream).isTTY === true;
      try {
        for await (const source of readMailSources(paths)) {
          let line: ReplayLine;
          try {
            const o = await ingestMessage(deps, {
              raw: source.raw, mailbox: opts.mailbox, receivedAt: dateHeader(source.raw) ?? new Date(), source: 'replay',
            });
            line = {
              file: source.name, decision: o.decision, acknowledge: o.acknowledge, ticket: o.ticket?.number ?? null,
              type: o.ticket?.type ?? null, priority: o.ticket?.priority ?? null, private: o.ticket?.private ?? false, verdict: o.verdict ?? null, reason: o.reason,
            };
          } catch (err) {
            line = { file: source.name, decision: 'error', acknowledge: false, ticket: null, type: null, priority: null, private: false, reason: (err as Error).message };
            ctx.exitCode = EXIT.SOFTWARE;
          }
          counts.set(line.decision, (counts.get(line.decision) ?? 0) + 1);
          ctx.out.write(opts.json ? `${JSON.stringify(line)}\n`
            : `${line.file}\t${line.decision}\t${line.ticket ?? '-'}\t${line.type ?? '-'}\t${line.priority ?? '-'}\t${line.private ? 'private' : 'team'}\tack=${line.acknowledge ? 'yes' : 'no'}\t${line.reason}\n`);
          if (progress) ctx.err.write(`\r${[...counts.values()].reduce((a, b) => a + b, 0)} mails replayed`);
        }
        if (progress) ctx.err.write('\n');
        if (!opts.json) ctx.err.write(`${[...counts].map(([k, v]) => `${k}: ${v}`).join(', ') || 'no mail found'}\n`);
        if (counts.size === 0) ctx.exitCode = EXIT.NOINPUT;
      } finally {
        await database.close();
      }
    });
};

/** One replayed mail, as a JSON line or a tab-separated one. */
interface ReplayLine {
  file: string;
  decision: IngestDecision | 'error';
  acknowledge: boolean;
  ticket: string | null;
  type: string | null;
  priority: string | null;
  private: boolean;
  verdict?: string | null;
  reason: string;
}
