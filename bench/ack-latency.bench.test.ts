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
 * mail waits behind another. Dovecot coalesces change notifications for about 0.4-0.5 s
 * (PITFALLS.md), which is the floor of any IDLE-driven figure here.
 */
const COUNT = Number(process.env.BENCH_LATENCY_MAILS ?? 200);
const P50_TARGET_MS = 500;
const P99_TARGET_MS = 2000;
const logger = pino({ level: process.env.SLAGATE_BENCH_LOG ?? 'silent' });

let dovecot: Dovecot;
let sink: SmtpSink;
let database: TestDatabase;

beforeAll(async () => {
  dovecot = await startDovecot({ users: ['latency'] });
  sink = await startSmtpSink();
  database = await createTestDatabase({ poolMax: 2 });
});
afterAll(async () => {
  await sink?.close();
  await dovecot?.stop();
  await database?.drop();
});

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;

describe('acknowledgement latency with IDLE', () => {
  it(`acknowledges each of ${COUNT} appended mails within the targets`, async () => {
    // Only new tickets: each must produce exactly one acknowledgement to wait for.
    const corpus = generateCorpus({ count: COUNT, runId: `lat${Date.now().toString(36)}`, replyShare: 0, ticketsPerSender: 1 });
    const arrivals = new Map<string, (at: number) => void>();
    sink.policy.data = (mail) => {
      const at = performance.now();
      const answered = /^In-Reply-To:\s*(<[^>]+>)/im.exec(mail.raw)?.[1];
      if (answered) arrivals.get(answered)?.(at);
      return undefined;
    };
    const config = benchConfig({ database, dovecot, user: 'latency', sink });
    const gateway = await startInProcessGateway(config, { logger });
    const latencies: number[] = [];
    try {
      await withImap({ host: dovecot.host, port: dovecot.port, user: 'latency', password: dovecot.password('latency') }, async (client) => {
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
          // A pause between mails (varied, so the APPENDs do not fall into step with Dovecot's
          // notification interval): each mail meets an idle gateway.
          await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
        }
      });
    } finally {
      await gateway.close();
    }
    const sorted = [...latencies].sort((a, b) => a - b);
    const p50 = quantile(sorted, 0.5);
    const p99 = quantile(sorted, 0.99);
    await recordSection({
      name: 'ack-latency',
      title: `Latency from APPEND to acknowledgement at the sink (IDLE), ${COUNT} mails one at a time`,
      command: 'npx vitest run -c vitest.bench.config.ts bench/ack-latency.bench.test.ts',
      figures: [
        { what: 'p50', value: `${p50.toFixed(0)} ms`, target: `< ${P50_TARGET_MS} ms`, met: p50 < P50_TARGET_MS },
        { what: 'p99', value: `${p99.toFixed(0)} ms`, target: `< ${P99_TARGET_MS} ms`, met: p99 < P99_TARGET_MS },
        { what: 'min / max', value: `${sorted[0]!.toFixed(0)} ms / ${sorted[sorted.length - 1]!.toFixed(0)} ms` },
      ],
      notes: [
        'Timed from just before the APPEND command to the moment the sink has the whole acknowledgement (its In-Reply-To names the mail).',
        'The gateway is `startGateway` with production defaults (IMAP IDLE with autoIdleDelay 200 ms, outbox pollIntervalMs 1 s, '
          + 'woken by each ingest commit); Dovecot runs with imap_idle_notify_interval 1 s and coalesces notifications for about 0.4-0.5 s.',
        'Each mail is appended only after the previous acknowledgement arrived plus a 100-300 ms pause, so none queues behind another.',
      ],
    });
  });
});
