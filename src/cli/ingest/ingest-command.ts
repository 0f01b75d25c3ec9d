import { Option } from 'commander';
import { isTransientError } from '../../errors.js';
import type { MailboxName } from '../../policy/priorities.js';
import { EXIT, type RegisterCommand } from '../context.js';

export const register: RegisterCommand = (program, ctx) => {
  program
    .command('ingest')
    .description('ingest raw mail from files or standard input, as an MTA pipe would (exit 75 = try again later)')
    .addOption(new Option('-m, --mailbox <mailbox>', 'the mailbox the mail arrived at').choices(['support', 'management']).default('support'))
    .option('-f, --sender <address>', 'the envelope sender, recorded as Return-Path (an MTA pipe passes it: Postfix ${sender}; "" for a bounce)')
    .option('--json', 'one JSON object per message')
    .argument('[files...]', '.eml files, folders or mbox files (standard input when none)')
    .action(async (files: string[], opts: { mailbox: MailboxName; sender?: string; json?: boolean }) => {
      const { readMailSources, readStdin } = await import('../mail-sources.js');
      const sourcesOf = () => files.length > 0 ? readMailSources(files) : (async function* () {
        yield { name: '-', raw: await readStdin(ctx.in) };
      })();
      // A running gateway takes the mail over its socket and answers after its commit; the
      // database is opened here only when none runs (src/cli/ingest/ingest-via-gateway.ts).
      const via = await import('./ingest-via-gateway.js');
      const target = via.gatewayIngestTarget(ctx.config().database);
      const session = target ? await via.connectToGateway(target) : null;
      if (target && session) {
        try {
          ctx.exitCode = await via.ingestThroughGateway(session, sourcesOf(), opts, ctx);
        } catch (err) {
          ctx.err.write(`slagate ingest: ${(err as Error).message}\n`);
          ctx.exitCode = (err as NodeJS.ErrnoException).code === 'ENOENT' ? EXIT.NOINPUT : EXIT.SOFTWARE;
        }
        return;
      }
      // The embedded database's own secret, as the gateway uses it: an agent's reply fed in here is judged alike.
      const { withLocalTokenSecret } = await import('../../local-token-secret.js');
      const config = withLocalTokenSecret(ctx.config());
      const { createLogger } = await import('../../logger.js');
      const { ingestMessage } = await import('../../app/ingest/ingest-message.js');
      const logger = createLogger({ level: 'warn' });
      let database;
      try {
        const { openAppDatabase } = await import('../open-app-database.js');
        database = await openAppDatabase(config, { applicationName: 'slagate-ingest' });
      } catch (err) {
        ctx.err.write(`slagate ingest: database unavailable: ${(err as Error).message}\n`);
        ctx.exitCode = EXIT.TEMPFAIL;
        return;
      }
      const deps = { db: database.db, config, logger, clock: () => new Date(), verify: (await import('../../mail-auth/verify-mail.js')).mailVerifierFor(config) };
      try {
        for await (const source of sourcesOf()) {
          try {
            const raw = via.withSender(source.raw, opts.sender);
            const outcome = await ingestMessage(deps, { raw, mailbox: opts.mailbox, receivedAt: new Date(), source: 'cli' });
            ctx.out.write(via.formatOutcome(source.name, outcome, opts.json));
          } catch (err) {
            // Like a delivery agent: a temporary failure asks the MTA to retry the whole delivery.
            ctx.err.write(`${source.name}: ${(err as Error).message}\n`);
            ctx.exitCode = isTransientError(err) ? EXIT.TEMPFAIL : Math.max(ctx.exitCode, EXIT.SOFTWARE);
            if (isTransientError(err)) break;
          }
        }
      } catch (err) {
        ctx.err.write(`slagate ingest: ${(err as Error).message}\n`);
        ctx.exitCode = (err as NodeJS.ErrnoException).code === 'ENOENT' ? EXIT.NOINPUT : EXIT.SOFTWARE;
      } finally {
        await database.close();
      }
    });
};
