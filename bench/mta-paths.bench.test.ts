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
 * LMTP (one, four and twenty sessions, each one mail after the other, as Postfix's LMTP sessions
 * deliver), the pipe (`slagate ingest` as a new process per mail, with the gateway running), and
 * IMAP (the mailbox worker on a Dovecot backlog); LMTP at twenty sessions and IMAP in turns. Mails/s is wall time; CPU a mail counts the bench process (the
 * gateway runs in it), the `slagate ingest` processes (pipe), PostgreSQL and Dovecot.
 */
const MAILS = Number(process.env.BENCH_MTA_MAILS ?? 300);
const PIPE_MAILS = Number(process.env.BENCH_PIPE_MAILS ?? Math.min(MAILS, 100));
const PIPE_TARGET_S = 0.15;
const BIN = resolve('bin/slagate.js');
const DELIVERER = resolve('bench/support/lmtp-deliverer.mjs');
// BENCH_LMTP_SESSIONS=1,20 measures only those session counts (the default is all three).
const LMTP_SESSIONS = (process.env.BENCH_LMTP_SESSIONS ?? '1,4,20').split(',').map(Number);
/**
 * LMTP at Postfix's default concurrency and IMAP, the two ways a backlog comes in, are compared
 * in turns over BENCH_ROUNDS rounds (default 3), by their medians: on this machine one way alone
 * has ranged from 194 to 307 mails/s between two runs minutes apart.
 */
const BACKLOG_SESSIONS = 20;
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const logger = pino({ level: process.env.SLAGATE_BENCH_LOG ?? 'silent' });

let dovecot: Dovecot;
let sink: SmtpSink;
const databases: TestDatabase[] = [];
let corpus: GeneratedMail[];
let dir: string;
let mailsFile: string;
let warmUpFile: string;

beforeAll(async () => {
  dovecot = await startDovecot({ users: Array.from({ length: ROUNDS }, (_, r) => `mtaimap${r + 1}`) });
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
async function gatewayFor(
  name: string, extra: (databaseUrl: string) => Record<string, unknown>, options: { announce?: boolean; imapUser?: string } = {},
): Promise<{ gateway: Gateway; configPath: string }> {
  const database = await createTestDatabase({ poolMax: 4 });
  databases.push(database);
  const input = {
    ...benchConfigInput({ databaseUrl: database.url, dovecot, user: options.imapUser ?? 'mtaimap1', sink }),
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

    const lmtpAt = async (sessions: number, name: string) => {
      const lmtp = await gatewayFor(name, () => ({ ...noImap, localMail: { port: 0, outDir: join(dir, `out-${name}`) }, lmtp: { port: 0 } }));
      const address = lmtp.gateway.endpoints().lmtp[0] as { host: string; port: number };
      const run = await measure(async () => {
        const result = await deliverByLmtp(address, sessions, mailsFile);
        expect(result).toMatchObject({ delivered: MAILS, refused: [] });
      }, MAILS);
      await lmtp.gateway.close();
      return run;
    };
    // IMAP: the backlog in Dovecot (a fresh mailbox each round), the mailbox worker takes it.
    const imapAt = async (round: number) => {
      const user = `mtaimap${round}`;
      dovecot.deliverToMaildir(user, corpus.map((m) => m.raw));
      return measure(async () => {
        const imap = await gatewayFor(`imap${round}`, () => ({}), { imapUser: user });
        await waitFor(async () => ((await ingested(imap.gateway)) >= MAILS ? true : undefined), { timeoutMs: 30 * 60_000, intervalMs: 50, what: `${MAILS} mails by IMAP` });
        await imap.gateway.close();
      }, MAILS);
    };

    const lmtpRuns = new Map<number, Run>();
    for (const sessions of LMTP_SESSIONS.filter((n) => n !== BACKLOG_SESSIONS)) lmtpRuns.set(sessions, await lmtpAt(sessions, `lmtp${sessions}`));
    // A backlog both ways, in turns.
    const backlogRuns: Run[] = [];
    const imapRuns: Run[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      backlogRuns.push(await lmtpAt(BACKLOG_SESSIONS, `lmtp${BACKLOG_SESSIONS}-${round}`));
      imapRuns.push(await imapAt(round));
    }
    const middle = (runs: Run[]) => [...runs].sort((a, b) => a.mails / a.wallS - b.mails / b.wallS)[Math.floor(runs.length / 2)]!;
    const imapRun = middle(imapRuns);
    lmtpRuns.set(BACKLOG_SESSIONS, middle(backlogRuns));

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

    const rate = (r: Run) => `${(r.mails / r.wallS).toFixed(1)} mails/s`;
    const cpu = (r: Run, children: string) => {
      const total = (r.cpuMs.bench + r.cpuMs.children + r.cpuMs.postgres + r.cpuMs.dovecot) / r.mails;
      return `${total.toFixed(1)} ms = ${(r.cpuMs.bench / r.mails).toFixed(1)} gateway + ${(r.cpuMs.children / r.mails).toFixed(1)} ${children} + ${(r.cpuMs.postgres / r.mails).toFixed(1)} PostgreSQL + ${(r.cpuMs.dovecot / r.mails).toFixed(1)} Dovecot`;
    };
    const imapRate = imapRun.mails / imapRun.wallS;
    const rounds = (runs: Run[]) => runs.map(rate).join(', ');
    const lmtpFigures = [...lmtpRuns].sort(([a], [b]) => a - b).flatMap(([sessions, run]): BenchFigure[] => [
      sessions === BACKLOG_SESSIONS
        ? { what: `LMTP, ${sessions} sessions at once (Postfix's default LMTP concurrency, as it delivers a backlog), median of ${ROUNDS} rounds`,
          value: `${rate(run)} (rounds: ${rounds(backlogRuns)})`, target: `>= IMAP (${rate(imapRun)})`, met: run.mails / run.wallS >= imapRate }
        // One or a few sessions are not a backlog: each mail waits for its own commit (informational).
        : { what: `LMTP, ${sessions === 1 ? 'one session, one mail after the other' : `${sessions} sessions at once`}`, value: rate(run) },
      { what: `LMTP, ${sessions} session${sessions === 1 ? '' : 's'}: CPU a mail`, value: cpu(run, 'delivering client') },
    ]);
    const pipeWall = pipeRun.wallS / pipeRun.mails;
    await recordSection({
      name: 'mta-paths',
      title: `Mail from a local MTA: LMTP, the pipe and IMAP on the same mails (${MAILS}; ${PIPE_MAILS} by the pipe)`,
      command: `BENCH_MTA_MAILS=${MAILS}${ROUNDS !== 3 ? ` BENCH_ROUNDS=${ROUNDS}` : ''}${PIPE_MAILS !== Math.min(MAILS, 100) ? ` BENCH_PIPE_MAILS=${PIPE_MAILS}` : ''} npx vitest run -c vitest.bench.config.ts bench/mta-paths.bench.test.ts`,
      figures: [
        ...lmtpFigures,
        { what: 'pipe (`slagate ingest` a mail, gateway running): wall a mail', value: `${pipeWall.toFixed(3)} s (${rate(pipeRun)})`, target: `<= ${PIPE_TARGET_S} s`, met: pipeWall <= PIPE_TARGET_S },
        { what: 'pipe: CPU a mail', value: cpu(pipeRun, 'ingest processes') },
        { what: `IMAP (mailbox worker, backlog in Dovecot), median of ${ROUNDS} rounds`, value: `${rate(imapRun)} (rounds: ${rounds(imapRuns)})` },
        { what: 'LMTP (20 sessions) / IMAP in each round (LMTP ran just before)', value: backlogRuns.map((r, i) => `${(100 * (r.mails / r.wallS) / (imapRuns[i]!.mails / imapRuns[i]!.wallS)).toFixed(0)} %`).join(', ') },
        { what: 'IMAP: CPU a mail', value: cpu(imapRun, 'other processes') },
      ],
      notes: [
        'Each way into its own database, the same generated mails (bench/fixtures/generate-mails.ts), the gateway in the bench process (startGateway), acknowledgements to the in-process SMTP sink. First, unmeasured, 300 other mails by LMTP (four sessions) into a gateway of their own, so that no way pays alone for compiling the code they share.',
        'LMTP: bench/support/lmtp-deliverer.mjs in a process of its own, as Postfix is: each session one mail after the other, MAIL FROM, RCPT TO and DATA pipelined as Postfix sends them, timed from its spawn to its exit. One session makes each mail its own transaction; concurrent sessions are committed together (app/ingest/ingest-coalescer.ts). Its CPU is the "delivering client" (the MTA\'s share, not the gateway\'s).',
        'Pipe: `node --max-semi-space-size=8 bin/slagate.js -c CONFIG ingest -f SENDER` a mail, standard input the mail, one after the other; its CPU is read from the bench process\'s reaped children (/proc/self/stat cutime+cstime). Wall includes Node\'s start-up, on a machine shared with other work at the time.',
        'IMAP: the mails written into the Maildir first, timed from the gateway\'s start to its last ingest (its fetch and batched ingest; start-up included).',
        `A backlog both ways in turns: ${ROUNDS} rounds of LMTP at ${BACKLOG_SESSIONS} sessions then IMAP, each into a fresh database (IMAP from a fresh mailbox); the CPU figures are those of each way's median round. One and four sessions ran once, before them.`,
        `Machine load average at the end of the run: ${loadavg().map((l) => l.toFixed(1)).join(' / ')} (1/5/15 min) on ${(await import('node:os')).cpus().length} cores. PostgreSQL CPU is the whole server's, which other work on the machine shares: with a load far above the core count, wall times and PostgreSQL figures are those of a crowded machine, and only the bench process's and the ingest processes' own CPU a mail is comparable between runs.`,
      ],
    });
  }, 60 * 60_000);
});
