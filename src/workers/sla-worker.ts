import { sweepSla, type SweepSlaDeps } from '../app/jobs/sweep-sla.js';
import { abortableSleep } from './abortable-sleep.js';

export interface SlaWorkerDeps extends SweepSlaDeps {
  /** Tickets per tick (one transaction); a full batch is followed at once by another tick. */
  batchSize?: number;
  /** Waits `ms` or until the signal aborts; tests pass their own to step time without sleeping. */
  wait?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export interface SlaWorker {
  name: string;
  start(signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
  /** Ticks run so far (tests and metrics). */
  readonly ticks: number;
}

const DEFAULT_BATCH = 200; // tickets per transaction: keeps each lock short

/**
 * Sweeps every `config.sla.sweepIntervalMs`. Several processes may run one each: the sweep locks
 * rows with SKIP LOCKED and steps are recorded under a unique key, so they share the work and
 * nothing fires twice. A failed tick is logged and retried at the next interval.
 */
export function createSlaWorker(deps: SlaWorkerDeps): SlaWorker {
  const stop = new AbortController();
  const wait = deps.wait ?? abortableSleep;
  const limit = deps.batchSize ?? DEFAULT_BATCH;
  const logger = deps.logger.child({ worker: 'sla' });
  let loop: Promise<void> | undefined;
  let ticks = 0;

  async function runLoop(): Promise<void> {
    while (!stop.signal.aborted) {
      let backlog = false;
      try {
        const result = await sweepSla({ ...deps, logger }, { limit });
        backlog = result.claimed >= limit;
      } catch (err) {
        logger.warn({ err }, 'sla sweep failed; trying again next interval');
      }
      ticks++;
      if (!backlog && !stop.signal.aborted) await wait(deps.config.sla.sweepIntervalMs, stop.signal);
    }
  }

  return {
    name: 'sla',
    get ticks() { return ticks; },
    async start(signal) {
      signal?.addEventListener('abort', () => stop.abort(), { once: true });
      loop ??= runLoop().catch((err) => logger.error({ err }, 'sla worker stopped unexpectedly'));
    },
    async close() {
      stop.abort();
      await loop;
    },
  };
}
