import { availableParallelism } from 'node:os';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type Dovecot } from '../test/helpers/dovecot.js';
import { startSmtpSink, type SmtpSink } from '../test/helpers/smtp-sink.js';
import { createTestDatabase, type TestDatabase } from '../test/helpers/test-database.js';
import { generateCorpus } from './fixtures/generate-mails.js';
import { runBaseline } from './support/baseline-pipeline.js';
import { benchConfig } from './support/bench-config.js';
import { recordSection } from './support/benchmarks-file.js';
import { measureIngestCore } from './support/ingest-core-cost.js';
import { serverCpu, type ServerCpu } from './support/server-cpu.js';
import { markThreadCpu, threadCpuSince, type ThreadCpu } from './support/thread-cpu.js';
import { startInProcessGateway } from './support/in-process-gateway.js';
import { waitFor } from './support/wait-for.js';

/**
 * End-to-end ingest of a backlog already in a real Dovecot mailbox: tickets, outbox rows, and
 * acknowledgements accepted by an in-process SMTP sink. Beside it, in the same run and against the
 * same servers, the raw-library baseline (bench/support/baseline-pipeline.ts) on an identical copy
 * of the mailbox. BENCH_MAILS sets the count (default 10,000), BENCH_ROUNDS the rounds (default 3:
 * with two, the median is the mean, and one round in a slow stretch of the machine moves it).
 *
 * Both pipelines are first warmed up on a small backlog of their own, so neither pays for the
 * JIT compiling the libraries they share; then they run in turns, baseline and slagate, each round
 * on fresh mailboxes and a fresh database. The machine's speed drifts by tens of percent over
 * minutes (the baseline alone has ranged 257-593 mails/s on this machine): turns put both sides
 * of the ratio in the same stretch of it, and the median of the rounds is what is reported.
 */
const COUNT = Number(process.env.BENCH_MAILS ?? 10_000);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const WARM_UP_MAILS = Math.min(COUNT, 1_000);
const TARGET_RATIO = 0.8;
const CORES = availableParallelism();
/** Mails of the corpus the ingest use case is also timed on alone (no IMAP, no SMTP). */
const CORE_MAILS = Math.min(COUNT, 2_000);
const logger = pino({ level: process.env.SLAGATE_BENCH_LOG ?? 'silent' });

let dovecot: Dovecot;
let sink: SmtpSink;
const databases: TestDatabase[] = [];
const runs = ['warm', ...Array.from({ length: ROUNDS }, (_, i) => String(i + 1))];

beforeAll(async () => {
  dovecot = await startDovecot({ users: runs.flatMap((r) => [`baseline${r}`, `slagate${r}`]) });
  sink = await startSmtpSink();
});
afterAll(async () => {
  await sink?.close();
  await dovecot?.stop();
  for (const database of databases) await database.drop();
});

async function freshDatabase(): Promise<TestDatabase> {
  const database = await createTestDatabase({ poolMax: 2 });
  databases.push(database);
  return database;
}

interface Counts { decided: number; tickets: number; replies: number; queued: number; acks: number; sent: number }

async function counts(database: TestDatabase): Promise<Counts> {
  const [row] = await database.db.execute(sql`select
    (select count(*)::int from raw_mail where decision <> 'pending') as decided,
    (select count(*)::int from tickets) as tickets,
    (select count(*)::int from raw_mail where decision = 'reply') as replies,
    (select count(*)::int from outbox where status in ('pending', 'sending')) as queued,
    (select count(*)::int from outbox where kind = 'acknowledgement') as acks,
    (select count(*)::int from outbox where status = 'sent') as sent`) as unknown as Counts[];
  return row!;
}

interface Run { ms: number; cpuMs: number; mails: number; server: ServerCpu; threads: ThreadCpu }

function serverCpuSince(before: ServerCpu): ServerCpu {
  const after = serverCpu();
  return { postgres: after.postgres - before.postgres, dovecot: after.dovecot - before.dovecot };
}

/** The raw-library pipeline over `user`'s mailbox, into a database of its own. */
async function runBaselineOnce(user: string, mails: number): Promise<Run> {
  const database = await freshDatabase();
  const server0 = serverCpu();
  const cpu0 = process.cpuUsage();
  const threads0 = markThreadCpu();
  const baseline = await runBaseline({
    imap: { host: dovecot.host, port: dovecot.port, user, password: dovecot.password(user) },
    databaseUrl: database.url,
    smtp: { host: sink.host, port: sink.port, maxConnections: 4 },
    expected: mails,
    inFlight: 20,
  });
  const cpu = process.cpuUsage(cpu0);
  const threads = threadCpuSince(threads0);
  const server = serverCpuSince(server0);
  expect(baseline.processed).toBe(mails);
  expect(sink.accepted.length).toBe(mails);
  sink.accepted.length = 0;
  sink.received.length = 0;
  return { ms: baseline.ms, cpuMs: (cpu.user + cpu.system) / 1000, mails, server, threads };
}

/** `slagate start` as composed in src/main.ts over `user`'s mailbox, until every mail is decided and acknowledged. */
async function runSlagateOnce(user: string, mails: number, expectedTickets: number): Promise<Run & { decidedMs: number; final: Counts; ackIds: number }> {
  const database = await freshDatabase();
  const config = benchConfig({ database, dovecot, user, sink });
  const server0 = serverCpu();
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const threads0 = markThreadCpu();
  const gateway = await startInProcessGateway(config, { logger });
  let final: Counts;
  let decidedMs = 0;
  try {
    // Watched in this process, at no cost to the database: mails decided from the gateway's own
    // counter, acknowledgements from the sink. The database is asked only at the end, whether
    // every sent mail is recorded (until then its counts over growing tables would be PostgreSQL
    // work the baseline never pays).
    const decided = async () => (await gateway.metrics.mailIngested.get()).values.reduce((n, v) => n + v.value, 0);
    await waitFor(async () => {
      if (decidedMs === 0 && await decided() >= mails) decidedMs = performance.now() - t0;
      return decidedMs > 0 && sink.accepted.length >= expectedTickets ? true : undefined;
    }, { timeoutMs: 20 * 60_000, intervalMs: 50, what: `${mails} mails ingested and ${expectedTickets} acknowledgements at the sink` });
    final = await waitFor(async () => {
      const c = await counts(database);
      return c.decided === mails && c.queued === 0 && sink.accepted.length >= c.sent ? c : undefined;
    }, { timeoutMs: 60_000, intervalMs: 50, what: 'every sent acknowledgement recorded' });
  } finally {
    await gateway.close();
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const threads = threadCpuSince(threads0);
  const server = serverCpuSince(server0);
  expect(final.tickets).toBe(expectedTickets);
  expect(final.replies).toBe(mails - expectedTickets);
  expect(final.acks).toBe(expectedTickets);
  const ackIds = new Set(sink.accepted.map((m) => m.messageId)).size;
  expect(ackIds).toBe(final.sent);
  sink.accepted.length = 0;
  sink.received.length = 0;
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, mails, server, threads, decidedMs, final, ackIds };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const rate = (r: Run) => r.mails / (r.ms / 1000);

describe('end-to-end ingest throughput', () => {
  it(`turns ${COUNT} mails into tickets and delivered acknowledgements, next to the raw-library baseline`, async () => {
    const corpus = generateCorpus({ count: COUNT, runId: `tp${Date.now().toString(36)}` });
    const expectedTickets = corpus.filter((m) => m.inReplyTo === null).length;
    const bytes = corpus.reduce((n, m) => n + m.raw.length, 0);
    const warmUp = generateCorpus({ count: WARM_UP_MAILS, runId: `warm${Date.now().toString(36)}`, seed: 7 });
    const seedStart = performance.now();
    for (const user of ['baselinewarm', 'slagatewarm']) dovecot.deliverToMaildir(user, warmUp.map((m) => m.raw));
    for (let r = 1; r <= ROUNDS; r++) for (const user of [`baseline${r}`, `slagate${r}`]) dovecot.deliverToMaildir(user, corpus.map((m) => m.raw));
    const seedMs = performance.now() - seedStart;

    await runBaselineOnce('baselinewarm', WARM_UP_MAILS);
    await runSlagateOnce('slagatewarm', WARM_UP_MAILS, warmUp.filter((m) => m.inReplyTo === null).length);
    const baselineRuns: Run[] = [];
    const slagateRuns: Awaited<ReturnType<typeof runSlagateOnce>>[] = [];
    for (let r = 1; r <= ROUNDS; r++) {
      baselineRuns.push(await runBaselineOnce(`baseline${r}`, COUNT));
      slagateRuns.push(await runSlagateOnce(`slagate${r}`, COUNT, expectedTickets));
    }
    const slagateRate = median(slagateRuns.map(rate));
    const baselineRate = median(baselineRuns.map(rate));
    const ratio = slagateRate / baselineRate;
    // The round whose slagate rate is nearest the median speaks for the counts and times below.
    const typical = slagateRuns.reduce((a, b) => (Math.abs(rate(b) - slagateRate) < Math.abs(rate(a) - slagateRate) ? b : a));
    const final = typical.final;
    const slagateMs = typical.ms;
    const decidedMs = typical.decidedMs;
    const cpuPerMail = (runs: Run[]) => median(runs.map((r) => r.cpuMs / r.mails));
    const serverPerMail = (runs: Run[], name: keyof ServerCpu) => median(runs.map((r) => r.server[name] / r.mails));
    const totalCpu = (runs: Run[]) => cpuPerMail(runs) + serverPerMail(runs, 'postgres') + serverPerMail(runs, 'dovecot');
    /** Share of the machine's cores the pipeline kept busy, all three processes together. */
    const busy = (runs: Run[]) => (median(runs.map(rate)) * totalCpu(runs) / 1000 / CORES * 100).toFixed(0);
    const threadPerMail = (runs: Run[], name: keyof ThreadCpu) => median(runs.map((r) => r.threads[name] / r.mails));
    const threadLine = (runs: Run[]) => (['main', 'helpers', 'started'] as const).map((t) => threadPerMail(runs, t).toFixed(2)).join(' + ');
    const cpuLine = (runs: Run[]) => `${totalCpu(runs).toFixed(2)} ms = ${cpuPerMail(runs).toFixed(2)} + `
      + `${serverPerMail(runs, 'postgres').toFixed(2)} + ${serverPerMail(runs, 'dovecot').toFixed(2)}`;
    // Each round's rate beside the CPU its mails cost all three processes: the same work costs
    // more CPU when the virtual machine is slow, which is what moves the rounds apart.
    const perRound = (runs: Run[]) => runs.map((r) => `${rate(r).toFixed(0)} at ${((r.cpuMs + r.server.postgres + r.server.dovecot) / r.mails).toFixed(2)} ms CPU a mail`).join(', ');

    const coreDatabase = await createTestDatabase({ poolMax: 2 });
    const batchDatabase = await createTestDatabase({ poolMax: 2 });
    const core = await measureIngestCore(benchConfig({ database: coreDatabase, dovecot, user: 'slagate1', sink }), coreDatabase.url,
      corpus.slice(0, CORE_MAILS), batchDatabase.url).finally(() => Promise.all([coreDatabase.drop(), batchDatabase.drop()]));

    await recordSection({
      name: 'ingest-throughput',
      title: `End-to-end ingest: ${COUNT.toLocaleString('en')} mails from Dovecot to acknowledgements`,
      command: `BENCH_MAILS=${COUNT} npx vitest run -c vitest.bench.config.ts bench/ingest-throughput.bench.test.ts`,
      figures: [
        { what: `slagate (mailbox worker + outbox worker), median of ${ROUNDS} rounds`, value: `${slagateRate.toFixed(0)} mails/s (rounds: ${perRound(slagateRuns)})` },
        { what: `baseline (raw libraries), median of ${ROUNDS} rounds`, value: `${baselineRate.toFixed(0)} mails/s (rounds: ${perRound(baselineRuns)})` },
        { what: 'slagate: every mail decided (ingest) / every acknowledgement accepted by the sink',
          value: `after ${(decidedMs / 1000).toFixed(1)} s / ${(slagateMs / 1000).toFixed(1)} s` },
        { what: `CPU per mail on the machine's ${CORES} cores, median of the rounds: bench process + PostgreSQL + Dovecot`,
          value: `slagate ${cpuLine(slagateRuns)}; baseline ${cpuLine(baselineRuns)}` },
        { what: "the bench process's CPU per mail by thread, median of the rounds: main thread + the threads it had before the run (V8's optimising compiler and garbage collector helpers, for every isolate) + threads started in the run",
          value: `slagate ${threadLine(slagateRuns)} ms; baseline ${threadLine(baselineRuns)} ms` },
        { what: 'slagate / baseline in each round (its baseline ran just before it)',
          value: slagateRuns.map((r, i) => `${(rate(r) / rate(baselineRuns[i]!) * 100).toFixed(0)} %`).join(', ') },
        { what: 'slagate / baseline', value: `${(ratio * 100).toFixed(0)} %`, target: `≥ ${TARGET_RATIO * 100} %`, met: ratio >= TARGET_RATIO },
        { what: `slagate's ingest use case alone (${CORE_MAILS} mails, no IMAP, no SMTP), one mail per transaction`,
          value: `${(1000 / core.wallMsPerMail).toFixed(0)} mails/s, ${core.cpuMsPerMail.toFixed(2)} ms CPU per mail` },
        { what: 'statements per mail, one mail per transaction (per new ticket)', value: `${core.statementsPerMail.toFixed(1)} (${core.statementsPerNewTicket.toFixed(1)})` },
        { what: 'the same, in batches of 50 as the mailbox worker ingests (ingestBatch)',
          value: `${(1000 / core.batched.wallMsPerMail).toFixed(0)} mails/s, ${core.batched.cpuMsPerMail.toFixed(2)} ms CPU per mail, ${core.batched.statementsPerMail.toFixed(1)} statements per mail` },
        { what: 'CPU of one statement in this process: postgres.js alone / through drizzle',
          value: `${core.postgresJsStatementCpuUs.toFixed(0)} µs / ${core.drizzleStatementCpuUs.toFixed(0)} µs` },
      ],
      notes: [
        `Corpus: ${COUNT} mails, ${(bytes / COUNT / 1024).toFixed(1)} KB on average (bench/fixtures/generate-mails.ts: Turkish and English, RFC 2047 subjects, `
          + `multipart/alternative, small attachments); ${COUNT - expectedTickets} are replies to earlier ones. Seeded into ${2 * ROUNDS} Maildirs (and the warm-up into 2) in ${(seedMs / 1000).toFixed(1)} s.`,
        `slagate: ${final.tickets} tickets, ${final.replies} replies threaded, ${final.acks} acknowledgements queued and ${typical.ackIds} accepted by the sink; `
          + 'timed from worker start until every mail is decided and the outbox is empty. Mail is moved to Processed and checkpointed as in production.',
        'CPU per mail: the bench process from process.cpuUsage (its threads included: V8\'s compiler and collector); PostgreSQL and Dovecot '
          + 'from /proc (bench/support/server-cpu.ts: every process of theirs, and the children they reaped during the run). The SMTP sink runs in '
          + 'the bench process for both pipelines; both send from the main thread, slagate through its pooled sender (smtp/create-smtp-sender.ts).'
          + " slagate's progress is watched in process (the gateway's ingest counter, the sink's count); the "
          + 'database is counted only once both are complete.',
        `Method: both pipelines warmed up first on ${WARM_UP_MAILS} mails of their own (the JIT compiles the libraries they share once, for both), `
          + `then ${ROUNDS} rounds in turns, baseline then slagate, each on a fresh mailbox holding the same ${COUNT} mails and a fresh database; `
          + 'the medians of the rounds give the ratio. The counts and times below are from the slagate round nearest the median.',
        'slagate runs as `slagate start` composes it (src/main.ts startGateway: HTTP, outbox, SLA, digest and report workers, the mailbox worker), in the bench process.',
        'Staff list holds only a manager, so a new team ticket sends exactly one mail (the acknowledgement), as the baseline does.',
        `Where the time goes: the baseline sends one statement per mail and spends ${cpuPerMail(baselineRuns).toFixed(2)} ms of CPU on it `
          + `all. One mail per transaction, slagate's ingest sends ${core.statementsPerNewTicket.toFixed(1)} statements per new ticket (BEGIN, the raw mail, the `
          + 'special-circumstances lock and count, the ticket, its message, the acknowledgement gate and row, its events, the decision, COMMIT); '
          + `decisions of that run: ${JSON.stringify(core.decisions)}. The mailbox worker ingests the mails of one FETCH in one transaction `
          + `(src/app/ingest/ingest-batch.ts, ${core.batched.statementsPerMail.toFixed(1)} statements per mail: its new tickets written together in runs that a reply `
          + 'goes ahead of rather than ends) and waits only for its reads: writes go behind on the '
          + "same connection (src/db/write-behind.ts), so a reply costs two round trips (its thread, its ticket's lock), and a third (its clock "
          + 'inputs) only when it resumes or reopens the ticket; a report request reads its client\'s figures only when an agent is on staff to get them. The next FETCH '
          + 'is fetched and parsed while one commits (app/ingest/parse-ahead.ts); outbound mail is composed by slagate (smtp/compose-raw-message.ts) and sent '
          + `over pooled connections from the main thread (smtp/create-smtp-sender.ts). What is left of the gap is CPU: the machine has ${CORES} cores for the bench process `
          + '(slagate, the baseline and the SMTP sink share its main thread), PostgreSQL and Dovecot, and on this virtual machine every round trip to '
          + `PostgreSQL costs the bench process 100-150 µs of CPU whatever the statement does. Per mail slagate uses ${totalCpu(slagateRuns).toFixed(2)} ms `
          + `of the ${CORES} cores and the baseline ${totalCpu(baselineRuns).toFixed(2)} ms; at their rates slagate kept the cores ${busy(slagateRuns)} % busy `
          + `and the baseline ${busy(baselineRuns)} % (it waits for each INSERT before parsing the next mail). Its PostgreSQL time is the rows, indexes and WAL of `
          + 'the raw mail, ticket, message, events and outbox row per mail, and each outbox row updated twice (leased, then sent; its text '
          + 'is kept out of line, so an update copies a row of pointers).'
          + " The process's CPU per mail counts its threads, V8's garbage collection helpers included.",
        'Baseline: IMAP FETCH in batches of 50 → simpleParser → one INSERT per mail (postgres.js) → one handlebars template → nodemailer pool; '
          + 'up to 20 sends in flight over 4 pooled connections, as the outbox worker (batch 20, smtp.maxConnections 4).',
      ],
    });
  }, 35 * 60_000); // 35 minutes: 10,000 mails through both pipelines, three times, on two shared cores
});
