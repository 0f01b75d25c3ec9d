import { resolve } from 'node:path';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { createBatchIntake } from './app/ingest/batch-intake.js';
import { checkHolidays } from './doctor/check-holidays.js';
import { withLocalTokenSecret } from './local-token-secret.js';
import { ingestMessage } from './app/ingest/ingest-message.js';
import type { IngestDeps } from './app/ingest/ingest-batch.js';
import { mailVerifierFor, type DnsResolver } from './mail-auth/verify-mail.js';
import { reachedManagementChannel, type IngestInput, type IngestOutcome } from './inbound/ingest-types.js';
import type { MailIntake } from './inbound/mail-intake.js';
import { outboxSlaNotify } from './app/jobs/notify-sla-event.js';
import { MAILBOXES } from './policy/priorities.js';
import type { Config } from './config.js';
import { createCrashPoint } from './crash-points.js';
import { openDatabase, type Database } from './db/client.js';
import { migrate } from './db/migrate.js';
import { ping } from './db/repositories/applied-migrations-repository.js';
import { listRecentOutbox, listRecentTickets, outboxDepth } from './db/repositories/gateway-status-repository.js';
import { createHttpServer, type ReadinessCheck } from './http/http-server.js';
import { createSmtpListener } from './mail-listeners/smtp-listener.js';
import { ingestSocketPath, writeRunningGateway } from './mail-listeners/running-gateway-file.js';
import { databaseKey } from './mail-listeners/database-key.js';
import { createIngestSocket } from './mail-listeners/ingest-socket.js';
import { coalesceIngests } from './app/ingest/ingest-coalescer.js';
import { createLmtpListener, type LmtpAddress, type LmtpListener } from './mail-listeners/lmtp-listener.js';
import { createMetrics, type Metrics } from './metrics/registry.js';
import { createFileSender } from './smtp/create-file-sender.js';
import { createSmtpSender } from './smtp/create-smtp-sender.js';
import { createDigestWorker } from './workers/digest-worker.js';
import { createMailboxWorker } from './workers/mailbox-worker.js';
import { createManagementFirst } from './workers/management-first.js';
import { createOutboxWorker } from './workers/outbox-worker.js';
import { createQuarterlyReviewWorker } from './workers/quarterly-review-worker.js';
import { createReportMailWorker } from './workers/report-mail-worker.js';
import { createSlaWorker } from './workers/sla-worker.js';

/** Everything long-lived that `slagate start` runs: started in order, closed in reverse. */
export interface GatewayWorker {
  name: string;
  start(signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
  /** What /readyz reports for this worker; absent means "running since start". */
  state?(): ReadinessCheck;
}

export interface GatewayEndpoints {
  /** The health, metrics and read-only JSON server; null when its port could not be bound. */
  http: { host: string; port: number } | null;
  /** The local SMTP listener; null when the mailboxes are read over IMAP. */
  smtp: { host: string; port: number } | null;
  /** The LMTP listeners for the local MTA (`lmtp.port`, `lmtp.socket`). */
  lmtp: LmtpAddress[];
}

export interface Gateway {
  workers: GatewayWorker[];
  database: Database;
  metrics: Metrics;
  /** Where the gateway listens (ports chosen by the system when configured as 0). */
  endpoints(): GatewayEndpoints;
  /** Closes the workers in reverse order (leases released, IMAP logged out), then the database. */
  close(): Promise<void>;
}

export interface GatewayOptions {
  logger: Logger;
  clock?: () => Date;
  /** Writes ./data/gateway.json for `slagate demo` (the CLI does; in-process tests need not). */
  announce?: boolean;
  /**
   * Where `slagate ingest` hands mail over (a Unix socket); the CLI's start uses the run/
   * folder beside gateway.json, in-process tests a path of their own, unset means none.
   */
  ingestSocket?: string;
  /**
   * Called when the database driver is stuck (a transaction outlived its deadline): `slagate
   * start` exits to be restarted clean; in-process tests get 451s and need not.
   */
  onDatabaseWedged?: (err: Error) => void;
  /** The DNS authentication mode `verify` asks (mail-auth/); tests pass a table of records. Default: the system's. */
  dnsResolver?: DnsResolver;
}

/** What the worker factories get; add new long-running jobs in `composeWorkers`. */
interface WorkerContext {
  config: Config;
  database: Database;
  logger: Logger;
  clock: () => Date;
  owner: string;
  metrics: Metrics;
  ingestSocket?: string;
  dnsResolver?: DnsResolver;
}

/**
 * The gateway's jobs in start order: the HTTP server first (health answers while the rest
 * starts), the senders and sweepers, and the mail sources last, so that on shutdown (reverse
 * order) no new mail is taken in while the rest is still winding down.
 */
function composeWorkers(ctx: WorkerContext): GatewayWorker[] {
  const { config, database, logger, clock, owner, metrics } = ctx;
  const db = database.db;
  const verify = mailVerifierFor(config, ctx.dnsResolver);
  const app: IngestDeps = { db, config, logger, clock, ...(verify ? { verify } : {}) };
  // Each commit wakes the outbox so an acknowledgement leaves at once instead of at the next poll
  // (`outbox` is declared below; this runs only once the workers are started).
  const ingest = countIngest(async (input) => {
    const outcome = await ingestMessage(app, input);
    outbox.wake();
    return outcome;
  }, metrics, clock);
  // One for the process: both mailboxes' workers hand their mail to it (and it parses ahead for both).
  const batches = createBatchIntake(app);
  const intake: MailIntake = { ...batches, ingest: async (inputs) => {
    const batch = await batches.ingest(inputs);
    for (const [i, outcome] of batch.outcomes.entries()) if (outcome) countOutcome(metrics, clock, inputs[i]!, outcome);
    if (batch.outcomes.some((o) => o !== undefined)) outbox.wake();
    return batch;
  } };
  // LMTP deliveries that arrive together (the MTA's concurrent sessions) commit in one batch.
  const ingestCoalesced = coalesceIngests((inputs) => intake.ingest(inputs), { maxBytes: intake.maxHandOverBytes },
    (input) => intake.comingNext?.([input.raw], input.mailbox));
  const crashPoint = createCrashPoint(config.testing.crashAt);
  const workers: GatewayWorker[] = [];

  const sender = config.smtp ? createSmtpSender(config.smtp, { logger }) : createFileSender(config.localMail.outDir, { clock });
  const outbox = createOutboxWorker({ db, config, sender, clock, logger, owner, crashPoint });
  workers.push({
    name: 'outbox',
    // The outbox's start() is its whole loop: run it in the background, close() awaits it.
    async start(signal) { void outbox.start(signal); },
    async close() {
      try { await outbox.close(); } finally { await sender.close(); }
    },
    state() {
      const breaker = outbox.breakerState();
      return { ok: breaker !== 'open', detail: `${config.smtp ? `smtp ${config.smtp.host}` : 'eml files'}; circuit ${breaker}` };
    },
  });
  // Counted as the sweeper queues them, inside its transaction: a tick that then fails to commit
  // (rare; it is retried) counts its steps twice, which a rate over minutes does not notice.
  const notify = outboxSlaNotify(config, clock, { onTeamNotification: (kind) => metrics.slaNotifications.inc({ kind }) });
  workers.push(createSlaWorker({ db, config, policy: config.policy, clock, logger, notify }));
  workers.push(createDigestWorker({ db, config, clock, logger }));
  workers.push(createReportMailWorker({ db, config, clock, logger }));
  workers.push(createQuarterlyReviewWorker({ db, config, clock, logger }));

  let imapMailboxes = 0;
  // Both mailboxes read here over IMAP: a support pass has management read before it hands over.
  const managementFirst = config.mailboxes.support.imap && config.mailboxes.management.imap
    ? createManagementFirst({ waitMs: MANAGEMENT_FIRST_WAIT_MS }) : undefined;
  for (const mailbox of MAILBOXES) {
    if (!config.mailboxes[mailbox].imap) continue;
    imapMailboxes++;
    const worker = createMailboxWorker({
      db, config, mailbox, logger, clock, owner,
      intake,
      crashPoint,
      managementFirst,
      onRestart: () => metrics.workerRestarts.inc({ worker: `mailbox:${mailbox}` }),
    });
    workers.push(Object.assign(worker, {
      state: () => ({ ok: true, detail: worker.holdsLease ? `polling (${worker.sessions} sessions)` : 'standby: another instance holds the lease' }),
    }));
  }
  if (imapMailboxes === 0) workers.push(createSmtpListener({ config, ingest, clock, logger }));
  // The local MTA's LMTP listeners run whatever the mailboxes' source (IMAP too): the admin
  // configured them on purpose. Loopback TCP or a socket the MTA's delivery agent must reach.
  if (config.lmtp.port !== undefined) {
    workers.push(createLmtpListener({ config, ingest: ingestCoalesced, clock, logger, name: 'lmtp', listen: { host: config.lmtp.host, port: config.lmtp.port } }));
  }
  if (config.lmtp.socket) {
    workers.push(createLmtpListener({ config, ingest: ingestCoalesced, clock, logger, name: 'lmtp-socket', listen: { socket: config.lmtp.socket }, socketMode: 0o666 }));
  }
  if (ctx.ingestSocket) {
    const socket = createIngestSocket({ path: ctx.ingestSocket, ingest, clock, logger });
    workers.push(Object.assign(socket, { state: () => ({ ok: true, detail: socket.listening() ? 'listening' : 'served by another instance' }) }));
  }
  return workers;
}

/** Mail taken in by decision and mailbox, and how long it waited; a re-fetched duplicate has no lag to tell. */
function countIngest(ingest: (input: IngestInput) => Promise<IngestOutcome>, metrics: Metrics, clock: () => Date) {
  return async (input: IngestInput): Promise<IngestOutcome> => {
    const outcome = await ingest(input);
    countOutcome(metrics, clock, input, outcome);
    return outcome;
  };
}

function countOutcome(metrics: Metrics, clock: () => Date, input: IngestInput, outcome: IngestOutcome): void {
  // /metrics is a team surface (issue 20): neither a series of management's own nor management
  // mail counted with support's, since either moves when a complaint arrives. Mail of the
  // management channel (read from management, or a support copy on a private ticket) is not counted.
  if (reachedManagementChannel(input, outcome)) return;
  metrics.mailIngested.inc({ decision: outcome.decision, mailbox: input.mailbox });
  if (outcome.decision !== 'duplicate') {
    metrics.ingestLagSeconds.observe(Math.max(0, (clock().getTime() - input.receivedAt.getTime()) / 1000));
  }
}

const API_LIMIT_MAX = 200; // rows per request
// 20 seconds: the longest a support pass waits for the management mailbox to be read first (its
// first session at start-up, then each pass); a management mailbox that cannot be read delays
// support mail by this much, never more.
const MANAGEMENT_FIRST_WAIT_MS = 20_000;

/** Health, readiness, metrics, and the loopback read-only listing that `slagate demo` prints. */
function createHttpWorker(ctx: WorkerContext, workers: () => GatewayWorker[], started: () => Set<GatewayWorker>) {
  const { config, database, logger, metrics } = ctx;
  const limitOf = (q: URLSearchParams) => Math.min(API_LIMIT_MAX, Math.max(1, Number(q.get('limit')) || 20));
  const server = createHttpServer({
    host: config.http.host,
    port: config.http.port,
    metrics,
    logger: logger.child({ component: 'http' }),
    readiness: async () => {
      const checks: Record<string, ReadinessCheck> = {};
      try {
        await ping(database.db);
        checks.database = { ok: true, detail: database.kind };
      } catch (err) {
        checks.database = { ok: false, detail: (err as Error).message };
      }
      for (const worker of workers()) {
        checks[worker.name] = !started().has(worker) ? { ok: false, detail: 'not running' }
          : worker.state?.() ?? { ok: true, detail: 'running' };
      }
      return { ok: Object.values(checks).every((c) => c.ok), checks };
    },
    json: {
      '/api/tickets': async (q) => ({ zone: config.zone, tickets: await listRecentTickets(database.db, limitOf(q)) }),
      '/api/outbox': async (q) => ({ outbox: await listRecentOutbox(database.db, limitOf(q), config.mailboxes.management.address) }),
    },
  });
  let listening = false;
  const worker: GatewayWorker & { address(): { host: string; port: number } | null } = {
    name: 'http',
    async start() {
      try {
        await server.start();
        listening = true;
      } catch (err) {
        // Health and metrics are worth a loud error, not the mail flow: a second instance on the
        // same host with the default port keeps working without them.
        logger.error({ err, code: 'HTTP_UNAVAILABLE', host: config.http.host, port: config.http.port },
          'http server could not listen; running without health, metrics and the demo API');
      }
    },
    close: () => server.close(),
    address: () => (listening ? server.address() : null),
  };
  return worker;
}

/**
 * The composition root: opens and migrates the database, then starts every worker. Nothing
 * here connects at import time; `close()` undoes it in reverse.
 */
export async function startGateway(configured: Config, options: GatewayOptions): Promise<Gateway> {
  const config = withLocalTokenSecret(configured);
  const logger = options.logger;
  const clock = options.clock ?? (() => new Date());
  const owner = config.instanceName ?? `${hostname()}:${process.pid}`;
  // The gateway runs on regardless (the calendar is still right until the year ends), but says so.
  const holidays = checkHolidays(config.policy.calendars, clock());
  if (!holidays.ok) logger.warn({ code: 'HOLIDAYS_RUNNING_OUT' }, holidays.detail);
  const database = await openMigratedDatabase(config, logger, options.onDatabaseWedged);
  const metrics = createMetrics({
    outboxStats: () => outboxDepth(database.db, clock(), config.mailboxes.management.address),
    onCollectError: (err) => logger.warn({ err, code: 'DB_UNAVAILABLE' }, 'outbox metrics could not be read'),
    processMetrics: true,
  });
  const ingestSocket = options.ingestSocket ?? (options.announce ? ingestSocketPath(config) : undefined);
  const ctx: WorkerContext = { config, database, logger, clock, owner, metrics, ingestSocket, dnsResolver: options.dnsResolver };
  const started = new Set<GatewayWorker>();
  const order: GatewayWorker[] = [];
  const http = createHttpWorker(ctx, () => order, () => started);
  const workers = [http, ...composeWorkers(ctx)];
  order.push(...workers);
  const smtp = workers.find((w): w is ReturnType<typeof createSmtpListener> => w.name === 'local-smtp');
  const lmtp = workers.filter((w): w is LmtpListener & GatewayWorker => w.name.startsWith('lmtp'));
  const endpoints = (): GatewayEndpoints => ({ http: http.address(), smtp: smtp ? smtp.address() : null, lmtp: lmtp.map((l) => l.address()) });

  let unannounce = () => {};
  const close = async () => {
    unannounce();
    for (const worker of [...order].reverse()) {
      if (!started.delete(worker)) continue;
      try {
        await worker.close();
        logger.info({ worker: worker.name }, 'worker stopped');
      } catch (err) {
        logger.error({ err, worker: worker.name }, 'worker did not close cleanly');
      }
    }
    await database.close();
  };
  try {
    for (const worker of workers) {
      await worker.start();
      started.add(worker);
      logger.info({ worker: worker.name }, 'worker started');
    }
  } catch (err) {
    await close();
    throw err;
  }
  if (options.announce) {
    unannounce = writeRunningGateway(config, {
      pid: process.pid, http: http.address(), smtp: smtp ? smtp.address() : null,
      outDir: config.smtp ? null : resolve(config.localMail.outDir),
      ingest: ingestSocket
        ? { socket: resolve(ingestSocket), database: databaseKey(config.database), support: config.mailboxes.support.address, management: config.mailboxes.management.address }
        : null,
    });
  }
  return { workers, database, metrics, endpoints, close };
}

/** Migrations run on their own single connection (drizzle's advice), then the pool opens. */
async function openMigratedDatabase(config: Config, logger: Logger, onWedged?: (err: Error) => void): Promise<Database> {
  if (config.database.url) {
    const migrator = await openDatabase(config.database, { max: 1, applicationName: 'slagate-migrate', noTransactionDeadline: true, logger });
    try {
      await migrate(migrator);
    } finally {
      await migrator.close();
    }
    return openDatabase(config.database, { logger, applicationName: 'slagate', onWedged });
  }
  const database = await openDatabase(config.database, { logger });
  await migrate(database);
  return database;
}

/**
 * Runs the gateway until SIGTERM or SIGINT, then closes it. An uncaught exception is logged and
 * ends the process: postgres.js can throw from inside a killed transaction (docs/PITFALLS.md) and
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
