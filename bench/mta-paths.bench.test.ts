import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.js';
import { startGateway, type Gateway } from '../src/main.js';
import { startDovecot, type Dovecot } from '../test/helpers/dovecot.js';
import { openLmtpSession } from '../test/helpers/lmtp-client.js';
import { startSmtpSink, type SmtpSink } from '../test/helpers/smtp-sink.js';
import { createTestDatabase, type TestDatabase } from '../test/helpers/test-database.js';
import { generateCorpus, type GeneratedMail } from './fixtures/generate-mails.js';
import { benchConfigInput } from './support/bench-config.js';
import { recordSection } from './support/benchmarks-file.js';
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
const logger = pino({ level: process.env.SLAGATE_BENCH_LOG ?? 'silent' });

let dovecot: Dovecot;
let sink: SmtpSink;
const databases: TestDatabase[] = [];
let corpus: GeneratedMail[];
let dir: string;

beforeAll(async () => {
  dovecot = await startDovecot({ users: ['mtaimap'] });
  sink = await startSmtpSink();
  corpus = generateCorpus({ count: MAILS, runId: `mta${Date.now().toString(36)}` });
  dir = mkdtempSync(join(tmpdir(), 'slagate-bench-mta-'));
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
    // LMTP: one session, as one Postfix LMTP connection delivers (it keeps the connection).
    const lmtp = await gatewayFor('lmtp', () => ({ ...noImap, localMail: { port: 0, outDir: join(dir, 'out-lmtp') }, lmtp: { port: 0 } }));
    const lmtpRun = await measure(async () => {
      const address = lmtp.gateway.endpoints().lmtp[0] as { host: string; port: number };
      const session = await openLmtpSession(address);
      for (const mail of corpus) {
        const reply = await session.deliver({ from: mail.sender, to: 'support@sanarise.example', raw: mail.raw });
        expect(reply.code).toBe(250);
      }
      await session.close();
    }, MAILS);
    await lmtp.gateway.close();

    // LMTP as Postfix delivers a queue: several sessions at once (lmtp_destination_concurrency_limit, 20 by default).
    const lmtp4 = await gatewayFor('lmtp4', () => ({ ...noImap, localMail: { port: 0, outDir: join(dir, 'out-lmtp4') }, lmtp: { port: 0 } }));
    const lmtp4Run = await measure(async () => {
      const address = lmtp4.gateway.endpoints().lmtp[0] as { host: string; port: number };
      await Promise.all([0, 1, 2, 3].map(async (k) => {
        const session = await openLmtpSession(address);
        for (const mail of corpus.filter((_, i) => i % 4 === k)) {
          const reply = await session.deliver({ from: mail.sender, to: 'support@sanarise.example', raw: mail.raw });
          expect(reply.code).toBe(250);
        }
        await session.close();
      }));
    }, MAILS);
    await lmtp4.gateway.close();

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
    const cpu = (r: Run) => {
      const total = (r.cpuMs.bench + r.cpuMs.children + r.cpuMs.postgres + r.cpuMs.dovecot) / r.mails;
      return `${total.toFixed(1)} ms = ${(r.cpuMs.bench / r.mails).toFixed(1)} gateway + ${(r.cpuMs.children / r.mails).toFixed(1)} ingest processes + ${(r.cpuMs.postgres / r.mails).toFixed(1)} PostgreSQL + ${(r.cpuMs.dovecot / r.mails).toFixed(1)} Dovecot`;
    };
    const pipeWall = pipeRun.wallS / pipeRun.mails;
    await recordSection({
      name: 'mta-paths',
      title: `Mail from a local MTA: LMTP, the pipe and IMAP on the same mails (${MAILS}; ${PIPE_MAILS} by the pipe)`,
      command: 'BENCH_MTA_MAILS=300 npx vitest run -c vitest.bench.config.ts bench/mta-paths.bench.test.ts',
      figures: [
        { what: 'LMTP, one session, one mail after the other', value: rate(lmtpRun), target: `>= IMAP (${rate(imapRun)})`, met: lmtpRun.mails / lmtpRun.wallS >= imapRun.mails / imapRun.wallS },
        { what: 'LMTP: CPU a mail', value: cpu(lmtpRun) },
        { what: 'LMTP, four sessions at once (as Postfix delivers a queue)', value: rate(lmtp4Run), target: `>= IMAP (${rate(imapRun)})`, met: lmtp4Run.mails / lmtp4Run.wallS >= imapRun.mails / imapRun.wallS },
        { what: 'LMTP, four sessions: CPU a mail', value: cpu(lmtp4Run) },
        { what: 'pipe (`slagate ingest` a mail, gateway running): wall a mail', value: `${pipeWall.toFixed(3)} s (${rate(pipeRun)})`, target: `<= ${PIPE_TARGET_S} s`, met: pipeWall <= PIPE_TARGET_S },
        { what: 'pipe: CPU a mail', value: cpu(pipeRun) },
        { what: 'IMAP (mailbox worker, backlog in Dovecot)', value: rate(imapRun) },
        { what: 'IMAP: CPU a mail', value: cpu(imapRun) },
      ],
      notes: [
        'Each way into its own database, the same generated mails (bench/fixtures/generate-mails.ts), the gateway in the bench process (startGateway), acknowledgements to the in-process SMTP sink.',
        'LMTP: one connection, each mail sent after the reply to the previous one, so each is its own transaction; a Postfix with several LMTP connections (lmtp_destination_concurrency_limit) overlaps them.',
        'Pipe: `node --max-semi-space-size=8 bin/slagate.js -c CONFIG ingest -f SENDER` a mail, standard input the mail, one after the other; its CPU is read from the bench process\'s reaped children (/proc/self/stat cutime+cstime). Wall includes Node\'s start-up, on a machine shared with other work at the time.',
        'IMAP: the mails written into the Maildir first, timed from the gateway\'s start to its last ingest (its fetch and batched ingest; start-up included).',
        `Machine load average at the end of the run: ${loadavg().map((l) => l.toFixed(1)).join(' / ')} (1/5/15 min) on ${(await import('node:os')).cpus().length} cores. PostgreSQL CPU is the whole server's, which other work on the machine shares: with a load far above the core count, wall times and PostgreSQL figures are those of a crowded machine, and only the bench process's and the ingest processes' own CPU a mail is comparable between runs.`,
      ],
    });
  }, 60 * 60_000);
});
