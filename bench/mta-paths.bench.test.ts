import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.js';
import { startGateway, type Gateway } from '../src/main.js';
import { startDovecot, type Dovecot } from '../test/helpers/dovecot.js';
import { startSmtpSink, type SmtpSink } from '../test/helpers/smtp-sink.js';
import { createTestDatabase, type TestDatabase } from '../test/helpers/test-database.js';
import { generateCorpus, type GeneratedMail } from './fixtures/generate-mails.js';
import { benchConfigInput } from './support/bench-config.js';
import { recordSection, type BenchFigure } from './support/benchmarks-file.js';
import { readProcStat } from './support/proc-stat.js';
import { serverCpu } from './support/server-cpu.js';
import { waitFor } from './support/wait-for.js';

/**
 * The ways in from a local MTA side by side on the same mails, each into its own database:
 * LMTP (one connection, one mail after the other, as one Postfix LMTP session delivers), the pipe
 * (`slagate ingest` as a new process per mail, with the gateway running), and IMAP (the mailbox
 * worker on a Dovecot backlog). Mails/s is wall time; CPU a mail counts the bench process (the
 * gateway runs in it), the `slagate ingest` processes (pipe), PostgreSQL and Dovecot.
 */
const MAILS = Number(process.env.BENCH_MTA_MAILS ?? 300);
const PIPE_MAILS = Number(process.env.BENCH_PIPE_MAILS ?? Math.min(MAILS, 100));
const PIPE_TARGET_S = 0.15;
const BIN = resolve('bin/slagate.js');
const DELIVERER = resolve('bench/support/lmtp-deliverer.mjs');
// BENCH_LMTP_SESSIONS=1,20 measures only those session counts (the default is all three).
const LMTP_SESSIONS = (process.env.BENCH_LMTP_SESSIONS ?? '1,4,20').split(',').map(Number);
const logger = pino({ level: process.env.SLAGATE_BENCH_LOG ?? 'silent' });

let dovecot: Dovecot;
let sink: SmtpSink;
const databases: TestDatabase[] = [];
let corpus: GeneratedMail[];
let dir: string;
let mailsFile: string;
let warmUpFile: string;

beforeAll(async () => {
  dovecot = await startDovecot({ users: ['mtaimap'] });
  sink = await startSmtpSink();
  corpus = generateCorpus({ count: MAILS, runId: `mta${Date.now().toString(36)}` });
  dir = mkdtempSync(join(tmpdir(), 'slagate-bench-mta-'));
  const asLines = (mails: GeneratedMail[]) => mails.map((m) => `${JSON.stringify({ from: m.sender, raw: m.raw.toString('base64') })}\n`).join('');
  mailsFile = join(dir, 'mails.jsonl');
  writeFileSync(mailsFile, asLines(corpus));
  warmUpFile = join(dir, 'warm-up.jsonl');
  writeFileSync(warmUpFile, asLines(generateCorpus({ count: 300, runId: `mtawarm${Date.now().toString(36)}` })));
}, 120_000);
afterAll(async () => {
  await sink?.close();
  await dovecot?.stop();
  for (const d of databases) await d.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Run { mails: number; wallS: number; cpuMs: { bench: number; children: number; postgres: number; dovecot: number } }

async function measure(fn: () => Promise<void>, mails: number): Promise<Run> {
  const cpu0 = process.cpuUsage();
  const kids0 = readProcStat('/proc/self/stat')!.childrenMs;
  const srv0 = serverCpu();
  const t0 = performance.now();
  await fn();
  const wallS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const srv = serverCpu();
  return {
    mails, wallS,
    cpuMs: {
      bench: (cpu.user + cpu.system) / 1000,
      children: readProcStat('/proc/self/stat')!.childrenMs - kids0,
      postgres: srv.postgres - srv0.postgres,
      dovecot: srv.dovecot - srv0.dovecot,
    },
  };
}

/** A gateway on a database of its own; `extra(url)` adds to (or replaces keys of) the bench config. */
async function gatewayFor(name: string, extra: (databaseUrl: string) => Record<string, unknown>, options: { announce?: boolean } = {}): Promise<{ gateway: Gateway; configPath: string }> {
  const database = await createTestDatabase({ poolMax: 4 });
  databases.push(database);
  const input = {
    ...benchConfigInput({ databaseUrl: database.url, dovecot, user: 'mtaimap', sink }),
    ...extra(database.url),
  } as Record<string, unknown>;
  const configPath = join(dir, `${name}.json`);
  writeFileSync(configPath, JSON.stringify(input));
  const gateway = await startGateway(parseConfig(input), { logger, announce: options.announce });
  return { gateway, configPath };
}

const ingested = async (gateway: Gateway) => (await gateway.metrics.mailIngested.get()).values.reduce((n, v) => n + v.value, 0);
const noImap = {
  mailboxes: {
    support: { address: 'support@sanarise.example', name: 'Sanarise Destek' },
    management: { address: 'management@sanarise.example', name: 'Sanarise Yönetim' },
  },
  localMail: { port: 0, outDir: '' },
};

/** The deliverer's summary line; it reads the mails from `file` (JSON lines). */
function deliverByLmtp(address: { host: string; port: number }, sessions: number, file: string): Promise<{ delivered: number; refused: unknown[] }> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [DELIVERER, address.host, String(address.port), String(sessions), file, 'support@sanarise.example'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { out += chunk; });
    child.once('error', rej);
    child.once('exit', (code) => (code === 0 ? res(JSON.parse(out) as { delivered: number; refused: unknown[] }) : rej(new Error(`lmtp-deliverer exited ${code}`))));
  });
}

function pipeOne(configPath: string, mail: GeneratedMail): Promise<number> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, ['--max-semi-space-size=8', BIN, '-c', configPath, 'ingest', '-f', mail.sender], { stdio: ['pipe', 'ignore', 'inherit'] });
    child.once('error', rej);
    child.once('exit', (code) => res(code ?? -1));
    child.stdin.end(mail.raw);
  });
}

describe('mail from a local MTA: LMTP, the pipe, IMAP', () => {
  it(`takes the same ${MAILS} mails by each way (${PIPE_MAILS} by the pipe)`, async () => {
    // LMTP as a local MTA delivers, from a process of its own (bench/support/lmtp-deliverer.mjs):
    // one session (one Postfix LMTP connection, which it keeps), four, and twenty (Postfix's
    // default lmtp_destination_concurrency_limit, which a backlog reaches).
    // Warm-up, unmeasured: the first mails through a fresh process pay for compiling the gateway's
    // code, which would otherwise land on whichever way ran first.
    const warm = await gatewayFor('warm-up', () => ({ ...noImap, localMail: { port: 0, outDir: join(dir, 'out-warm-up') }, lmtp: { port: 0 } }));
    expect(await deliverByLmtp(warm.gateway.endpoints().lmtp[0] as { host: string; port: number }, 4, warmUpFile)).toMatchObject({ refused: [] });
    await warm.gateway.close();

    const lmtpRuns = new Map<number, Run>();
    for (const sessions of LMTP_SESSIONS) {
      const lmtp = await gatewayFor(`lmtp${sessions}`, () => ({ ...noImap, localMail: { port: 0, outDir: join(dir, `out-lmtp${sessions}`) }, lmtp: { port: 0 } }));
      const address = lmtp.gateway.endpoints().lmtp[0] as { host: string; port: number };
      lmtpRuns.set(sessions, await measure(async () => {
        const result = await deliverByLmtp(address, sessions, mailsFile);
        expect(result).toMatchObject({ delivered: MAILS, refused: [] });
      }, MAILS));
      await lmtp.gateway.close();
    }

    // The pipe: a new `slagate ingest` a mail, handed to the running gateway.
    const pipe = await gatewayFor('pipe', (url) => ({
      ...noImap, localMail: { port: 0, outDir: join(dir, 'out-pipe') },
      // Its own folder: gateway.json and run/ingest.sock go beside it.
      database: { url, dataDir: join(dir, 'pipe', 'postgres') },
    }), { announce: true });
    const pipeRun = await measure(async () => {
      for (const mail of corpus.slice(0, PIPE_MAILS)) expect(await pipeOne(pipe.configPath, mail)).toBe(0);
    }, PIPE_MAILS);
    await pipe.gateway.close();

    // IMAP: the backlog in Dovecot, the mailbox worker takes it.
    dovecot.deliverToMaildir('mtaimap', corpus.map((m) => m.raw));
    const imapRun = await measure(async () => {
      const imap = await gatewayFor('imap', () => ({}));
      await waitFor(async () => ((await ingested(imap.gateway)) >= MAILS ? true : undefined), { timeoutMs: 30 * 60_000, intervalMs: 50, what: `${MAILS} mails by IMAP` });
      await imap.gateway.close();
    }, MAILS);

    const rate = (r: Run) => `${(r.mails / r.wallS).toFixed(1)} mails/s`;
    const cpu = (r: Run, children: string) => {
      const total = (r.cpuMs.bench + r.cpuMs.children + r.cpuMs.postgres + r.cpuMs.dovecot) / r.mails;
      return `${total.toFixed(1)} ms = ${(r.cpuMs.bench / r.mails).toFixed(1)} gateway + ${(r.cpuMs.children / r.mails).toFixed(1)} ${children} + ${(r.cpuMs.postgres / r.mails).toFixed(1)} PostgreSQL + ${(r.cpuMs.dovecot / r.mails).toFixed(1)} Dovecot`;
    };
    const imapRate = imapRun.mails / imapRun.wallS;
    const lmtpFigures = [...lmtpRuns].flatMap(([sessions, run]): BenchFigure[] => [
      { what: `LMTP, ${sessions === 1 ? 'one session, one mail after the other' : `${sessions} sessions at once${sessions === 20 ? ' (Postfix\'s default LMTP concurrency, as it delivers a backlog)' : ''}`}`, value: rate(run), target: `>= IMAP (${rate(imapRun)})`, met: run.mails / run.wallS >= imapRate },
      { what: `LMTP, ${sessions} session${sessions === 1 ? '' : 's'}: CPU a mail`, value: cpu(run, 'delivering client') },
    ]);
    const pipeWall = pipeRun.wallS / pipeRun.mails;
    await recordSection({
      name: 'mta-paths',
      title: `Mail from a local MTA: LMTP, the pipe and IMAP on the same mails (${MAILS}; ${PIPE_MAILS} by the pipe)`,
      command: `BENCH_MTA_MAILS=${MAILS}${PIPE_MAILS !== Math.min(MAILS, 100) ? ` BENCH_PIPE_MAILS=${PIPE_MAILS}` : ''} npx vitest run -c vitest.bench.config.ts bench/mta-paths.bench.test.ts`,
      figures: [
        ...lmtpFigures,
        { what: 'pipe (`slagate ingest` a mail, gateway running): wall a mail', value: `${pipeWall.toFixed(3)} s (${rate(pipeRun)})`, target: `<= ${PIPE_TARGET_S} s`, met: pipeWall <= PIPE_TARGET_S },
        { what: 'pipe: CPU a mail', value: cpu(pipeRun, 'ingest processes') },
        { what: 'IMAP (mailbox worker, backlog in Dovecot)', value: rate(imapRun) },
        { what: 'IMAP: CPU a mail', value: cpu(imapRun, 'other processes') },
      ],
      notes: [
        'Each way into its own database, the same generated mails (bench/fixtures/generate-mails.ts), the gateway in the bench process (startGateway), acknowledgements to the in-process SMTP sink. First, unmeasured, 300 other mails by LMTP (four sessions) into a gateway of their own, so that no way pays alone for compiling the code they share.',
        'LMTP: bench/support/lmtp-deliverer.mjs in a process of its own, as Postfix is: each session one mail after the other, MAIL FROM, RCPT TO and DATA pipelined as Postfix sends them, timed from its spawn to its exit. One session makes each mail its own transaction; concurrent sessions are committed together (app/ingest/ingest-coalescer.ts). Its CPU is the "delivering client" (the MTA\'s share, not the gateway\'s).',
        'Pipe: `node --max-semi-space-size=8 bin/slagate.js -c CONFIG ingest -f SENDER` a mail, standard input the mail, one after the other; its CPU is read from the bench process\'s reaped children (/proc/self/stat cutime+cstime). Wall includes Node\'s start-up, on a machine shared with other work at the time.',
        'IMAP: the mails written into the Maildir first, timed from the gateway\'s start to its last ingest (its fetch and batched ingest; start-up included).',
        `Machine load average at the end of the run: ${loadavg().map((l) => l.toFixed(1)).join(' / ')} (1/5/15 min) on ${(await import('node:os')).cpus().length} cores. PostgreSQL CPU is the whole server's, which other work on the machine shares: with a load far above the core count, wall times and PostgreSQL figures are those of a crowded machine, and only the bench process's and the ingest processes' own CPU a mail is comparable between runs.`,
      ],
    });
  }, 60 * 60_000);
});
