/**
 * A timer a worker test steps by hand, handed to a scheduled worker as its `wait`: each wait is
 * recorded with its length and resolves when the test releases it (or the worker is aborted).
 */
export interface ManualTimer {
  waits: { ms: number; release: () => void }[];
  wait(ms: number, signal: AbortSignal): Promise<void>;
  /** Resolves once the worker waits again (it finished a pass). */
  nextWait(): Promise<void>;
}

export function manualTimer(): ManualTimer {
  const waits: ManualTimer['waits'] = [];
  let arrived: (() => void) | undefined;
  return {
    waits,
    wait(ms, signal) {
      return new Promise<void>((resolve) => {
        waits.push({ ms, release: resolve });
        signal.addEventListener('abort', () => resolve(), { once: true });
        arrived?.();
      });
    },
    nextWait() {
      const count = waits.length;
      return new Promise<void>((resolve) => {
        if (waits.length > count) return resolve();
        arrived = () => { if (waits.length > count) resolve(); };
      });
    },
  };
}
