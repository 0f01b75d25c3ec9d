import type { RegisterCommand } from './context.js';

export const register: RegisterCommand = (program, ctx) => {
  program
    .command('start')
    .description('run the gateway: migrate the database, then poll the configured mailboxes until SIGTERM')
    .action(async () => {
      const { default: pino } = await import('pino');
      const { startGateway, runUntilSignalled } = await import('../main.js');
      const config = ctx.config();
      const logger = pino({ redact: ['*.password', '*.pass', 'auth.pass'] });
      const gateway = await startGateway(config, { logger });
      await runUntilSignalled(gateway, logger);
    });
};
