import type { RegisterCommand } from './context.js';

export const register: RegisterCommand = (program, ctx) => {
  program
    .command('migrate')
    .description('apply the committed database migrations (PostgreSQL at DATABASE_URL, else the embedded database)')
    .action(async () => {
      const { openDatabase } = await import('../db/client.js');
      const { migrate } = await import('../db/migrate.js');
      const config = ctx.config();
      const database = await openDatabase(config.database, { max: 1, applicationName: 'slagate-migrate', noTransactionDeadline: true });
      try {
        await migrate(database);
        ctx.out.write(`migrations applied (${database.kind})\n`);
      } finally {
        await database.close();
      }
    });
};
