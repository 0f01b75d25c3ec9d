import { eq } from 'drizzle-orm';
import pino from 'pino';
import type { Config } from '../../src/config.js';
import { ingestBatch } from '../../src/app/ingest/ingest-batch.js';
import { ingestMessage } from '../../src/app/ingest/ingest-message.js';
import { openDatabase } from '../../src/db/client.js';
import { postgresJsOf } from '../../src/db/repositories/copy-raw-chunks.js';
import { rawMail } from '../../src/db/schema/raw-mail.js';

/**
 * Where slagate's time per mail goes, measured beside the throughput run so the ratio explains
 * itself: the ingest use case alone (parse, classify, one transaction; no IMAP, no SMTP) with its
 * statements counted, one mail at a time and in batches as the mailbox worker ingests, and what one statement costs this process on this machine through
 * postgres.js alone and through drizzle. The baseline runs one statement per mail.
 */
export interface IngestCoreCost {
  mails: number;
  decisions: Record<string, number>;
  wallMsPerMail: number;
  cpuMsPerMail: number;
  statementsPerMail: number;
  statementsPerNewTicket: number;
  /** The same mails into a second database in batches of BATCH_SIZE (ingestBatch, what the mailbox worker does). */
  batched: { wallMsPerMail: number; cpuMsPerMail: number; statementsPerMail: number };
  postgresJsStatementCpuUs: number;
  drizzleStatementCpuUs: number;
}

/** Mails per batch in the batched run: the mailbox worker's default FETCH batch. */
const BATCH_SIZE = 50;

export async function measureIngestCore(
  config: Config, databaseUrl: string, mails: { raw: Buffer }[], batchDatabaseUrl: string,
): Promise<IngestCoreCost> {
  const batched = await measureBatched(config, batchDatabaseUrl, mails);
  let statements = 0;
  const database = await openDatabase({ ...config.database, url: databaseUrl }, { onStatement: () => { statements += 1; } });
  try {
    const deps = { db: database.db, config, logger: pino({ level: 'silent' }), clock: () => new Date() };
    const decisions: Record<string, number> = {};
    let newTicketStatements = 0;
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    for (const m of mails) {
      const before = statements;
      const outcome = await ingestMessage(deps, { raw: m.raw, mailbox: 'support', receivedAt: new Date(), source: 'imap' });
      decisions[outcome.decision] = (decisions[outcome.decision] ?? 0) + 1;
      if (outcome.decision === 'new-ticket') newTicketStatements += statements - before;
    }
    const wall = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const ingestStatements = statements;

    const sql = postgresJsOf(database.db);
    const perStatementUs = async (run: (i: number) => PromiseLike<unknown>) => {
      for (let i = 0; i < 300; i++) await run(i); // warm-up: JIT and the prepared statement
      const c0 = process.cpuUsage();
      const n = 3000;
      for (let i = 0; i < n; i++) await run(i);
      const c = process.cpuUsage(c0);
      return (c.user + c.system) / n;
    };
    const postgresJsStatementCpuUs = await perStatementUs((i) => sql.unsafe('select id from raw_mail where id = $1', [i]));
    const drizzleStatementCpuUs = await perStatementUs((i) => database.db.select({ id: rawMail.id }).from(rawMail).where(eq(rawMail.id, i)));
    return {
      mails: mails.length,
      batched,
      decisions,
      wallMsPerMail: wall / mails.length,
      cpuMsPerMail: (cpu.user + cpu.system) / 1000 / mails.length,
      statementsPerMail: ingestStatements / mails.length,
      statementsPerNewTicket: decisions['new-ticket'] ? newTicketStatements / decisions['new-ticket'] : 0,
      postgresJsStatementCpuUs,
      drizzleStatementCpuUs,
    };
  } finally {
    await database.close();
  }
}

async function measureBatched(config: Config, databaseUrl: string, mails: { raw: Buffer }[]): Promise<IngestCoreCost['batched']> {
  let statements = 0;
  const database = await openDatabase({ ...config.database, url: databaseUrl }, { onStatement: () => { statements += 1; } });
  try {
    const deps = { db: database.db, config, logger: pino({ level: 'silent' }), clock: () => new Date() };
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < mails.length; i += BATCH_SIZE) {
      const batch = await ingestBatch(deps, mails.slice(i, i + BATCH_SIZE)
        .map((m) => ({ raw: m.raw, mailbox: 'support' as const, receivedAt: new Date(), source: 'imap' as const })));
      if (batch.failure) throw batch.failure;
    }
    const wall = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    return { wallMsPerMail: wall / mails.length, cpuMsPerMail: (cpu.user + cpu.system) / 1000 / mails.length, statementsPerMail: statements / mails.length };
  } finally {
    await database.close();
  }
}
