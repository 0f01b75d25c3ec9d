import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { ingestMessage, type IngestDeps } from './app/ingest-message.js';
import { quarantineOversized } from './app/quarantine-oversized.js';
import { MAILBOXES } from './policy/priorities.js';
import type { Config } from './config.js';
import { createCrashPoint } from './crash-points.js';
import { openDatabase, type Database } from './db/client.js';
import { migrate } from './db/migrate.js';
import { createMailboxWorker } from './workers/mailbox-worker.js';

/** Everything long-lived that `slagate start` runs: started in order, closed in reverse. */
export interface GatewayWorker {
  name: string;
  start(signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

export interface Gateway {
  workers: GatewayWorker[];
  database: Database;
  /** Closes the workers in reverse order (leases released, IMAP logged out), then the database. */
  close(): Promise<void>;
}

export interface GatewayOptions {
  logger: Logger;
  clock?: () => Date;
}

/** What the worker factories get; add new long-running jobs in `composeWorkers`. */
interface WorkerContext {
  config: Config;
  database: Database;
  logger: Logger;
  clock: () => Date;
  owner: string;
}

function composeWorkers(ctx: WorkerContext): GatewayWorker[] {
  const app: IngestDeps = { db: ctx.database.db, config: ctx.config, logger: ctx.logger, clock: ctx.clock };
  const crashPoint = createCrashPoint(ctx.config.testing.crashAt);
  const workers: GatewayWorker[] = [];
  for (const mailbox of MAILBOXES) {
    if (!ctx.config.mailboxes[mailbox].imap) continue;
    workers.push(createMailboxWorker({
      db: ctx.database.db, config: ctx.config, mailbox, logger: ctx.logger, clock: ctx.clock, owner: ctx.owner,
      ingest: (input) => ingestMessage(app, input),
      quarantineOversized: (input) => quarantineOversized(app, input),
      crashPoint,
    }));
  }
  return workers;
}

/**
 * The composition root: opens and migrates the database, then starts every worker. Nothing
 * here connects at import time; `close()` undoes it in reverse.
 */
export async function startGateway(config: Config, options: GatewayOptions): Promise<Gateway> {
  const logger = options.logger;
  const clock = options.clock ?? (() => new Date());
  const owner = config.instanceName ?? `${hostname()}:${process.pid}`;
  const database = await openMigratedDatabase(config, logger);
  const workers = composeWorkers({ config, database, logger, clock, owner });
  const started: GatewayWorker[] = [];
  const close = async () => {
    for (const worker of [...started].reverse()) {
      try {
        await worker.close();
      } catch (err) {
        logger.error({ err, worker: worker.name }, 'worker did not close cleanly');
      }
    }
    await database.close();
  };
  try {
    for (const worker of workers) {
      await worker.start();
      started.push(worker);
      logger.info({ worker: worker.name }, 'worker started');
    }
  } catch (err) {
    await close();
    throw err;
  }
  return { workers, database, close };
}

/** Migrations run on their own single connection (drizzle's advice), then the pool opens. */
async function openMigratedDatabase(config: Config, logger: Logger): Promise<Database> {
  if (config.database.url) {
    const migrator = await openDatabase(config.database, { max: 1, applicationName: 'slagate-migrate', logger });
    try {
      await migrate(migrator);
    } finally {
      await migrator.close();
    }
    return openDatabase(config.database, { logger, applicationName: 'slagate' });
  }
  const database = await openDatabase(config.database, { logger });
  await migrate(database);
  return database;
}

/**
 * Runs the gateway until SIGTERM or SIGINT, then closes it. An uncaught exception is logged and
 * ends the process: postgres.js can throw from inside a killed transaction (PITFALLS.md) and
 * the state after that is unknown, while a restart is harmless by design.
 */
export async function runUntilSignalled(gateway: Gateway, logger: Logger): Promise<void> {
  process.on('uncaughtException', (err) => {
    logger.fatal({ err }, 'uncaught exception; exiting');
    process.exit(70);
  });
  process.on('unhandledRejection', (err) => {
    logger.fatal({ err }, 'unhandled rejection; exiting');
    process.exit(70);
  });
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  logger.info({ signal }, 'shutting down');
  const force = setTimeout(() => {
    logger.error('shutdown took longer than 20 s; exiting');
    process.exit(70);
  }, 20_000);
  force.unref();
  await gateway.close();
  clearTimeout(force);
  logger.info('stopped');
}
