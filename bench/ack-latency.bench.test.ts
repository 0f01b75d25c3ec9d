import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type Dovecot } from '../test/helpers/dovecot.js';
import { withImap } from '../test/helpers/imap-client.js';
import { startSmtpSink, type SmtpSink } from '../test/helpers/smtp-sink.js';
import { createTestDatabase, type TestDatabase } from '../test/helpers/test-database.js';
import { generateCorpus } from './fixtures/generate-mails.js';
import { benchConfig } from './support/bench-config.js';
import { recordSection } from './support/benchmarks-file.js';
import { startInProcessGateway } from './support/in-process-gateway.js';

/**
 * APPEND to acknowledgement at the sink, with the gateway idling on the mailbox: one mail at a
 * time, the next one only after the previous acknowledgement arrived and a short pause, so no
 * mail waits behind another. Twice: with IDLE alone (the default) and with IDLE plus a NOOP every
 * 250 ms (imap.noopIntervalMs). Dovecot tells an IDLE client about new mail 500 ms after it
 * arrived (NOTIFY_DELAY_MSECS in its mailbox watch), while a NOOP is answered at once; mail that
 * arrives while the gateway is between IDLEs is seen at its next command either way.
 */
const COUNT = Number(process.env.BENCH_LATENCY_MAILS ?? 200);
const P50_TARGET_MS = 500;
const P99_TARGET_MS = 2000;
const logger = pino({ level: process.env.SLAGATE_BENCH_LOG ?? 'silent' });

let dovecot: Dovecot;
let sink: SmtpSink;
let database: TestDatabase;

beforeAll(async () => {
  dovecot = await startDovecot({ users: ['latency', 'noop'] });
  sink = await startSmtpSink();
  database = await createTestDatabase({ poolMax: 2 });
});
afterAll(async () => {
  await sink?.close();
  await dovecot?.stop();
  await database?.drop();
});

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;

interface Run { p50: number; p99: number; min: number; max: number; slow: number }

/** Appends COUNT new-ticket mails one at a time to `user` and times each acknowledgement. */
async function measure(user: string, imap: Record<string, unknown>): Promise<Run> {
  // Only new tickets: each must produce exactly one acknowledgement to wait for.
  const corpus = generateCorpus({ count: COUNT, runId: `lat${user}${Date.now().toString(36)}`, replyShare: 0, ticketsPerSender: 1 });
  const arrivals = new Map<string, (at: number) => void>();
  sink.policy.data = (mail) => {
    const at = performance.now();
    const answered = /^In-Reply-To:\s*(<[^>]+>)/im.exec(mail.raw)?.[1];
    if (answered) arrivals.get(answered)?.(at);
    return undefined;
  };
  const config = benchConfig({ database, dovecot, user, sink, imap });
  const gateway = await startInProcessGateway(config, { logger });
  const latencies: number[] = [];
  try {
    await withImap({ host: dovecot.host, port: dovecot.port, user, password: dovecot.password(user) }, async (client) => {
      for (const mail of corpus) {
        const acked = new Promise<number>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`no acknowledgement for ${mail.messageId} within 30 s`)), 30_000);
          arrivals.set(mail.messageId, (at) => { clearTimeout(timer); resolve(at); });
        });
        const t0 = performance.now();
        const appended = await client.append('INBOX', mail.raw);
        expect(appended).toBeTruthy();
        latencies.push((await acked) - t0);
        arrivals.delete(mail.messageId);
        // A pause between mails (varied, so the APPENDs do not fall into step with the gateway's
        // IDLE or NOOP rhythm): each mail meets an idle gateway.
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      }
    });
  } finally {
    await gateway.close();
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), min: sorted[0]!, max: sorted[sorted.length - 1]!,
    slow: sorted.filter((ms) => ms >= 500).length / sorted.length,
  };
}

describe('acknowledgement latency with IDLE', () => {
  it(`acknowledges each of ${COUNT} appended mails, with IDLE alone and with IDLE and NOOP every 250 ms`, async () => {
    const idle = await measure('latency', {});
    const noop = await measure('noop', { noopIntervalMs: 250 });
    const ms = (x: number) => `${x.toFixed(0)} ms`;
    await recordSection({
      name: 'ack-latency',
      title: `Latency from APPEND to acknowledgement at the sink (IDLE), ${COUNT} mails one at a time`,
      command: 'npx vitest run -c vitest.bench.config.ts bench/ack-latency.bench.test.ts',
      figures: [
        { what: 'IDLE and a NOOP every 250 ms (imap.noopIntervalMs 250): p50', value: ms(noop.p50), target: `< ${P50_TARGET_MS} ms`, met: noop.p50 < P50_TARGET_MS },
        { what: 'IDLE and a NOOP every 250 ms: p99', value: ms(noop.p99), target: `< ${P99_TARGET_MS} ms`, met: noop.p99 < P99_TARGET_MS },
        { what: 'IDLE and a NOOP every 250 ms: min / max', value: `${ms(noop.min)} / ${ms(noop.max)}` },
        { what: 'IDLE alone (the default, imap.noopIntervalMs 0): p50', value: ms(idle.p50), target: `< ${P50_TARGET_MS} ms`, met: idle.p50 < P50_TARGET_MS },
        { what: 'IDLE alone: p99', value: ms(idle.p99), target: `< ${P99_TARGET_MS} ms`, met: idle.p99 < P99_TARGET_MS },
        { what: 'IDLE alone: min / max', value: `${ms(idle.min)} / ${ms(idle.max)}` },
      ],
      notes: [
        'Timed from just before the APPEND command to the moment the sink has the whole acknowledgement (its In-Reply-To names the mail).',
        'The gateway is `startGateway` with production defaults (IMAP IDLE with autoIdleDelay 200 ms, outbox pollIntervalMs 1 s, '
          + 'woken by each ingest commit), once as it is and once with imap.noopIntervalMs 250.',
        `Dovecot announces new mail to an IDLE client 500 ms after it arrived (NOTIFY_DELAY_MSECS, fixed in its source). With IDLE alone `
          + `${(idle.slow * 100).toFixed(0)} % of the mails took 500 ms or more: those that arrived while the gateway idled; the others arrived `
          + 'between two IDLEs and were seen at the next command, so the p50 falls on whichever group is larger and moves between runs. '
          + `A NOOP is answered at once: with one every 250 ms, ${(noop.slow * 100).toFixed(0)} % took 500 ms or more.`,
        'Each mail is appended only after the previous acknowledgement arrived plus a 100-300 ms pause, so none queues behind another.',
      ],
    });
  });
});
