import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type Dovecot } from '../test/helpers/dovecot.js';
import { startSmtpSink, type SmtpSink } from '../test/helpers/smtp-sink.js';
import { createTestDatabase, type TestDatabase } from '../test/helpers/test-database.js';
import { generateCorpus } from './fixtures/generate-mails.js';
import { largeAttachmentMail } from './fixtures/large-attachment-mail.js';
import { benchConfigInput } from './support/bench-config.js';
import { recordSection } from './support/benchmarks-file.js';
import { waitFor } from './support/wait-for.js';
import { spawnTied } from '../test/helpers/spawn-tied.js';

/**
 * Peak resident memory of `slagate start` (the real CLI, as a child process started the way
 * `npx slagate start` starts it: through the launcher bin/slagate.js and its node flags) while it works
 * through a backlog with one 25 MB attachment in the middle. The limit is raised above the mail's
 * size so it is really downloaded, parsed and stored rather than quarantined from its headers.
 */
const SMALL = 300;
const ATTACHMENT_BYTES = 25 * 1024 * 1024;
const TARGET_MB = 250;
const BIN = fileURLToPath(new URL('../bin/slagate.js', import.meta.url));

let dovecot: Dovecot;
let sink: SmtpSink;
let database: TestDatabase;
let dir: string;

beforeAll(async () => {
  dovecot = await startDovecot({ users: ['rss'] });
  sink = await startSmtpSink();
  database = await createTestDatabase({ poolMax: 2 });
  dir = mkdtempSync(join(tmpdir(), 'slagate-rss-'));
});
afterAll(async () => {
  await sink?.close();
  await dovecot?.stop();
  await database?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function memoryOf(pid: number): { hwmKb: number; rssKb: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    return { hwmKb: kb('VmHWM'), rssKb: kb('VmRSS') };
  } catch {
    return null;
  }
}

async function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
  const code = await exited;
  clearTimeout(timer);
  return code;
}

describe('peak RSS with a 25 MB attachment in the backlog', () => {
  it('stays under the target while ingesting it', async () => {
    const corpus = generateCorpus({ count: SMALL, runId: `rss${Date.now().toString(36)}` });
    const big = largeAttachmentMail({ bytes: ATTACHMENT_BYTES, messageId: `<rss-big-${Date.now()}@client.example>`, from: 'big@client.example' });
    const half = SMALL / 2;
    dovecot.deliverToMaildir('rss', [...corpus.slice(0, half).map((m) => m.raw), big, ...corpus.slice(half).map((m) => m.raw)]);
    const total = SMALL + 1;

    const configPath = join(dir, 'config.json');
    writeFileSync(configPath, JSON.stringify(benchConfigInput({
      databaseUrl: database.url, dovecot, user: 'rss', sink,
      overrides: { limits: { maxMessageBytes: 64 * 1024 * 1024 } },
    })));
    const child = spawnTied(BIN, ['start', '--config', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d) => { stderr += d; });
    const pid = child.pid!;
    let sampledPeakKb = 0;
    const sampler = setInterval(() => {
      const m = memoryOf(pid);
      if (m) sampledPeakKb = Math.max(sampledPeakKb, m.rssKb);
    }, 50);
    let hwmKb = 0;
    let endKb = 0;
    const t0 = performance.now();
    try {
      await waitFor(async () => {
        if (child.exitCode !== null) throw new Error(`slagate exited with ${child.exitCode}:\n${stderr}`);
        const [row] = await database.db.execute(sql`select count(*)::int as n from raw_mail where decision <> 'pending'`) as unknown as { n: number }[];
        return row!.n === total ? true : undefined;
      }, { timeoutMs: 10 * 60_000, intervalMs: 100, what: `${total} mails ingested by the child` });
      const end = memoryOf(pid);
      hwmKb = end?.hwmKb ?? 0;
      endKb = end?.rssKb ?? 0;
    } finally {
      clearInterval(sampler);
      await stop(child);
    }
    const seconds = (performance.now() - t0) / 1000;
    const [bigRow] = await database.db.execute(sql`select decision, size from raw_mail where size > ${ATTACHMENT_BYTES}`) as unknown as { decision: string; size: number }[];
    expect(bigRow?.decision).toBe('new-ticket');
    const peakMb = hwmKb / 1024;
    await recordSection({
      name: 'peak-rss',
      title: 'Peak RSS of `slagate start` while ingesting a backlog with a 25 MB attachment',
      command: 'npx vitest run -c vitest.bench.config.ts bench/peak-rss.bench.test.ts',
      figures: [
        { what: 'peak RSS (VmHWM)', value: `${peakMb.toFixed(0)} MB`, target: `< ${TARGET_MB} MB`, met: peakMb < TARGET_MB },
        { what: 'RSS once the backlog is done', value: `${(endKb / 1024).toFixed(0)} MB` },
        { what: 'highest sampled VmRSS (every 50 ms)', value: `${(sampledPeakKb / 1024).toFixed(0)} MB` },
      ],
      notes: [
        `Backlog: ${SMALL} ordinary mails and one with a ${ATTACHMENT_BYTES / 1024 / 1024} MB random attachment `
          + `(${(big.length / 1024 / 1024).toFixed(1)} MB on the wire) in the middle; limits.maxMessageBytes raised to 64 MiB so it becomes a ticket.`,
        `Child process \`bin/slagate.js start --config …\` (the launcher execs \`node --max-semi-space-size=8\`) against Dovecot, PostgreSQL and the SMTP sink; all ${total} mails decided in ${seconds.toFixed(1)} s.`,
        'VmHWM is read from /proc/<pid>/status once every mail is decided, before SIGTERM.',
      ],
    });
  });
});
