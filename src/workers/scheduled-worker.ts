import type { Logger } from 'pino';
import { abortableSleep } from './abortable-sleep.js';

/** A job that runs at scheduled instants (a daily digest, a monthly mailing). */
export interface ScheduledJob<T> {
  /** What is due at `now`: the occurrence (its id, e.g. a date) when it has come, and the next instant. */
  schedule(now: Date): { due: string | null; nextAt: Date };
  /** Does the work for whatever is due now; safe to repeat (its mail carries dedupe keys). */
  run(): Promise<T>;
}

export interface ScheduledWorkerDeps {
  clock: () => Date;
  logger: Logger;
  /** Waits `ms` or until the signal aborts; tests pass their own to step time without sleeping. */
  wait?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Longest single wait (ms), so a wall-clock jump (suspend, NTP step) is noticed within it. */
  maxWaitMs?: number;
  /** Wait (ms) before trying again after a failed run. */
  retryMs?: number;
}

export interface ScheduledWorker<T> {
  name: string;
  start(signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
  /** Runs the job now, whatever this process ran before (the job itself knows what is due). */
  tick(): Promise<T>;
}

const DEFAULT_MAX_WAIT_MS = 3_600_000; // 1 hour
const DEFAULT_RETRY_MS = 60_000; // 1 minute

/**
 * Runs a job once per occurrence in this process: at start when its occurrence has already come
 * (a process that was down at the time catches up), then at each next instant. The process
 * remembers what it ran, so an occurrence that had nothing to say is not looked at again later
 * the same day; across processes the job's dedupe keys keep the mail single.
 */
export function createScheduledWorker<T>(name: string, job: ScheduledJob<T>, deps: ScheduledWorkerDeps): ScheduledWorker<T> {
  const stop = new AbortController();
  const wait = deps.wait ?? abortableSleep;
  const maxWaitMs = deps.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
  const retryMs = deps.retryMs ?? DEFAULT_RETRY_MS;
  const logger = deps.logger.child({ worker: name });
  let loop: Promise<void> | undefined;
  let done: string | null = null;

  async function runLoop(): Promise<void> {
    while (!stop.signal.aborted) {
      let delay: number;
      try {
        const { due } = job.schedule(deps.clock());
        if (due !== null && due !== done) {
          const outcome = await job.run();
          done = due;
          logger.info({ occurrence: due, outcome }, `${name} ran`);
        }
        delay = job.schedule(deps.clock()).nextAt.getTime() - deps.clock().getTime();
      } catch (err) {
        logger.warn({ err }, `${name} failed; trying again shortly`);
        delay = retryMs;
      }
      if (!stop.signal.aborted) await wait(Math.min(Math.max(delay, 1), maxWaitMs), stop.signal);
    }
  }

  return {
    name,
    async start(signal) {
      if (signal?.aborted) stop.abort();
      signal?.addEventListener('abort', () => stop.abort(), { once: true });
      loop ??= runLoop().catch((err) => logger.error({ err }, `${name} worker stopped unexpectedly`));
    },
    async close() {
      stop.abort();
      await loop;
    },
    tick: () => job.run(),
  };
}
