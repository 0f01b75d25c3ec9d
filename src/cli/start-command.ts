import type { RegisterCommand } from './context.js';

export const register: RegisterCommand = (program, ctx) => {
  program
    .command('start')
    .description('run the gateway until SIGTERM: migrate the database, read the mailboxes over IMAP (or, with none configured, '
      + 'take mail on a loopback SMTP listener), send the outbox (to the SMTP server, or as .eml files), sweep the SLA clocks, '
      + 'mail the digests and monthly reports, and serve /healthz, /readyz, /metrics and a read-only /api on the HTTP port')
    .addHelpText('after', `
Local mail mode (no IMAP configured): mail for the support and management addresses is accepted on
localMail.host:localMail.port (127.0.0.1:2525 by default) and outgoing mail is written to
localMail.outDir (./data/outgoing) unless an SMTP server is configured. With no DATABASE_URL the
embedded PostgreSQL in ./data/postgres runs as long as the gateway does, and every other command
(\`slagate tickets list\`, \`slagate demo\`...) works on it meanwhile.

Several instances may run against one PostgreSQL (DATABASE_URL): mailboxes are leased to one
instance at a time and the outbox and SLA work is shared without duplicates.`)
    .action(async () => {
      const { createLogger } = await import('../logger.js');
      const { startGateway, runUntilSignalled } = await import('../main.js');
      const config = ctx.config();
      const logger = createLogger();
      const gateway = await startGateway(config, {
        logger, announce: true,
        // A stuck driver connection is not repaired in place (docs/PITFALLS.md): exit, be restarted.
        onDatabaseWedged: (err) => {
          logger.fatal({ err, code: 'DB_UNAVAILABLE' }, 'database connection stuck; exiting to restart clean');
          process.exit(70);
        },
      });
      const { http, smtp } = gateway.endpoints();
      if (smtp) {
        ctx.out.write(`slagate is running in local mail mode: send mail for ${config.mailboxes.support.address} `
          + `or ${config.mailboxes.management.address} to smtp://${smtp.host}:${smtp.port}`
          + `${http ? `; health and metrics on http://${http.host}:${http.port}` : ''}. Try \`npx slagate demo\`.\n`);
      }
      await runUntilSignalled(gateway, logger);
    });
};
