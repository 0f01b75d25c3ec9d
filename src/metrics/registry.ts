import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** What the outbox gauges read on each scrape (the outbox repository answers it). */
export interface OutboxStats {
  depth: number;
  /** Age of the oldest unsent message; null when the outbox is empty. */
  oldestAgeSeconds: number | null;
  /**
   * Unsent mail held back until a later time (staff mail until business hours, a retry's
   * backoff): in depth, not in the oldest age, which says how late due mail is.
   */
  held?: number;
  oldestHeldAgeSeconds?: number | null;
}

export interface CreateMetricsOptions {
  /** Read on scrape, so the gauges are never stale; absent until the outbox is wired in. */
  outboxStats?: () => Promise<OutboxStats>;
  /** A failed read is reported here and the gauges show NaN rather than an old value. */
  onCollectError?: (err: unknown) => void;
  /** Node process metrics (CPU, memory, event loop); off in tests, they start a sampler. */
  processMetrics?: boolean;
}

/** Typed handles on one private registry: no global default registry, so each test gets its own. */
export interface Metrics {
  registry: Registry;
  /**
   * Mails taken in, by what ingestion decided (created, threaded, duplicate, quarantined, …) and
   * mailbox. This and every other series here count the team's work only: nothing of the management
   * channel (issue 20), since /metrics is scraped by the team's tools.
   */
  mailIngested: Counter<'decision' | 'mailbox'>;
  /** Ingestion time minus the mail's arrival (INTERNALDATE), in seconds. */
  ingestLagSeconds: Histogram<string>;
  outboxDepth: Gauge<string>;
  outboxOldestAgeSeconds: Gauge<string>;
  outboxHeld: Gauge<string>;
  outboxOldestHeldAgeSeconds: Gauge<string>;
  /** SLA notifications queued, by kind (sla-reminder, sla-breach, sla-escalated-manager, …). */
  slaNotifications: Counter<'kind'>;
  /** Worker restarts after a failure, by worker name. */
  workerRestarts: Counter<'worker'>;
}

export function createMetrics(options: CreateMetricsOptions = {}): Metrics {
  const registry = new Registry();
  const registers = [registry];

  // Both outbox gauges are collected in the same scrape: share one read between them.
  let inflight: Promise<OutboxStats | null> | undefined;
  const readOutbox = () => {
    const read = options.outboxStats;
    if (!read) return Promise.resolve(null);
    inflight ??= read()
      .catch((err: unknown) => {
        options.onCollectError?.(err);
        return { depth: Number.NaN, oldestAgeSeconds: Number.NaN, held: Number.NaN, oldestHeldAgeSeconds: Number.NaN };
      })
      .finally(() => { inflight = undefined; });
    return inflight;
  };

  const metrics: Metrics = {
    registry,
    mailIngested: new Counter({
      name: 'slagate_mail_ingested_total', help: 'Mails taken in, by ingestion decision and mailbox (mail of the management channel is not counted)',
      labelNames: ['decision', 'mailbox'] as const, registers,
    }),
    ingestLagSeconds: new Histogram({
      name: 'slagate_ingest_lag_seconds', help: 'Seconds from a mail\'s arrival to its ingestion',
      buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600], registers,
    }),
    outboxDepth: new Gauge({
      name: 'slagate_outbox_depth', help: 'Outgoing messages not yet sent (mail of the management channel not counted)', registers,
      async collect() {
        const stats = await readOutbox();
        if (stats) this.set(stats.depth);
      },
    }),
    outboxOldestAgeSeconds: new Gauge({
      name: 'slagate_outbox_oldest_age_seconds', help: 'Age in seconds of the oldest unsent message that is due (0 when none; held mail is in slagate_outbox_held)', registers,
      async collect() {
        const stats = await readOutbox();
        if (stats) this.set(stats.oldestAgeSeconds ?? 0);
      },
    }),
    outboxHeld: new Gauge({
      name: 'slagate_outbox_held', help: 'Outgoing messages not yet sent because they are held until later (counted in slagate_outbox_depth)', registers,
      async collect() {
        const stats = await readOutbox();
        if (stats) this.set(stats.held ?? 0);
      },
    }),
    outboxOldestHeldAgeSeconds: new Gauge({
      name: 'slagate_outbox_oldest_held_age_seconds', help: 'Age in seconds of the oldest held message (0 when none)', registers,
      async collect() {
        const stats = await readOutbox();
        if (stats) this.set(stats.oldestHeldAgeSeconds ?? 0);
      },
    }),
    slaNotifications: new Counter({
      name: 'slagate_sla_notifications_total', help: 'SLA notifications queued, by kind',
      labelNames: ['kind'] as const, registers,
    }),
    workerRestarts: new Counter({
      name: 'slagate_worker_restarts_total', help: 'Worker restarts after a failure, by worker',
      labelNames: ['worker'] as const, registers,
    }),
  };
  if (options.processMetrics) collectDefaultMetrics({ register: registry, prefix: 'slagate_' });
  return metrics;
}
