/**
 * Delay before attempt `attempt + 1`: exponential from `initialMs`, capped at `maxMs`, with
 * jitter (between half and all of it) so mails that failed together do not retry together.
 */
export function retryDelayMs(attempt: number, options: { initialMs: number; maxMs: number }, random: () => number = Math.random): number {
  const exponential = Math.min(options.maxMs, options.initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential * (0.5 + random() * 0.5));
}
